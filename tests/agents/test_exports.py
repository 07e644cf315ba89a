"""Export lists: sorted, complete, and lazily importable."""

from __future__ import annotations

import subprocess
import sys

import graftml.agents
import graftml.agents.builtin as builtin
from graftml.operators import Operator


def test_builtin_all_is_sorted_and_resolves() -> None:
    assert builtin.__all__ == sorted(builtin.__all__)
    for name in builtin.__all__:
        assert getattr(builtin, name) is not None


def test_every_public_operator_class_is_exported() -> None:
    classes = {name for name, value in vars(builtin).items()
               if isinstance(value, type) and issubclass(value, Operator) and value is not Operator}
    assert classes <= set(builtin.__all__)


def test_builtin_operators_cover_every_operator_name() -> None:
    operators = builtin.builtin_operators(seed=1)
    assert sorted(operators) == ["crossover", "debug", "draft", "improve", "merge", "tune"]
    assert all(op.name == name for name, op in operators.items())


def test_agents_exports_lazily() -> None:
    assert graftml.agents.builtin_operators is builtin.builtin_operators
    code = "import sys, graftml.agents; print('lightgbm' in sys.modules, 'optuna' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]

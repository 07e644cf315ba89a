"""graftml.agents.llm exports, and the lazy export of make_llm_operators."""

from __future__ import annotations

import subprocess
import sys

import graftml.agents
import graftml.agents.llm as llm


def test_llm_all_is_sorted_and_resolves() -> None:
    assert llm.__all__ == sorted(llm.__all__)
    for name in llm.__all__:
        assert getattr(llm, name) is not None


def test_make_llm_operators_is_exported_lazily_from_agents() -> None:
    assert graftml.agents.make_llm_operators is llm.make_llm_operators
    code = ("import sys, graftml.agents; "
            "print(any(m.startswith(('langgraph', 'llama_cpp', 'openai')) for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]


def test_building_operators_loads_no_model_weights() -> None:
    code = ("import sys, tempfile, pathlib; from graftml.agents.llm import make_llm_operators; "
            "from graftml.budget import Budget, Ledger; from graftml.config import "
            "LLMOperatorConfig as C; make_llm_operators({'draft': C(model='smollm2')}, {}, "
            "Ledger(Budget()), pathlib.Path(tempfile.mkdtemp())); "
            "print('llama_cpp' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]

"""Builders for LLM operator tests: scripted answers, a real ledger, operators over them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from graftml.agents.builtin import builtin_operators
from graftml.agents.llm import close_operators, make_llm_operators
from graftml.budget import Budget, Ledger
from graftml.config import LLMOperatorConfig
from graftml.llm import ScriptedBackend
from graftml.llm.scripted import Responder
from graftml.operators import Operator

DRAFT = {"model": "xgboost", "learning_rate": 0.1, "trees": 200, "capacity": 4,
         "categorical": "auto"}

OperatorsFactory = Callable[..., dict[str, Operator]]


def draft_answer(**fields: Any) -> str:
    """A JSON draft action (:data:`DRAFT` updated with ``fields``)."""
    return json.dumps({**DRAFT, **fields})


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(Budget())


@pytest.fixture
def make_ops(tmp_path: Path, ledger: Ledger) -> Iterator[OperatorsFactory]:
    """``make_ops(responses, operators=("draft",), ledger=..., **config)``: LLM operators on a
    :class:`ScriptedBackend` registered as ``smollm2``, with the built-in ones as fallbacks.
    Closed at teardown."""
    made: list[dict[str, Operator]] = []

    def build(responses: Sequence[str] | Responder, operators: Sequence[str] = ("draft",),
              ledger: Ledger = ledger, backend: ScriptedBackend | None = None,
              **config: Any) -> dict[str, Operator]:
        backend = backend or ScriptedBackend(responses, model="smollm2")
        configs = {name: LLMOperatorConfig(model="smollm2", **config) for name in operators}
        made.append(make_llm_operators(configs, builtin_operators(), ledger, tmp_path / "run",
                                       backends={"smollm2": backend}))
        return made[-1]

    yield build
    for ops in made:
        close_operators(ops)

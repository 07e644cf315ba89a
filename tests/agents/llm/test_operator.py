"""Routing between the LLM and the built-in operator, level choice, building and closing."""

from __future__ import annotations

from pathlib import Path

import pytest

from graftml.agents.builtin import DraftOperator, builtin_operators
from graftml.agents.llm import LLMOperator, close_operators, make_llm_operators, resolve_level
from graftml.budget import Budget, Ledger
from graftml.config import LLMOperatorConfig
from graftml.errors import ConfigError
from graftml.llm import ScriptedBackend
from graftml.llm.registry import get_model
from graftml.operators import OperatorContext
from graftml.types import Node, NodeStatus, Proposal

from .conftest import OperatorsFactory, draft_answer


def with_drafts(ctx: OperatorContext, count: int) -> OperatorContext:
    nodes = {f"d{i}": Node(id=f"d{i}", operator="draft", status=NodeStatus.OK)
             for i in range(count)}
    ctx.nodes = nodes
    return ctx


@pytest.mark.parametrize(("earlier", "llm"), [(0, True), (1, False), (2, False), (3, True)])
def test_every_third_proposal_goes_to_the_model(make_ops: OperatorsFactory,
                                                ctx: OperatorContext, earlier: int,
                                                llm: bool) -> None:
    backend = ScriptedBackend([draft_answer()], model="smollm2")
    ops = make_ops([], backend=backend, every=3)
    candidate = ops["draft"].build(Proposal("p", "draft", params={"draft_index": 1}),
                                   with_drafts(ctx, earlier))
    assert (candidate.params.get("model") == "smollm2") is llm
    assert len(backend.requests) == int(llm)


def test_a_backend_failure_falls_back_to_the_builtin_operator(make_ops: OperatorsFactory,
                                                              ctx: OperatorContext) -> None:
    ops = make_ops([])  # the scripted backend has no answer: LLMError
    candidate = ops["draft"].build(Proposal("p", "draft", params={"draft_index": 2}), ctx)
    assert candidate.description.startswith("[llm failed: scripted backend 'smollm2' ran out")
    builtin = DraftOperator().build(Proposal("p", "draft", params={"draft_index": 2}), ctx)
    assert candidate.description.endswith(f"built-in fallback] {builtin.description}")
    assert candidate.code == builtin.code


def test_without_a_builtin_operator_a_failure_is_a_value_error(tmp_path: Path,
                                                               ctx: OperatorContext) -> None:
    ops = make_llm_operators({"draft": LLMOperatorConfig(model="smollm2")}, {},
                             Ledger(Budget()), tmp_path,
                             backends={"smollm2": ScriptedBackend([], model="smollm2")})
    with pytest.raises(ValueError, match=r"^llm draft failed: scripted backend"):
        ops["draft"].build(Proposal("p", "draft"), ctx)
    close_operators(ops)


def test_operators_share_one_backend_per_model_and_close_it_last(tmp_path: Path) -> None:
    configs = {name: LLMOperatorConfig(model="smollm2") for name in ("draft", "debug")}
    ops = make_llm_operators(configs, builtin_operators(), Ledger(Budget()), tmp_path,
                             backends={"smollm2": ScriptedBackend([], model="smollm2")})
    draft, debug = ops["draft"], ops["debug"]
    assert isinstance(draft, LLMOperator) and isinstance(debug, LLMOperator)
    assert draft.model is debug.model
    pool = draft.pool
    assert pool is not None
    draft.close()
    draft.close()  # idempotent
    assert pool.models() == ["smollm2"]
    debug.close()
    assert pool.models() == []
    assert (tmp_path / "agents.sqlite").exists()


@pytest.mark.parametrize(("model", "level", "expected"), [
    ("smollm2", "auto", "structured"), ("gemma3-270m", "auto", "structured"),
    ("smollm2", "code", "code")])
def test_auto_level_follows_the_registry(model: str, level: str, expected: str) -> None:
    assert resolve_level(level, get_model(model)) == expected


def test_a_large_chat_model_writes_code() -> None:
    big = get_model("smollm2").model_copy(update={"parameters": 3.2e10})
    assert resolve_level("auto", big) == "code"


def test_an_unknown_model_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown model 'nope'"):
        make_llm_operators({"draft": LLMOperatorConfig(model="nope")}, builtin_operators(),
                           Ledger(Budget()), tmp_path)

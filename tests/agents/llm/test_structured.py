"""The structured level with scripted answers: actions -> specs, retries, fallbacks, metering."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from graftml.agents.builtin import DraftOperator
from graftml.budget import Budget, Ledger
from graftml.llm import ScriptedBackend
from graftml.operators import OperatorContext
from graftml.types import Node, NodeStatus, Proposal

from ..conftest import MemoryPredictionStore, Table
from .conftest import OperatorsFactory, draft_answer

DRAFT = Proposal(id="n1", operator="draft", params={"draft_index": 0})


def test_a_draft_action_becomes_a_clamped_spec_rendered_as_code(
        make_ops: OperatorsFactory, ctx: OperatorContext) -> None:
    ops = make_ops([draft_answer(trees=5000, capacity=40)])
    candidate = ops["draft"].build(DRAFT, ctx)
    assert candidate.spec is not None and candidate.spec["model"] == "xgboost"
    assert candidate.spec["params"]["n_estimators"] == 1000  # clamped to the draft bound
    assert candidate.spec["params"]["max_depth"] == 12  # clamped to xgboost's depth bound
    assert "def fit_predict" in candidate.code
    assert candidate.params["model"] == "smollm2"
    assert candidate.description.startswith("llm draft: xgboost(")


def test_tokens_spent_are_charged_to_the_ledger_and_reported(
        make_ops: OperatorsFactory, ctx: OperatorContext, ledger: Ledger) -> None:
    backend = ScriptedBackend([draft_answer()], model="smollm2")
    candidate = make_ops([], backend=backend)["draft"].build(DRAFT, ctx)
    request = backend.requests[0]
    prompt_words = sum(len(m["content"].split()) for m in request.messages or ())
    expected = prompt_words + len(draft_answer().split())
    assert candidate.params["tokens"] == ledger.spent.tokens == expected
    assert request.json_schema is not None and request.json_schema["required"][0] == "model"


def test_malformed_json_is_retried_once_with_the_reason(
        make_ops: OperatorsFactory, ctx: OperatorContext) -> None:
    backend = ScriptedBackend(['{"model": "xgboost", ', draft_answer()], model="smollm2")
    candidate = make_ops([], backend=backend)["draft"].build(DRAFT, ctx)
    assert candidate.params["llm"]["attempts"] == 2
    retry = (backend.requests[1].messages or ())[1]["content"]
    assert "rejected: malformed JSON" in retry
    assert backend.requests[1].seed == (backend.requests[0].seed or 0) + 1


def test_two_invalid_answers_fall_back_to_the_builtin_operator(
        make_ops: OperatorsFactory, ctx: OperatorContext, ledger: Ledger) -> None:
    ops = make_ops(["not json", draft_answer(model="svm")])
    candidate = ops["draft"].build(DRAFT, ctx)
    assert candidate.description.startswith(
        "[llm failed: no valid answer in 2 attempts: model 'svm' is not one of")
    builtin = DraftOperator().build(DRAFT, ctx)
    assert candidate.description.endswith(f"built-in fallback] {builtin.description}")
    assert "model" not in candidate.params  # the built-in operator wrote it
    assert candidate.params["tokens"] == ledger.spent.tokens > 0


def test_a_ledger_refusal_falls_back_before_any_call(
        make_ops: OperatorsFactory, ctx: OperatorContext) -> None:
    backend = ScriptedBackend([draft_answer()], model="smollm2")
    ops = make_ops([], backend=backend, ledger=Ledger(Budget(tokens=50)))
    candidate = ops["draft"].build(DRAFT, ctx)
    assert backend.requests == []
    assert candidate.description.startswith("[llm failed: budget exceeded: tokens")
    assert candidate.params["tokens"] == 0 and candidate.spec is not None


def structured_parent(node_of: Callable[..., Node], spec: dict[str, object],
                      status: NodeStatus = NodeStatus.OK, error: str = "") -> Node:
    node = node_of("n1", spec, status=status, error=error)
    node.score = 0.98 if status == NodeStatus.OK else None
    return node


@pytest.fixture
def lgbm_spec() -> dict[str, object]:
    from graftml.agents.builtin import make_spec

    return make_spec("lightgbm", "binary", 284, 30)


def test_improve_changes_the_one_parameter_the_model_names(
        make_ops: OperatorsFactory, make_ctx: Callable[..., OperatorContext], tmp_path: Path,
        node_of: Callable[..., Node], lgbm_spec: dict[str, object]) -> None:
    ctx = make_ctx(tmp_path, nodes={"n1": structured_parent(node_of, lgbm_spec)})
    backend = ScriptedBackend(['{"parameter": "learning_rate", "value": 0.05}',
                               '{"parameter": "learning_rate", "value": 9}'], model="smollm2")
    ops = make_ops([], operators=("improve",), backend=backend)
    candidate = ops["improve"].build(Proposal("n2", "improve", ("n1",)), ctx)
    assert candidate.spec is not None and candidate.spec["params"]["learning_rate"] == 0.2
    assert candidate.description == "llm improve n1: lightgbm learning_rate 0.05→0.2"
    first_try = (backend.requests[1].messages or ())[1]["content"]
    assert "learning_rate is already 0.05" in first_try


def test_improve_rejects_a_change_already_tried_on_the_parent(
        make_ops: OperatorsFactory, make_ctx: Callable[..., OperatorContext], tmp_path: Path,
        node_of: Callable[..., Node], lgbm_spec: dict[str, object]) -> None:
    sibling = Node(id="n2", operator="improve", parent_ids=("n1",), status=NodeStatus.OK,
                   params={"action": {"parameter": "num_leaves", "value": 30}})
    ctx = make_ctx(tmp_path, nodes={"n1": structured_parent(node_of, lgbm_spec), "n2": sibling})
    backend = ScriptedBackend(['{"parameter": "num_leaves", "value": 30}',
                               '{"parameter": "num_leaves", "value": 8}'], model="smollm2")
    ops = make_ops([], operators=("improve",), backend=backend)
    candidate = ops["improve"].build(Proposal("n3", "improve", ("n1",)), ctx)
    assert candidate.description == "llm improve n1: lightgbm num_leaves 15→8"
    assert "num_leaves=30 was already tried (n2)" in (backend.requests[1].messages or ())[1][
        "content"]


def test_improve_of_free_form_code_fails_without_calling_the_model(
        make_ops: OperatorsFactory, make_ctx: Callable[..., OperatorContext], tmp_path: Path,
        node_of: Callable[..., Node]) -> None:
    ctx = make_ctx(tmp_path, nodes={"n1": node_of("n1", None, code="def fit_predict(): ...")})
    backend = ScriptedBackend([], model="smollm2")
    ops = make_ops([], operators=("improve",), backend=backend)
    with pytest.raises(ValueError, match="not a structured pipeline; the built-in fallback"):
        ops["improve"].build(Proposal("n2", "improve", ("n1",)), ctx)
    assert backend.requests == []


def test_debug_shrinks_a_timed_out_parent(
        make_ops: OperatorsFactory, make_ctx: Callable[..., OperatorContext], tmp_path: Path,
        node_of: Callable[..., Node], lgbm_spec: dict[str, object]) -> None:
    parent = structured_parent(node_of, lgbm_spec, NodeStatus.TIMEOUT, "timed out after 60 s")
    ctx = make_ctx(tmp_path, nodes={"n1": parent})
    ops = make_ops(['{"fix": "shrink", "model": "knn"}'], operators=("debug",))
    candidate = ops["debug"].build(Proposal("n2", "debug", ("n1",)), ctx)
    assert candidate.spec is not None and candidate.spec["model"] == "lightgbm"
    assert candidate.spec["params"]["n_estimators"] == 75  # half the parent's trees
    assert candidate.description.startswith("llm debug n1: shrink lightgbm(")


def test_debug_rejects_a_fix_that_recreates_the_failed_pipeline(
        make_ops: OperatorsFactory, make_ctx: Callable[..., OperatorContext], tmp_path: Path,
        node_of: Callable[..., Node]) -> None:
    from graftml.agents.builtin import make_spec, normalize

    knn = make_spec("knn", "binary", 284, 30)
    failed = normalize({**knn, "prep": {**knn["prep"], "categorical": "ordinal",
                                        "impute": "median", "text": "drop"}})
    ctx = make_ctx(tmp_path, nodes={"n1": structured_parent(node_of, failed, NodeStatus.ERROR)})
    ops = make_ops(['{"fix": "switch_model", "model": "knn"}',
                    '{"fix": "switch_model", "model": "linear"}'], operators=("debug",))
    candidate = ops["debug"].build(Proposal("n2", "debug", ("n1",)), ctx)
    assert candidate.spec is not None and candidate.spec["model"] == "linear"
    assert candidate.params["llm"]["attempts"] == 2


def merge_context(make_ctx: Callable[..., OperatorContext], tmp_path: Path,
                  node_of: Callable[..., Node], table: Table) -> OperatorContext:
    """Three finished nodes with saved predictions (noisy copies of the labels)."""
    store, nodes = MemoryPredictionStore(), {}
    rng = np.random.default_rng(0)
    for i in range(3):
        node = node_of(f"n{i}", None, code=f"# member {i}\ndef fit_predict(a, b, c, d): ...")
        node.score = 0.9 - i / 100
        nodes[node.id] = node
        valid = np.clip(table.labels["valid"] + rng.normal(0, 0.4, len(table.labels["valid"])),
                        0, 1)
        store.save(node.id, {"valid": np.column_stack([1 - valid, valid])})
    return make_ctx(tmp_path, table, nodes=nodes, store=store)


def test_merge_blends_the_chosen_members_with_the_builtin_merge(
        make_ops: OperatorsFactory, make_ctx: Callable[..., OperatorContext], tmp_path: Path,
        node_of: Callable[..., Node], tables: dict[str, Table]) -> None:
    ctx = merge_context(make_ctx, tmp_path, node_of, tables["breast_cancer"])
    ops = make_ops(['{"members": ["n2", "n0", "n2"], "method": "stack"}'], operators=("merge",))
    candidate = ops["merge"].build(Proposal("m1", "merge", ("n0", "n1", "n2")), ctx)
    assert candidate.spec is not None and candidate.spec["members"] == ["n2", "n0"]
    assert candidate.predictions is not None and "valid" in candidate.predictions
    assert candidate.description == "llm merge stack of 2: n2, n0"
    assert candidate.params["model"] == "smollm2"


def test_merge_rejects_members_that_were_not_proposed(
        make_ops: OperatorsFactory, make_ctx: Callable[..., OperatorContext], tmp_path: Path,
        node_of: Callable[..., Node], tables: dict[str, Table]) -> None:
    ctx = merge_context(make_ctx, tmp_path, node_of, tables["breast_cancer"])
    ops = make_ops(['{"members": ["n0", "n9"], "method": "caruana"}',
                    '{"members": ["n0"], "method": "caruana"}'], operators=("merge",))
    candidate = ops["merge"].build(Proposal("m1", "merge", ("n0", "n1")), ctx)
    assert candidate.description.startswith("[llm failed: no valid answer in 2 attempts: "
                                            "choose at least two distinct members")
    assert candidate.spec is not None and candidate.spec["members"] == ["n0", "n1"]


def test_a_model_without_grammar_support_gets_no_schema_and_prose_is_tolerated(
        tmp_path: Path, ctx: OperatorContext) -> None:
    from graftml.agents.builtin import builtin_operators
    from graftml.agents.llm import close_operators, make_llm_operators
    from graftml.config import LLMOperatorConfig

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "plain.yaml").write_text(
        "name: plain\nprovider: scripted\ncapabilities: {chat: true, json_schema: false}\n")
    backend = ScriptedBackend([f"Sure! Here it is: {draft_answer()} Good luck."], model="plain")
    ops = make_llm_operators({"draft": LLMOperatorConfig(model="plain", level="structured")},
                             builtin_operators(), Ledger(Budget()), tmp_path,
                             models_dir=tmp_path / "models", backends={"plain": backend})
    candidate = ops["draft"].build(DRAFT, ctx)
    close_operators(ops)
    assert backend.requests[0].json_schema is None
    assert candidate.params["model"] == "plain" and candidate.spec is not None


def test_empty_completions_fall_back_and_their_prompts_are_still_charged(
        make_ops: OperatorsFactory, ctx: OperatorContext, ledger: Ledger) -> None:
    backend = ScriptedBackend(["", "  "], model="smollm2")
    candidate = make_ops([], backend=backend)["draft"].build(DRAFT, ctx)
    assert len(backend.requests) == 2
    assert candidate.description.startswith("[llm failed: no valid answer in 2 attempts: ")
    assert "empty" in candidate.description.split("built-in fallback")[0]
    assert candidate.params["tokens"] == ledger.spent.tokens > 0

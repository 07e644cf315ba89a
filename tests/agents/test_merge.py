"""The merge operator: cross-fitted blends that beat their parents, and a standalone module."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graftml.agents.builtin import MergeOperator, make_spec, render_pipeline
from graftml.agents.builtin.ensemble import caruana_weights, halves
from graftml.candidate import Candidate
from graftml.data.metrics import get_metric
from graftml.operators import OperatorContext
from graftml.types import Node, NodeStatus, Proposal

RunCode = Callable[..., dict[str, np.ndarray]]
Members = tuple[Any, dict[str, Node], dict[str, dict[str, np.ndarray]]]


def member_specs(task_type: str, n_rows: int, n_features: int) -> list[dict[str, Any]]:
    """Diverse weak-ish members: linear, nearest neighbours and a small forest."""
    specs = [make_spec(kind, task_type, n_rows, n_features)
             for kind in ("linear", "knn", "random_forest")]
    specs[2]["params"].update(n_estimators=100, min_samples_leaf=3)
    return specs


def fit_members(table: Any, run_code: RunCode, seed: int = 0) -> Members:
    """Fit every member in-process: finished nodes and their saved predictions."""
    nodes, preds = {}, {}
    for i, spec in enumerate(member_specs(table.task_type, len(table.train),
                                          table.train.shape[1] - 1)):
        code = render_pipeline(spec)
        preds[f"m{i}"] = run_code(code, table, seed)
        nodes[f"m{i}"] = Node(id=f"m{i}", operator="draft", status=NodeStatus.OK, spec=spec,
                              code=code)
    return table, nodes, preds


@pytest.fixture(scope="module")
def signal_members(make_table: Callable[..., Any], run_code_on: RunCode) -> dict[int, Members]:
    """Members fitted once per seed for the whole module."""
    return {seed: fit_members(make_table("signal", seed), run_code_on, seed) for seed in range(3)}


def merge(members: Members, tmp_path: Path, make_ctx: Callable[..., OperatorContext],
          store: Any, method: str = "caruana", seed: int = 0) -> tuple[OperatorContext, Candidate]:
    table, nodes, preds = members
    for node_id, values in preds.items():
        store.save(node_id, values)
    ctx = make_ctx(tmp_path, table, nodes=dict(nodes), store=store, seed=seed)
    proposal = Proposal("merge1", "merge", tuple(nodes), {"method": method})
    return ctx, MergeOperator().build(proposal, ctx)


@pytest.mark.parametrize("method", ["caruana", "stack"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_merge_beats_every_parent_on_test(seed: int, method: str, tmp_path: Path,
                                          signal_members: dict[int, Members],
                                          make_ctx: Callable[..., OperatorContext],
                                          store: Any) -> None:
    table, _, preds = signal_members[seed]
    _, candidate = merge(signal_members[seed], tmp_path, make_ctx, store, method, seed)
    assert candidate.predictions is not None
    auc, y_test = get_metric("roc_auc"), table.labels["test"]
    best_parent = max(auc(y_test, p["test"]) for p in preds.values())
    assert auc(y_test, candidate.predictions["test"]) > best_parent + 0.002


def test_valid_predictions_are_cross_fitted(tmp_path: Path, signal_members: dict[int, Members],
                                            make_ctx: Callable[..., OperatorContext],
                                            store: Any) -> None:
    _, nodes, preds = signal_members[0]
    _, candidate = merge(signal_members[0], tmp_path, make_ctx, store)
    assert candidate.predictions is not None and candidate.spec is not None
    weights = np.asarray(candidate.spec["weights"])
    in_sample = sum(w * preds[m]["valid"] for w, m in zip(weights, nodes, strict=True))
    assert not np.allclose(candidate.predictions["valid"], in_sample)
    assert weights.sum() == pytest.approx(1.0)
    json.dumps(candidate.spec)  # journaled as JSON


def test_merged_module_refits_members_and_reproduces_the_blend(
        tmp_path: Path, signal_members: dict[int, Members],
        make_ctx: Callable[..., OperatorContext], store: Any, run_code_on: RunCode) -> None:
    table = signal_members[0][0]
    _, candidate = merge(signal_members[0], tmp_path, make_ctx, store)
    assert candidate.predictions is not None
    out = run_code_on(candidate.code, table)
    np.testing.assert_allclose(out["test"], candidate.predictions["test"], atol=1e-9)


@pytest.mark.parametrize("method", ["caruana", "stack"])
@pytest.mark.parametrize("name", ["wine", "diabetes"])
def test_merge_handles_multiclass_and_regression(name: str, method: str, tmp_path: Path,
                                                 tables: dict[str, Any], run_code_on: RunCode,
                                                 make_ctx: Callable[..., OperatorContext],
                                                 store: Any) -> None:
    table = tables[name]
    ctx, candidate = merge(fit_members(table, run_code_on), tmp_path, make_ctx, store, method)
    assert candidate.predictions is not None
    for split, frame in table.predict.items():
        assert candidate.predictions[split].shape[0] == len(frame)
    assert np.isfinite(ctx.metric(table.labels["valid"], candidate.predictions["valid"]))
    out = run_code_on(candidate.code, table)
    np.testing.assert_allclose(out["test"], candidate.predictions["test"], atol=1e-9)


def test_merge_refuses_a_single_or_failed_parent(ctx: OperatorContext,
                                                 node_of: Callable[..., Node]) -> None:
    ctx.nodes = {"a": node_of("a", None, code="x = 1"),
                 "b": node_of("b", None, status=NodeStatus.ERROR, code="x = 1")}
    with pytest.raises(ValueError, match="two or more"):
        MergeOperator().build(Proposal("m", "merge", ("a", "a")), ctx)
    with pytest.raises(ValueError, match="'b' has not finished ok"):
        MergeOperator().build(Proposal("m", "merge", ("a", "b")), ctx)


def test_caruana_prefers_the_better_member() -> None:
    y = np.array([0, 1, 0, 1, 1, 0])
    good = np.eye(2)[y] * 0.8 + 0.1
    bad = np.full((6, 2), 0.5)
    weights = caruana_weights([bad, good], y, lambda t, p: -float(np.mean((p[:, 1] - t) ** 2)))
    assert weights.tolist() == [0.0, 1.0]


def test_halves_are_stratified_and_balanced() -> None:
    y = np.repeat([0, 1, 2], [10, 7, 3])
    half = halves(y, classify=True, seed=3)
    for c in (0, 1, 2):
        assert abs(int(half[y == c].sum()) * 2 - int((y == c).sum())) <= 1
    assert abs(int(half.sum()) * 2 - len(y)) <= 1


def test_the_best_of_each_family_the_parents_lack_joins_the_merge(
        tmp_path: Path, signal_members: dict[int, Members],
        make_ctx: Callable[..., OperatorContext], store: Any) -> None:
    table, nodes, preds = signal_members[0]
    for node_id, values in preds.items():
        store.save(node_id, values)
    scored = {k: replace(n, score=0.8 + 0.01 * i) for i, (k, n) in enumerate(nodes.items())}
    ctx = make_ctx(tmp_path, table, nodes=scored, store=store)
    parents = ("m0", "m1")  # linear and knn; the forest m2 is left out by the searcher
    widened = MergeOperator().build(Proposal("p1", "merge", parents), ctx)
    narrow = MergeOperator().build(Proposal("p2", "merge", parents, {"diverse": False}), ctx)
    assert widened.spec is not None and narrow.spec is not None
    assert widened.spec["members"] == ["m0", "m1", "m2"]
    assert narrow.spec["members"] == ["m0", "m1"]

"""The improve operator: one deterministic, targeted change per proposal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from graftml.agents.builtin import ImproveOperator, make_spec, normalize
from graftml.agents.builtin.mutate import MUTATIONS, applicable, mutate, step_value
from graftml.operators import NothingLeft, OperatorContext
from graftml.types import Node, Proposal


def _with_parent(ctx: OperatorContext, node_of: Callable[..., Node],
                 spec: dict[str, Any] | None) -> OperatorContext:
    ctx.nodes = {"a": node_of("a", spec)}
    return ctx


def test_improve_is_deterministic_per_proposal(ctx: OperatorContext,
                                               node_of: Callable[..., Node]) -> None:
    _with_parent(ctx, node_of, make_spec("lightgbm", "binary", 500, 30))
    first = ImproveOperator().build(Proposal("p7", "improve", ("a",)), ctx)
    again = ImproveOperator().build(Proposal("p7", "improve", ("a",)), ctx)
    assert first.spec == again.spec and first.description == again.description


def test_improve_changes_the_spec_and_says_how(ctx: OperatorContext,
                                               node_of: Callable[..., Node]) -> None:
    parent = make_spec("xgboost", "binary", 500, 30)
    _with_parent(ctx, node_of, parent)
    candidates = [ImproveOperator().build(Proposal(f"p{i}", "improve", ("a",)), ctx)
                  for i in range(8)]
    for candidate in candidates:
        assert candidate.spec is not None and candidate.spec != parent
        assert normalize(candidate.spec) == candidate.spec
        assert candidate.params["mutation"] in candidate.description
    assert len({c.params["mutation"] for c in candidates}) > 1


def test_slower_learning_halves_the_rate_and_doubles_the_rounds(
        ctx: OperatorContext, node_of: Callable[..., Node]) -> None:
    _with_parent(ctx, node_of, make_spec("lightgbm", "binary", 3000, 30))
    proposal = Proposal("p1", "improve", ("a",), {"mutation": "slower_learning"})
    spec = ImproveOperator().build(proposal, ctx).spec
    assert spec is not None
    assert spec["params"]["learning_rate"] == 0.025 and spec["params"]["n_estimators"] == 400


@pytest.mark.parametrize("kind", ["catboost", "random_forest", "linear", "knn", "hist_gb"])
def test_every_applicable_mutation_yields_a_valid_changed_spec(kind: str) -> None:
    parent = make_spec(kind, "regression", 800, 12)
    for name in applicable(parent):
        child = normalize(parent)
        assert mutate(child, name)
        assert normalize(child) != parent


def test_steps_stay_inside_their_bounds() -> None:
    assert step_value("learning_rate", 0.3, +1) == 0.3
    assert step_value("max_depth", 12, +1) == 12
    assert step_value("reg_lambda", 0.0, +1) == 1.0
    assert step_value("num_leaves", 31, -1) == 16


def test_free_form_parent_cannot_be_improved(ctx: OperatorContext,
                                             node_of: Callable[..., Node]) -> None:
    _with_parent(ctx, node_of, None)
    with pytest.raises(ValueError, match="structured"):
        ImproveOperator().build(Proposal("p1", "improve", ("a",)), ctx)


def test_every_mutation_has_a_role_in_some_kind() -> None:
    from graftml.agents.builtin.space import ROLES

    roles = {role for table in ROLES.values() for role in table}
    for steps in MUTATIONS.values():
        assert {role for role, _ in steps} & roles


def test_improve_does_not_rerun_a_pipeline_that_already_ran(
        ctx: OperatorContext, node_of: Callable[..., Node]) -> None:
    parent = make_spec("lightgbm", "binary", 500, 30)
    _with_parent(ctx, node_of, parent)
    seen = []
    for i in range(len(applicable(parent, "categorical" in ctx.feature_types.values()))):
        candidate = ImproveOperator().build(Proposal(f"p{i}", "improve", ("a",)), ctx)
        assert candidate.spec not in seen
        seen.append(candidate.spec)
        ctx.nodes[f"p{i}"] = node_of(f"p{i}", candidate.spec, parent="a")
    with pytest.raises(NothingLeft, match="already run"):  # the searcher drops the choice
        ImproveOperator().build(Proposal("p99", "improve", ("a",)), ctx)


def test_improving_an_ensemble_improves_its_best_member(
        ctx: OperatorContext, node_of: Callable[..., Node]) -> None:
    weak, strong = make_spec("linear", "binary", 500, 30), make_spec("xgboost", "binary", 500, 30)
    merge = Node(id="m", operator="merge", parent_ids=("w", "s"), spec=None, score=0.95)
    ctx.nodes = {"w": replace(node_of("w", weak), score=0.7),
                 "s": replace(node_of("s", strong), score=0.9), "m": merge,
                 "mm": Node(id="mm", operator="merge", parent_ids=("m", "w"), score=0.96)}
    candidate = ImproveOperator().build(Proposal("p1", "improve", ("mm",)), ctx)
    assert candidate.spec is not None and candidate.spec["model"] == "xgboost"


def test_a_table_without_categorical_columns_gets_no_encoding_change(
        ctx: OperatorContext, node_of: Callable[..., Node]) -> None:
    parent = make_spec("linear", "binary", 500, 30)
    _with_parent(ctx, node_of, parent)
    ctx.feature_types = {"x0": "numeric", "x1": "numeric"}
    mutations = {ImproveOperator().build(Proposal(f"p{i}", "improve", ("a",)), ctx)
                 .params["mutation"] for i in range(12)}
    assert "categorical_encoding" in applicable(parent)  # it would change the spec...
    assert "categorical_encoding" not in mutations  # ...but the same model would run again

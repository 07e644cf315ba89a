"""The debug operator: shrink after resource failures, fall back after errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graftml.agents.builtin import DebugOperator, make_spec
from graftml.operators import OperatorContext
from graftml.types import Node, NodeStatus, Proposal

NodeOf = Callable[..., Node]


def _debug(ctx: OperatorContext, parent: str = "a") -> dict[str, object]:
    spec = DebugOperator().build(Proposal("d1", "debug", (parent,)), ctx).spec
    assert spec is not None
    return spec


@pytest.mark.parametrize("status", [NodeStatus.OOM, NodeStatus.TIMEOUT])
def test_resource_failure_shrinks_the_same_pipeline(ctx: OperatorContext, node_of: NodeOf,
                                                    status: NodeStatus) -> None:
    parent = make_spec("xgboost", "binary", ctx.n_rows, 30)
    ctx.nodes = {"a": node_of("a", parent, status=status)}
    ctx.n_rows = 4000
    spec = _debug(ctx)
    assert spec["model"] == "xgboost"
    assert spec["params"]["n_estimators"] < parent["params"]["n_estimators"]
    assert spec["params"]["max_depth"] == parent["params"]["max_depth"] - 1
    assert spec["prep"]["max_train_rows"] == 2000


def test_memory_error_text_counts_as_a_resource_failure(ctx: OperatorContext,
                                                        node_of: NodeOf) -> None:
    ctx.nodes = {"a": node_of("a", make_spec("catboost", "binary", 300, 30),
                              status=NodeStatus.ERROR, error="MemoryError: bad_alloc")}
    assert _debug(ctx)["model"] == "catboost"


def test_error_falls_back_to_the_strongest_pipeline(ctx: OperatorContext,
                                                    node_of: NodeOf) -> None:
    ctx.nodes = {"a": node_of("a", make_spec("knn", "binary", 300, 30),
                              status=NodeStatus.ERROR, error="ValueError: bad input")}
    assert _debug(ctx)["model"] == "lightgbm"


def test_free_form_parent_falls_back_to_the_strongest_pipeline(ctx: OperatorContext,
                                                               node_of: NodeOf) -> None:
    ctx.nodes = {"a": node_of("a", None, status=NodeStatus.ERROR, error="KeyError: 'x'")}
    assert _debug(ctx)["model"] == "lightgbm"


def test_fallbacks_already_tried_above_are_skipped(ctx: OperatorContext,
                                                   node_of: NodeOf) -> None:
    ctx.nodes = {"a": node_of("a", None, status=NodeStatus.ERROR)}
    kinds = []
    for i in range(4):
        spec = DebugOperator().build(Proposal(f"d{i}", "debug", (list(ctx.nodes)[-1],)), ctx).spec
        assert spec is not None
        kinds.append(spec["model"])
        ctx.nodes[f"d{i}"] = node_of(f"d{i}", spec, status=NodeStatus.ERROR,
                                     parent=list(ctx.nodes)[-1])
    assert kinds == ["lightgbm", "hist_gb", "random_forest", "linear"]
    with pytest.raises(ValueError, match="every fallback"):
        DebugOperator().build(Proposal("d9", "debug", ("d3",)), ctx)


def test_a_node_whose_build_failed_is_not_debugged(ctx: OperatorContext, node_of: NodeOf) -> None:
    ctx.nodes = {"a": node_of("a", None, status=NodeStatus.ERROR,
                              error="build failed: parent 'm' is not a structured pipeline")}
    with pytest.raises(ValueError, match="nothing to debug: a failed before it ran"):
        DebugOperator().build(Proposal("d1", "debug", ("a",)), ctx)


def test_a_fallback_that_already_ran_anywhere_is_not_run_again(ctx: OperatorContext,
                                                               node_of: NodeOf) -> None:
    strongest = _debug_spec_for_error(ctx, node_of)
    ctx.nodes["other"] = node_of("other", strongest)  # e.g. a draft of the same pipeline
    assert _debug(ctx)["model"] != strongest["model"]


def _debug_spec_for_error(ctx: OperatorContext, node_of: NodeOf) -> dict[str, object]:
    ctx.nodes = {"a": node_of("a", None, status=NodeStatus.ERROR, error="KeyError: 'x'")}
    return _debug(ctx)

"""The crossover operator: prep of one parent with the model of the other, or mixed params."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graftml.agents.builtin import CrossoverOperator, make_spec, normalize
from graftml.operators import OperatorContext
from graftml.types import Node, Proposal

NodeOf = Callable[..., Node]


def test_different_kinds_take_prep_of_the_first_and_model_of_the_second(
        ctx: OperatorContext, node_of: NodeOf) -> None:
    first = make_spec("linear", "binary", 500, 30)
    second = make_spec("extra_trees", "binary", 500, 30)
    ctx.nodes = {"a": node_of("a", first), "b": node_of("b", second)}
    spec = CrossoverOperator().build(Proposal("x1", "crossover", ("a", "b")), ctx).spec
    assert spec is not None
    assert spec["model"] == "extra_trees" and spec["params"] == second["params"]
    assert spec["prep"] == first["prep"]


def test_same_kind_mixes_hyperparameters_deterministically(ctx: OperatorContext,
                                                           node_of: NodeOf) -> None:
    first = make_spec("lightgbm", "binary", 500, 30)
    second = normalize({**first, "params": {k: (v * 2 if isinstance(v, int) else v)
                                            for k, v in first["params"].items()}})
    ctx.nodes = {"a": node_of("a", first), "b": node_of("b", second)}
    build = CrossoverOperator().build
    spec = build(Proposal("x1", "crossover", ("a", "b")), ctx).spec
    assert spec == build(Proposal("x1", "crossover", ("a", "b")), ctx).spec
    assert spec is not None and spec not in (first, second)
    for name, value in spec["params"].items():
        assert value in (first["params"][name], second["params"][name])


def test_free_form_parent_is_refused(ctx: OperatorContext, node_of: NodeOf) -> None:
    ctx.nodes = {"a": node_of("a", make_spec("knn", "binary", 500, 30)), "b": node_of("b", None)}
    with pytest.raises(ValueError, match="crossover needs two structured parents"):
        CrossoverOperator().build(Proposal("x1", "crossover", ("a", "b")), ctx)


def test_identical_parents_are_refused(ctx: OperatorContext, node_of: NodeOf) -> None:
    spec = make_spec("catboost", "binary", 500, 30)
    ctx.nodes = {"a": node_of("a", spec), "b": node_of("b", spec)}
    with pytest.raises(ValueError, match="fewer than two"):
        CrossoverOperator().build(Proposal("x1", "crossover", ("a", "b")), ctx)

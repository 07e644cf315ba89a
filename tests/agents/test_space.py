"""The spec space: defaults, normalization and the parent lookup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from graftml.agents.builtin.space import KINDS, make_spec, normalize, structured_parent
from graftml.operators import OperatorContext
from graftml.types import Node


@pytest.mark.parametrize("kind", KINDS)
def test_default_specs_are_normalized_fixed_points(kind: str) -> None:
    spec = make_spec(kind, "binary", 1000, 20)
    assert normalize(spec) == spec


def test_rounds_grow_with_the_rows() -> None:
    small = make_spec("lightgbm", "binary", 300, 10)["params"]["n_estimators"]
    large = make_spec("lightgbm", "binary", 6000, 10)["params"]["n_estimators"]
    assert small < large


def test_native_categoricals_fall_back_where_the_model_has_none() -> None:
    spec = normalize({"model": "random_forest", "prep": {"categorical": "native"}})
    assert spec["prep"]["categorical"] == "auto"
    assert spec["prep"]["impute"] == "median"


@pytest.mark.parametrize("bad", [{"model": "svm"}, {"model": "knn", "prep": {"colour": 1}},
                                 {"model": "knn", "prep": {"categorical": "target"}}])
def test_invalid_specs_are_rejected_with_the_valid_options(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"one of|valid"):
        normalize(bad)


def test_free_form_parent_is_not_structured(ctx: OperatorContext,
                                            node_of: Callable[..., Node]) -> None:
    ctx.nodes = {"a": node_of("a", None)}
    with pytest.raises(ValueError, match="not a structured pipeline"):
        structured_parent(ctx, "a")

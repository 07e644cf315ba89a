"""The draft operator and its portfolio."""

from __future__ import annotations

import pytest

from graftml.agents.builtin import DraftOperator, portfolio, portfolio_size
from graftml.operators import OperatorContext
from graftml.types import Proposal


def test_portfolio_size_matches_the_portfolio() -> None:
    for task_type in ("binary", "multiclass", "regression"):
        assert portfolio_size(task_type) == len(portfolio(task_type, 1000, 10))


def test_portfolio_starts_with_the_strongest_kinds() -> None:
    kinds = [spec["model"] for spec in portfolio("binary", 1000, 10)]
    assert kinds[:3] == ["lightgbm", "catboost", "extra_trees"]
    assert set(kinds) >= {"xgboost", "hist_gb", "random_forest", "linear", "knn"}


def test_draft_builds_the_indexed_pipeline(ctx: OperatorContext) -> None:
    candidate = DraftOperator().build(Proposal("p1", "draft", params={"draft_index": 1}), ctx)
    assert candidate.spec is not None and candidate.spec["model"] == "catboost"
    assert "def fit_predict" in candidate.code
    assert candidate.description.startswith("draft 1: catboost(")


def test_draft_index_outside_the_portfolio_is_a_build_error(ctx: OperatorContext) -> None:
    with pytest.raises(ValueError, match="outside the portfolio"):
        DraftOperator().build(Proposal("p1", "draft", params={"draft_index": 99}), ctx)

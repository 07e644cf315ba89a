"""The draft operator and its learned portfolio order."""

from __future__ import annotations

import json

import pytest

from graftml.agents.builtin import DraftOperator, portfolio, portfolio_size
from graftml.agents.builtin.portfolio import BY_NAME, ORDER_FILE, draft_order
from graftml.operators import OperatorContext
from graftml.types import Proposal


def test_portfolio_size_matches_the_portfolio() -> None:
    for n_rows in (300, 1000, 5000, 100_000):
        assert portfolio_size(n_rows) == len(portfolio("binary", n_rows, 10)) >= 8


def test_the_shipped_order_names_pool_configurations_once_per_bucket() -> None:
    buckets = json.loads(ORDER_FILE.read_text())["buckets"]
    assert buckets[-1]["max_rows"] is None  # the last bucket takes every larger table
    for bucket in buckets:
        assert bucket["order"] and set(bucket["order"]) <= set(BY_NAME)
        assert len(set(bucket["order"])) == len(bucket["order"])
        assert len(bucket["datasets"]) >= 5


def test_the_order_follows_the_row_bucket() -> None:
    buckets = json.loads(ORDER_FILE.read_text())["buckets"]
    small, large = buckets[0], buckets[-1]
    assert [e.name for e in draft_order(small["max_rows"])] == small["order"]
    assert [e.name for e in draft_order(small["max_rows"] + 1)] == large["order"]


def test_draft_builds_the_indexed_pipeline(ctx: OperatorContext) -> None:
    second = draft_order(ctx.n_rows)[1]
    candidate = DraftOperator().build(Proposal("p1", "draft", params={"draft_index": 1}), ctx)
    assert candidate.spec is not None and candidate.spec["model"] == second.kind
    assert "def fit_predict" in candidate.code
    assert candidate.description.startswith(f"draft 1: {second.kind}(")


def test_draft_index_outside_the_portfolio_is_a_build_error(ctx: OperatorContext) -> None:
    with pytest.raises(ValueError, match="outside the portfolio"):
        DraftOperator().build(Proposal("p1", "draft", params={"draft_index": 99}), ctx)

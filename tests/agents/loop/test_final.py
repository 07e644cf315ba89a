"""The refit reserve: what a refit of the final pick is expected to cost, start-up included."""

from __future__ import annotations

import pytest

from graftml.agents.loop.final import (
    MAX_REFIT_SHARE,
    REFIT_SLACK,
    REFIT_START_S,
    refit_estimate_s,
    refit_reserve_s,
)
from graftml.types import Node


def _nodes() -> dict[str, Node]:
    a = Node(id="a", operator="draft", cost={"job_s": 2.0})
    b = Node(id="b", operator="draft", cost={"job_s": 3.0})
    m1 = Node(id="m1", operator="merge", parent_ids=("a", "b"), cost={"overhead_s": 0.1})
    m2 = Node(id="m2", operator="merge", parent_ids=("m1", "a", "b"), cost={})
    return {n.id: n for n in (a, b, m1, m2)}


def test_a_pipeline_refits_at_its_job_time_with_slack() -> None:
    nodes = _nodes()
    assert refit_estimate_s(nodes["a"], nodes) == pytest.approx(REFIT_START_S + REFIT_SLACK * 2.0)


def test_nested_ensembles_count_each_member_once() -> None:
    nodes = _nodes()
    assert refit_estimate_s(nodes["m2"], nodes) == pytest.approx(REFIT_START_S + REFIT_SLACK * 5.0)


def test_no_reserve_when_the_refit_would_take_too_much_of_the_budget() -> None:
    nodes = _nodes()
    wall = (REFIT_START_S + REFIT_SLACK * 5.0) / MAX_REFIT_SHARE
    expected = REFIT_START_S + REFIT_SLACK * 5.0
    assert refit_reserve_s(nodes["m2"], nodes, wall) == pytest.approx(expected)
    assert refit_reserve_s(nodes["m2"], nodes, wall * 0.9) == 0.0
    assert refit_reserve_s(None, nodes, wall) == 0.0


def test_zero_weight_ensemble_members_are_not_refit() -> None:
    nodes = _nodes()
    m3 = Node(id="m3", operator="merge", parent_ids=("a", "b"),
              spec={"model": "ensemble", "members": ["a", "b"], "weights": [1.0, 0.0]})
    nodes["m3"] = m3
    assert refit_estimate_s(m3, nodes) == pytest.approx(REFIT_START_S + REFIT_SLACK * 2.0)

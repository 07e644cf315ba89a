"""Greedy portfolio construction from measured scores and seconds."""

from __future__ import annotations

import pytest

from benchmarks._portfolio import anytime_score, greedy_order, leave_one_out, normalized
from benchmarks.datasets import REGISTRY
from benchmarks.portfolio_learn import LEARN_DATASETS


def test_normalized_maps_best_to_one_and_median_or_failure_to_zero() -> None:
    norm = normalized({"d": {"a": 0.9, "b": 0.8, "c": 0.7, "x": None}})["d"]
    assert norm == {"a": 1.0, "b": 0.0, "c": 0.0, "x": 0.0}


def test_a_cheap_config_that_is_nearly_as_good_comes_first() -> None:
    row = {"slow": 1.0, "fast": 0.9, "bad": 0.0, "worse": 0.0, "worst": 0.0}  # median 0.0
    scores = {"d1": dict(row), "d2": dict(row)}
    seconds = {d: {"slow": 20.0, "fast": 0.5, "bad": 0.1, "worse": 0.1, "worst": 0.1}
               for d in scores}
    steps = greedy_order(scores, seconds, startup_s=1.0, min_size=0)
    assert [s.name for s in steps] == ["fast", "slow"]
    assert steps[0].gain == pytest.approx(0.9)  # normalized (0.9 - 0.0) / (1.0 - 0.0)
    assert steps[1].gain == pytest.approx(0.1)


def test_a_config_best_nowhere_is_left_out_unless_the_order_is_short() -> None:
    scores = {"d1": {"a": 1.0, "b": 0.0, "c": 0.5}, "d2": {"a": 0.0, "b": 1.0, "c": 0.5}}
    seconds = {d: dict.fromkeys(("a", "b", "c"), 1.0) for d in scores}
    assert {s.name for s in greedy_order(scores, seconds, min_size=0)} == {"a", "b"}
    filled = greedy_order(scores, seconds, min_size=3)
    assert [s.name for s in filled][-1] == "c" and filled[-1].gain == 0.0


def test_learning_tables_are_not_benchmark_tables() -> None:
    assert not {d.source for d in LEARN_DATASETS} & {d.source for d in REGISTRY.values()}
    assert len({d.name for d in LEARN_DATASETS}) == len(LEARN_DATASETS)


def test_anytime_score_counts_only_what_fits_in_the_time() -> None:
    norm = {"a": 0.2, "b": 1.0}
    seconds = {"a": 1.0, "b": 5.0}
    assert anytime_score(["a", "b"], norm, seconds, at_s=3.0) == 0.2
    assert anytime_score(["a", "b"], norm, seconds, at_s=8.0) == 1.0
    assert anytime_score(["b", "a"], norm, seconds, at_s=3.0) == 0.0


def test_leave_one_out_judges_each_dataset_by_an_order_learned_without_it() -> None:
    rows = {"fast": 0.9, "slow": 1.0, "x": 0.0, "y": 0.0, "z": 0.0}
    scores = {f"d{i}": dict(rows) for i in range(3)}
    seconds = {d: {"fast": 0.5, "slow": 20.0, "x": 0.1, "y": 0.1, "z": 0.1} for d in scores}
    learned, fixed = leave_one_out(scores, seconds, ["slow", "fast"], at_s=5.0)
    assert learned == pytest.approx(0.9) and fixed == 0.0

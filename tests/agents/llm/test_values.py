"""Bounding structured-action values: parameter bounds, trust region, boosting rounds."""

from __future__ import annotations

import math

import pytest

from graftml.agents.llm.values import bounds, clamp, enough_rounds, improved


def test_tree_counts_are_capped_below_the_mutation_bound() -> None:
    assert bounds("n_estimators") == (20, 1000)
    assert clamp("n_estimators", 5000.0, 300) == 1000


def test_values_keep_the_type_of_the_current_value() -> None:
    assert clamp("max_depth", 7.6, 6) == 8
    assert clamp("learning_rate", 0.0512345678, 0.05) == 0.051235


def test_an_improve_moves_at_most_two_steps() -> None:
    assert improved("n_estimators", 20.0, 150) == 38  # 150 / 2**2, rounded
    assert improved("max_depth", 12.0, 6) == 8  # additive steps of 1


def test_an_improve_that_changes_nothing_is_rejected() -> None:
    with pytest.raises(ValueError, match="num_leaves is already 15"):
        improved("num_leaves", 15.4, 15)


def test_a_non_finite_value_is_rejected() -> None:
    with pytest.raises(ValueError, match="finite"):
        improved("learning_rate", math.nan, 0.05)


def test_a_slow_learning_rate_gets_enough_rounds() -> None:
    assert enough_rounds(20, 0.005) == 1000
    assert enough_rounds(20, 0.1) == 50
    assert enough_rounds(400, 0.1) == 400

"""The decision threshold fitted for binary label metrics after the final pick."""

from __future__ import annotations

import numpy as np
import pytest

from graftml.agents.loop.decision import fit_threshold, shift, wants_threshold
from graftml.data.metrics import get_metric


def _proba(p1: np.ndarray) -> np.ndarray:
    return np.column_stack([1.0 - p1, p1])


@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.5, 0.77, 0.95])
def test_shift_labels_exactly_the_rows_at_or_above_the_threshold(threshold: float) -> None:
    p1 = np.concatenate([np.linspace(0.0, 1.0, 1001), [threshold, np.nextafter(threshold, 0)]])
    shifted = shift(_proba(p1), threshold)
    np.testing.assert_array_equal(shifted.argmax(axis=1), (p1 >= threshold).astype(int))
    np.testing.assert_allclose(shifted.sum(axis=1), 1.0)
    assert np.all(np.diff(shifted[:1001, 1]) >= 0)  # monotone: rankings (and AUC) unchanged


def test_a_lower_threshold_is_found_for_f1_on_a_rare_positive_class() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.1).astype(int)
    p1 = np.clip(0.25 * y + rng.normal(0.15, 0.1, len(y)), 0.0, 1.0)  # positives rarely > 0.5
    f1 = get_metric("f1")
    t = fit_threshold(f1, y, _proba(p1))
    assert t < 0.5
    assert f1(y, shift(_proba(p1), t)) > f1(y, _proba(p1)) + 0.2


def test_half_is_kept_when_no_threshold_does_better() -> None:
    y = np.array([0, 0, 1, 1])
    pred = _proba(np.array([0.1, 0.2, 0.8, 0.9]))
    assert fit_threshold(get_metric("f1"), y, pred) == 0.5


def test_only_binary_label_metrics_get_a_threshold() -> None:
    assert wants_threshold(get_metric("f1"), "binary")
    assert wants_threshold(get_metric("balanced_accuracy"), "binary")
    assert not wants_threshold(get_metric("f1"), "multiclass")
    assert not wants_threshold(get_metric("roc_auc"), "binary")
    assert not wants_threshold(get_metric("log_loss"), "binary")

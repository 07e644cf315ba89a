"""The NumPy metrics used in hot loops agree with the validated scikit-learn ones."""

from __future__ import annotations

import numpy as np
import pytest

from graftml.data.fast_metrics import FAST, fast_metric
from graftml.data.metrics import get_metric


def _case(name: str, n_classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if name in ("rmse", "mae"):
        y = rng.normal(size=300)
        return y, y + rng.normal(scale=0.5, size=300)
    y = np.concatenate([np.arange(n_classes), rng.integers(0, n_classes, 297)])
    pred = rng.dirichlet(np.ones(n_classes), size=len(y))
    pred[:, 0] = np.round(pred[:, 0], 1)  # ties, for the rank-based AUC
    return y, pred


@pytest.mark.parametrize("name", sorted(FAST))
@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("seed", [0, 1])
def test_fast_metric_matches_the_validated_one(name: str, n_classes: int, seed: int) -> None:
    metric = get_metric(name)
    y, pred = _case(name, n_classes, seed)
    assert fast_metric(metric)(y, pred) == pytest.approx(metric(y, pred), rel=1e-9, abs=1e-12)


def test_metrics_without_a_fast_version_fall_back_to_the_validated_one() -> None:
    metric = get_metric("f1")
    y, pred = _case("f1", 2, 0)
    assert fast_metric(metric)(y, pred) == metric(y, pred)


def test_auc_with_one_class_raises_like_the_validated_one() -> None:
    with pytest.raises(ValueError):
        fast_metric(get_metric("roc_auc"))(np.zeros(5), np.full((5, 2), 0.5))

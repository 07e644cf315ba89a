"""Decision threshold for label metrics on binary tasks, fitted on validation after the pick.

F1 and balanced accuracy score hard labels. A model's labels at probability 0.5 are rarely the
best ones for them when the classes are imbalanced, so after the final pick graftml fits one
threshold on the winner's validation predictions (the same rows the pick used; the hold-out is
never seen) and applies it to every later prediction. The threshold is applied as a monotone
shift of the positive-class probability (``logit(p) - logit(t)``), so predictions stay a
probability matrix whose argmax gives the thresholded labels, and scoring code needs no change.
"""

from __future__ import annotations

import numpy as np

from graftml.data.metrics import Metric

#: label metrics whose binary predictions get a fitted threshold
THRESHOLD_METRICS = ("f1", "balanced_accuracy")
_EPS = 1e-6


def wants_threshold(metric: Metric, task_type: str) -> bool:
    """Whether final predictions for ``metric`` on ``task_type`` get a fitted threshold."""
    return task_type == "binary" and metric.name in THRESHOLD_METRICS


def _logit(p: np.ndarray | float) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    out: np.ndarray = np.log(q) - np.log1p(-q)
    return out


def shift(pred: np.ndarray, threshold: float) -> np.ndarray:
    """Binary probabilities ``(n, 2)`` re-centred so that ``p1 >= threshold`` iff argmax is 1."""
    z = _logit(pred[:, 1]) - _logit(threshold)
    p1 = 1.0 / (1.0 + np.exp(-z))
    above = np.asarray(pred[:, 1], dtype=float) >= threshold  # exact, whatever the rounding
    p1 = np.where(above, np.maximum(p1, np.nextafter(0.5, 1)), np.minimum(p1, np.nextafter(0.5, 0)))
    return np.column_stack([1.0 - p1, p1])


def fit_threshold(metric: Metric, y: np.ndarray, pred: np.ndarray, grid: int = 99) -> float:
    """The threshold on ``pred[:, 1]`` that scores best on ``y`` (0.5 kept on ties).

    Candidates are 0.5 and the ``grid`` inner quantiles of the predicted probabilities; among
    equally good thresholds the one closest to 0.5 wins, so a flat metric leaves labels alone.
    """
    p1 = np.asarray(pred, dtype=float)[:, 1]
    candidates = np.unique(np.append(np.quantile(p1, np.linspace(0, 1, grid + 2)[1:-1]), 0.5))
    best_t, best = 0.5, metric.oriented(metric(y, pred))
    for t in sorted(candidates, key=lambda c: abs(c - 0.5)):
        value = metric.oriented(metric(y, shift(pred, float(t))))
        if value > best:
            best_t, best = float(t), value
    return best_t

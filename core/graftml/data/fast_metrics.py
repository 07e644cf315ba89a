"""NumPy versions of the metrics for hot loops (ensemble selection scores thousands of blends).

scikit-learn's metric functions validate their inputs on every call (about 1 ms each); the
greedy ensemble selection of the merge operator calls the metric ``rounds x members`` times per
fit. These versions skip validation and agree with :mod:`graftml.data.metrics` to float
precision (``tests/core/test_fast_metrics.py`` checks each on random inputs). Metrics without a
fast version fall back to the validated one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.stats import rankdata

from graftml.data.metrics import Metric

Fn = Callable[[np.ndarray, np.ndarray], float]


def _binary_auc(positive: np.ndarray, score: np.ndarray) -> float:
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC AUC needs both classes in y_true")
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _roc_auc(y: np.ndarray, pred: np.ndarray) -> float:
    if pred.shape[1] == 2:
        return _binary_auc(y == 1, pred[:, 1])
    if len(np.unique(y)) != pred.shape[1]:
        raise ValueError("one-vs-rest ROC AUC needs every class in y_true")
    proba = pred / np.clip(pred.sum(axis=1, keepdims=True), 1e-12, None)
    return float(np.mean([_binary_auc(y == k, proba[:, k]) for k in range(pred.shape[1])]))


def _log_loss(y: np.ndarray, pred: np.ndarray) -> float:
    proba = np.clip(pred, 1e-15, 1.0)
    proba = proba / proba.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(proba[np.arange(len(y)), y.astype(int)])))


def _accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(pred.argmax(axis=1) == y))


def _rmse(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.sqrt(np.mean((y - pred) ** 2)))


def _mae(y: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(np.abs(y - pred)))


FAST: dict[str, Fn] = {"roc_auc": _roc_auc, "log_loss": _log_loss, "accuracy": _accuracy,
                       "rmse": _rmse, "mae": _mae}


def fast_metric(metric: Metric) -> Fn:
    """The unvalidated NumPy version of ``metric`` (the metric itself when there is none)."""
    fn = FAST.get(metric.name)
    if fn is None:
        return metric.__call__

    def call(y: np.ndarray, pred: np.ndarray) -> float:
        return fn(np.asarray(y), np.asarray(pred, dtype=float))
    return call

"""Metrics computed by graftml from a candidate's predictions (never parsed from text).

Predictions are a probability matrix ``(n, n_classes)`` for classification and a vector ``(n,)``
for regression; labels are encoded ``0..n_classes-1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm

from graftml.errors import TaskError

CLASSIFICATION = ("binary", "multiclass")
REGRESSION = ("regression",)


@dataclass(frozen=True)
class Metric:
    """A scoring rule: its name, direction and the task types it applies to."""

    name: str
    direction: str  # "maximize" | "minimize"
    task_types: tuple[str, ...]
    fn: Callable[[np.ndarray, np.ndarray], float]

    def __call__(self, y_true: np.ndarray, pred: np.ndarray) -> float:
        return float(self.fn(y_true, pred))

    def oriented(self, value: float) -> float:
        """The value with higher-is-better orientation (for searchers)."""
        return value if self.direction == "maximize" else -value


def _labels(pred: np.ndarray) -> np.ndarray:
    labels: np.ndarray = np.asarray(pred).argmax(axis=1)
    return labels


def _roc_auc(y: np.ndarray, pred: np.ndarray) -> float:
    if pred.shape[1] == 2:
        return float(skm.roc_auc_score(y, pred[:, 1]))
    proba = pred / np.clip(pred.sum(axis=1, keepdims=True), 1e-12, None)
    return float(skm.roc_auc_score(y, proba, multi_class="ovr", labels=np.arange(pred.shape[1])))


def _log_loss(y: np.ndarray, pred: np.ndarray) -> float:
    proba = np.clip(pred, 1e-15, 1.0)
    proba = proba / proba.sum(axis=1, keepdims=True)
    return float(skm.log_loss(y, proba, labels=np.arange(pred.shape[1])))


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    average = "binary" if pred.shape[1] == 2 else "macro"
    return float(skm.f1_score(y, _labels(pred), average=average))


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("accuracy", "maximize", CLASSIFICATION,
               lambda y, p: skm.accuracy_score(y, _labels(p))),
        Metric("balanced_accuracy", "maximize", CLASSIFICATION,
               lambda y, p: skm.balanced_accuracy_score(y, _labels(p))),
        Metric("roc_auc", "maximize", CLASSIFICATION, _roc_auc),
        Metric("log_loss", "minimize", CLASSIFICATION, _log_loss),
        Metric("f1", "maximize", CLASSIFICATION, _f1),
        Metric("rmse", "minimize", REGRESSION,
               lambda y, p: np.sqrt(skm.mean_squared_error(y, p))),
        Metric("mae", "minimize", REGRESSION, skm.mean_absolute_error),
        Metric("r2", "maximize", REGRESSION, skm.r2_score),
    )
}


def get_metric(name: str) -> Metric:
    """Look a metric up by name, with the valid names in the error."""
    try:
        return METRICS[name]
    except KeyError:
        raise TaskError(
            f"unknown metric {name!r}; choose one of: {', '.join(sorted(METRICS))}"
        ) from None


def default_metric(task_type: str) -> str:
    """The metric used when the user names none."""
    return {"binary": "roc_auc", "multiclass": "log_loss"}.get(task_type, "rmse")

"""The FLAML side of the benchmark: the rows graftml searches on, scored by graftml's metrics."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from graftml.data import METRICS

if TYPE_CHECKING:
    from graftml.data import TaskData

SAME_NAME = ("accuracy", "log_loss", "rmse", "mae", "r2")
BY_TASK_TYPE = {
    ("roc_auc", "binary"): "roc_auc",
    ("roc_auc", "multiclass"): "roc_auc_ovr",
    ("f1", "binary"): "f1",
    ("f1", "multiclass"): "macro_f1",  # graftml's f1 on several classes is the macro average
}


@dataclass(frozen=True)
class FlamlOutcome:
    """One FLAML fit: its hold-out score (graftml's metric) and the wall time of ``fit()``."""

    test_score: float
    wall_s: float
    best_estimator: str
    best_config: dict[str, Any] = field(default_factory=dict)


def flaml_metric(metric: str, task_type: str) -> str:
    """FLAML's name for graftml's ``metric`` on a ``task_type`` task."""
    if metric in SAME_NAME:
        return metric
    try:
        return BY_TASK_TYPE[(metric, task_type)]
    except KeyError:
        supported = sorted({*SAME_NAME, *(m for m, _ in BY_TASK_TYPE)})
        raise ValueError(
            f"no FLAML metric for {metric!r} on a {task_type} task; use one of {supported}"
        ) from None


def align_proba(proba: np.ndarray, model_classes: np.ndarray, n_classes: int) -> np.ndarray:
    """Reorder probability columns so that column ``k`` is class ``k`` for ``k < n_classes``.

    A class the model never saw gets probability 0; a 1-D binary output is the positive class.
    """
    proba = np.asarray(proba, dtype=float)
    if proba.ndim == 1:
        proba = np.column_stack([1.0 - proba, proba])
    aligned = np.zeros((proba.shape[0], n_classes))
    for column, label in enumerate(np.asarray(model_classes).astype(np.int64)):
        aligned[:, label] = proba[:, column]
    return aligned


def search_rows(td: TaskData) -> tuple[pd.DataFrame, np.ndarray]:
    """Train + valid: the rows graftml searches on (the hold-out stays unseen)."""
    X = pd.concat([td.X_train, td.X_valid], ignore_index=True)
    return X, np.concatenate([td.y_train, td.y_valid])


def run_flaml(td: TaskData, *, budget_s: float, seed: int, n_jobs: int,
              estimators: list[str] | str = "auto") -> FlamlOutcome:
    """Fit FLAML under ``budget_s`` on train+valid and score its test predictions.

    ``estimators`` is FLAML's ``estimator_list``: its default portfolio (``"auto"``: lgbm, rf,
    xgboost, extra trees, catboost, linear models) unless a test needs a narrower, faster one.
    """
    from flaml.automl.automl import AutoML

    X, y = search_rows(td)
    automl: Any = AutoML()  # type: ignore[no-untyped-call]
    settings: dict[str, Any] = {
        "task": "regression" if td.task_type == "regression" else "classification",
        "metric": flaml_metric(td.metric, td.task_type),
        "time_budget": budget_s, "n_jobs": n_jobs, "seed": seed,
        "estimator_list": estimators, "verbose": 0, "log_file_name": "",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecations and unseen-category notes
        started = time.perf_counter()
        automl.fit(X, y, **settings)  # includes FLAML's final retrain on all rows
        wall_s = time.perf_counter() - started
        pred = _predict(automl, td)
    return FlamlOutcome(
        test_score=METRICS[td.metric](td.y_test, pred), wall_s=wall_s,
        best_estimator=str(automl.best_estimator), best_config=dict(automl.best_config or {}),
    )


def _predict(automl: Any, td: TaskData) -> np.ndarray:
    if td.task_type == "regression":
        return np.asarray(automl.predict(td.X_test), dtype=float)
    return align_proba(automl.predict_proba(td.X_test), automl.classes_, td.n_classes)

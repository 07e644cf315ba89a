"""The FLAML side of the benchmark: ``AutoML().fit`` on the full ``train.csv``, in this process.

FLAML gets the very table the other systems get, read with pandas as a user would (string
columns stay strings; FLAML makes them categorical itself), with the raw labels. Its wall time
runs from reading ``train.csv`` to having the test predictions, so it pays for the same work as
the subprocess-run systems, except the Python start-up and the imports.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from benchmarks._split import Split, prediction_frame

SAME_NAME = ("accuracy", "log_loss", "rmse", "mae", "r2")
BY_TASK_TYPE = {
    ("roc_auc", "binary"): "roc_auc",
    ("roc_auc", "multiclass"): "roc_auc_ovr",
    ("f1", "binary"): "f1",
    ("f1", "multiclass"): "macro_f1",  # graftml's f1 on several classes is the macro average
}


@dataclass(frozen=True)
class FlamlOutcome:
    """One FLAML fit: its test predictions (``predictions.csv`` format) and its wall time."""

    predictions: pd.DataFrame
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


def align_proba(proba: np.ndarray, model_classes: list[str], classes: list[str]) -> np.ndarray:
    """Reorder probability columns so that column ``k`` is ``classes[k]``.

    A class the model never saw gets probability 0; a 1-D binary output is the positive class
    (``model_classes[1]``).
    """
    proba = np.asarray(proba, dtype=float)
    if proba.ndim == 1:
        proba = np.column_stack([1.0 - proba, proba])
    aligned = np.zeros((proba.shape[0], len(classes)))
    for column, label in enumerate(model_classes):
        aligned[:, classes.index(label)] = proba[:, column]
    return aligned


def run_flaml(split: Split, *, budget_s: float, seed: int, n_jobs: int,
              estimators: list[str] | str = "auto") -> FlamlOutcome:
    """Fit FLAML under ``budget_s`` on ``train.csv`` and predict ``test.csv``.

    ``estimators`` is FLAML's ``estimator_list``: its default portfolio (``"auto"``: lgbm, rf,
    xgboost, extra trees, catboost, linear models) unless a test needs a narrower, faster one.
    """
    from flaml.automl.automl import AutoML

    automl: Any = AutoML()  # type: ignore[no-untyped-call]
    settings: dict[str, Any] = {
        "task": "regression" if split.task_type == "regression" else "classification",
        "metric": flaml_metric(split.metric, split.task_type),
        "time_budget": budget_s, "n_jobs": n_jobs, "seed": seed,
        "estimator_list": estimators, "verbose": 0, "log_file_name": "",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecations and unseen-category notes
        started = time.perf_counter()
        train = pd.read_csv(split.train_csv)
        X_test = pd.read_csv(split.test_csv)
        y = train.pop(split.target)
        automl.fit(train, y, **settings)  # includes FLAML's final retrain on all rows
        predictions = _predict(automl, split, X_test)
        wall_s = time.perf_counter() - started
    return FlamlOutcome(predictions=predictions, wall_s=wall_s,
                        best_estimator=str(automl.best_estimator),
                        best_config=dict(automl.best_config or {}))


def _predict(automl: Any, split: Split, X_test: pd.DataFrame) -> pd.DataFrame:
    if split.task_type == "regression":
        return prediction_frame(split, np.asarray(automl.predict(X_test), dtype=float), None, [])
    labels = np.asarray(automl.predict(X_test))
    model_classes = [str(c) for c in automl.classes_]
    proba = align_proba(automl.predict_proba(X_test), model_classes, split.classes)
    return prediction_frame(split, labels, proba, split.classes)

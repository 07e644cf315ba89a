"""A graftml ensemble: fit every member pipeline, then blend their predictions with ``BLENDER``.

This file is the template of every merged candidate: graftml renders it with the members' source
(each runs in a namespace of its own) and the blender fitted on validation predictions.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

# Idle OpenMP threads spin by default: on a busy 2-core machine LightGBM, XGBoost and
# HistGradientBoosting at 2 threads ran 20-50x slower than at 1. Sleeping threads avoid it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

MEMBERS: list[str] = []  # graftml:members
BLENDER: dict[str, Any] = {"method": "caruana", "weights": []}  # graftml:blender


def fit_predict(train: pd.DataFrame, target: str, predict: dict[str, pd.DataFrame],
                info: dict[str, Any]) -> dict[str, np.ndarray]:
    """Fit every member on ``train`` and blend their predictions of each table."""
    outputs = [run_member(code, i, train, target, predict, info) for i, code in enumerate(MEMBERS)]
    return {name: blend([out[name] for out in outputs], BLENDER) for name in predict}


def run_member(code: str, index: int, train: pd.DataFrame, target: str,
               predict: dict[str, pd.DataFrame], info: dict[str, Any]) -> dict[str, np.ndarray]:
    """Run one member module's ``fit_predict`` on copies (a member may modify its inputs)."""
    namespace: dict[str, Any] = {"__name__": f"graftml_member_{index}"}
    exec(compile(code, f"<member {index}>", "exec"), namespace)
    tables = {name: frame.copy() for name, frame in predict.items()}
    result: dict[str, np.ndarray] = namespace["fit_predict"](train.copy(), target, tables, info)
    return result


def stack_features(predictions: list[np.ndarray], task_type: str) -> np.ndarray:
    """Meta-model inputs: member log-odds (binary), log-probabilities, or raw values."""
    if task_type == "regression":
        return np.column_stack([np.asarray(p, dtype=float) for p in predictions])
    logs = [np.log(np.clip(np.asarray(p, dtype=float), 1e-6, 1.0)) for p in predictions]
    if task_type == "binary":
        return np.column_stack([lp[:, 1] - lp[:, 0] for lp in logs])
    return np.hstack(logs)


def blend(predictions: list[np.ndarray], blender: dict[str, Any]) -> np.ndarray:
    """Combine member predictions: a weighted mean (caruana) or a linear meta-model (stack)."""
    if blender["method"] == "caruana":
        weights = np.asarray(blender["weights"], dtype=float)
        stacked = np.stack([np.asarray(p, dtype=float) for p in predictions])
        return np.tensordot(weights / weights.sum(), stacked, axes=1)
    features = stack_features(predictions, blender["task_type"])
    coef = np.asarray(blender["coef"], dtype=float)
    scores = features @ coef.T + np.asarray(blender["intercept"], dtype=float)
    if blender["task_type"] == "regression":
        return np.asarray(scores[:, 0])
    scores -= scores.max(axis=1, keepdims=True)  # softmax, stable
    odds = np.exp(scores)
    return np.asarray(odds / odds.sum(axis=1, keepdims=True))

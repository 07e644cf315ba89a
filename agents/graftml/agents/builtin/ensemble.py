"""The merge operator: an ensemble of finished nodes, fitted on their validation predictions.

Blend weights fitted and scored on the same validation rows would flatter the ensemble, so the
candidate's "valid" prediction is cross-fitted: the rows are split in two seeded halves, each
half is predicted by a blender fitted on the other. The blender fitted on all rows then blends
every other split and is baked into the exported module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from graftml.agents.builtin.ensemble_template import blend, stack_features
from graftml.data.fast_metrics import fast_metric
from graftml.data.metrics import Metric
from graftml.operators import OperatorContext

METHODS = ("caruana", "stack")
Score = Callable[[np.ndarray, np.ndarray], float]


def oriented_score(metric: Metric, task_type: str) -> Score:
    """The metric (its fast NumPy version), higher-is-better; negative log loss where a half
    lacks a class for it."""
    fn = fast_metric(metric)

    def score(y: np.ndarray, pred: np.ndarray) -> float:
        try:
            return metric.oriented(fn(y, pred))
        except ValueError:
            proba = np.clip(pred[np.arange(len(y)), y.astype(int)], 1e-15, 1.0)
            return float(np.mean(np.log(proba)))
    return score


def caruana_weights(preds: list[np.ndarray], y: np.ndarray, score: Score,
                    rounds: int = 25) -> np.ndarray:
    """Greedy ensemble selection with replacement; the weights of the best round seen."""
    counts, total = np.zeros(len(preds)), np.zeros_like(preds[0], dtype=float)
    best_counts, best = counts, -np.inf
    for step in range(1, rounds + 1):
        scores = [score(y, (total + p) / step) for p in preds]
        pick = int(np.argmax(scores))  # ties go to the earlier (stronger-listed) member
        counts, total = counts.copy(), total + preds[pick]
        counts[pick] += 1
        if scores[pick] > best:
            best_counts, best = counts, scores[pick]
    weights: np.ndarray = best_counts / best_counts.sum()
    return weights


def fit_blender(method: str, preds: list[np.ndarray], y: np.ndarray, task_type: str,
                n_classes: int, score: Score) -> dict[str, Any]:
    """A JSON-able blender for :func:`~.ensemble_template.blend`."""
    if method == "caruana":
        weights = caruana_weights(preds, y, score)
        return {"method": "caruana", "weights": [round(float(w), 6) for w in weights]}
    features = stack_features(preds, task_type)
    coef, intercept = _fit_meta(features, y, task_type, n_classes)
    return {"method": "stack", "task_type": task_type, "coef": coef.round(8).tolist(),
            "intercept": intercept.round(8).tolist()}


def _fit_meta(features: np.ndarray, y: np.ndarray, task_type: str,
              n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Ridge, or a logistic model written as a softmax over all classes (absent ones ~0)."""
    from sklearn.linear_model import LogisticRegression, Ridge

    if task_type == "regression":
        ridge = Ridge(alpha=1.0).fit(features, y)
        return ridge.coef_.reshape(1, -1), np.atleast_1d(ridge.intercept_)
    present = np.unique(y)
    if len(present) < 2:
        raise ValueError("stacking needs at least two classes in the validation labels")
    model = LogisticRegression(C=1.0, max_iter=2000).fit(features, y)
    coef, intercept = np.zeros((n_classes, features.shape[1])), np.full(n_classes, -30.0)
    if model.coef_.shape[0] == 1:  # binary: the softmax of (0, z) is the sigmoid of z
        coef[present[1]], intercept[present[0]], intercept[present[1]] = (
            model.coef_[0], 0.0, model.intercept_[0])
    else:
        coef[present], intercept[present] = model.coef_, model.intercept_
    return coef, intercept


def halves(y: np.ndarray, classify: bool, seed: int) -> np.ndarray:
    """A seeded 0/1 half label per row, stratified by class for classification."""
    rng = np.random.default_rng(seed)
    half = np.zeros(len(y), dtype=int)
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if classify else [np.arange(len(y))]
    offset = 0
    for rows in groups:
        shuffled = rng.permutation(rows)
        half[shuffled[offset % 2::2]] = 1  # alternate which half gets a group's odd row
        offset += len(rows)
    return half


def cross_fit(method: str, preds: list[np.ndarray], y: np.ndarray, ctx: OperatorContext,
              seed: int) -> np.ndarray:
    """Out-of-half blended validation predictions (each half blended by the other's fit)."""
    score = oriented_score(ctx.metric, ctx.task_type)
    half = halves(y, ctx.task_type != "regression", seed)
    out = np.zeros_like(preds[0], dtype=float)
    for fit_half in (0, 1):
        fit_rows, blend_rows = half == fit_half, half != fit_half
        blender = fit_blender(method, [p[fit_rows] for p in preds], y[fit_rows], ctx.task_type,
                              ctx.n_classes, score)
        out[blend_rows] = blend([p[blend_rows] for p in preds], blender)
    return out

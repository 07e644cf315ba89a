"""Scoring a finished job: load its predictions, check their shape, compute the metric."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from graftml.data.metrics import Metric


class BadPredictions(ValueError):
    """The candidate wrote predictions graftml cannot score."""


def expected_shape(n_rows: int, n_classes: int) -> tuple[int, ...]:
    return (n_rows, n_classes) if n_classes else (n_rows,)


def load_predictions(workdir: Path, splits: list[str], sizes: dict[str, int],
                     n_classes: int) -> dict[str, np.ndarray]:
    """Read ``pred_<split>.npy`` for every split; raise :class:`BadPredictions` if unusable."""
    out: dict[str, np.ndarray] = {}
    for split in splits:
        path = workdir / f"pred_{split}.npy"
        if not path.exists():
            raise BadPredictions(f"no predictions for split {split!r} (pred_{split}.npy missing)")
        pred = np.load(path)
        if n_classes == 0 and pred.ndim == 2 and pred.shape[1] == 1:
            pred = pred[:, 0]
        want = expected_shape(sizes[split], n_classes)
        if pred.shape != want:
            raise BadPredictions(f"predictions for {split!r} have shape {pred.shape}, "
                                 f"expected {want}")
        if not np.all(np.isfinite(pred)):
            raise BadPredictions(f"predictions for {split!r} contain NaN or inf")
        out[split] = pred
    return out


def score(metric: Metric, y_true: np.ndarray, pred: np.ndarray) -> float:
    """The metric value; raises :class:`BadPredictions` if the metric cannot be computed."""
    try:
        value = metric(y_true, pred)
    except ValueError as exc:
        raise BadPredictions(f"{metric.name} failed on these predictions: {exc}") from None
    if not np.isfinite(value):
        raise BadPredictions(f"{metric.name} is not finite on these predictions")
    return value


def fold_spread(metric: Metric, y_true: np.ndarray, pred: np.ndarray,
                folds: np.ndarray) -> float | None:
    """Standard deviation of the metric over the folds of out-of-fold predictions (``folds``:
    one fold id per row); ``None`` with fewer than two folds the metric can score."""
    values = []
    for fold in np.unique(folds):
        rows = folds == fold
        try:
            values.append(score(metric, y_true[rows], pred[rows]))
        except BadPredictions:  # e.g. one class only in a small fold
            continue
    return float(np.std(values)) if len(values) >= 2 else None

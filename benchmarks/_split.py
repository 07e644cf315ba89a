"""One (dataset, seed): the seeded split, the CSV files every system gets, and their scoring.

The labelled table is round-tripped through CSV once, so the labels kept here for scoring are
exactly the values every system reads back from ``train.csv`` (``"Yes"``, ``3``, ``True``...).
``test.csv`` has no target column. Each system returns a prediction table in graftml's
``best/predictions.csv`` format: the target column (the predicted label, or the value for
regression) and, for classification, one ``proba_<class>`` column per class. Probability metrics
(roc_auc, log_loss) score the ``proba_`` columns, in the class order fixed here; label metrics
(accuracy, balanced_accuracy, f1) score the predicted labels, which is what each system's own
``predict`` returns (graftml's and AutoGluon's labels include a decision threshold fitted on
validation for F1; their ``proba_`` columns do not).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from benchmarks.datasets import BenchDataset
from graftml.data.metrics import get_metric

TEST_SIZE = 0.2
LABEL_METRICS = ("accuracy", "balanced_accuracy", "f1")
PROBA_PREFIX = "proba_"


@dataclass(frozen=True)
class Split:
    """The files of one (dataset, seed) and the truth they are scored against."""

    dataset: BenchDataset
    seed: int
    task_type: str  # binary | multiclass | regression
    folder: Path
    train_csv: Path
    test_csv: Path
    n_train: int
    n_features: int
    y_test: np.ndarray  # class index (position in ``classes``) or the value, per test row
    classes: list[str] = field(default_factory=list)  # sorted labels as strings; [] regression

    @property
    def target(self) -> str:
        return self.dataset.target

    @property
    def metric(self) -> str:
        return self.dataset.metric


def csv_round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a reader of its CSV file sees it (dtypes inferred from the text)."""
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)))


def task_type_of(y: pd.Series, metric: str) -> str:
    """``regression`` for a regression metric, else ``binary`` or ``multiclass`` by classes."""
    if "regression" in get_metric(metric).task_types:
        return "regression"
    return "binary" if y.nunique() == 2 else "multiclass"


def make_split(dataset: BenchDataset, frame: pd.DataFrame, seed: int, folder: Path) -> Split:
    """Split ``frame`` 80/20 (seeded; stratified for classification); write the two CSVs."""
    frame = csv_round_trip(frame)
    y = frame[dataset.target]
    task_type = task_type_of(y, dataset.metric)
    stratify = None if task_type == "regression" else y
    train, test = train_test_split(frame, test_size=TEST_SIZE, random_state=seed,
                                   stratify=stratify)
    folder.mkdir(parents=True, exist_ok=True)
    train_csv, test_csv = folder / "train.csv", folder / "test.csv"
    train.to_csv(train_csv, index=False)
    test.drop(columns=[dataset.target]).to_csv(test_csv, index=False)
    classes: list[str] = []
    if task_type == "regression":
        y_test = test[dataset.target].to_numpy(dtype=float)
    else:
        classes = [str(c) for c in sorted(train[dataset.target].unique())]
        y_test = np.array([classes.index(str(v)) for v in test[dataset.target]], dtype=np.int64)
    return Split(dataset=dataset, seed=seed, task_type=task_type, folder=folder,
                 train_csv=train_csv, test_csv=test_csv, n_train=len(train),
                 n_features=frame.shape[1] - 1, y_test=y_test, classes=classes)


def prediction_matrix(split: Split, predictions: pd.DataFrame) -> np.ndarray:
    """What graftml's metric functions take: values ``(n,)`` or class scores ``(n, k)``.

    For a label metric the matrix is the one-hot encoding of the predicted labels; otherwise it
    is the ``proba_<class>`` columns in ``split.classes`` order (a class a system never
    predicts gets 0).
    """
    if len(predictions) != len(split.y_test):
        raise ValueError(f"{len(predictions)} predictions for {len(split.y_test)} test rows")
    if split.task_type == "regression":
        return predictions[split.target].to_numpy(dtype=float)
    if split.metric in LABEL_METRICS:
        labels = predictions[split.target].astype(str)
        unknown = sorted(set(labels) - set(split.classes))
        if unknown:
            raise ValueError(f"predicted labels {unknown[:5]} are not classes {split.classes}")
        onehot = np.zeros((len(labels), len(split.classes)))
        onehot[np.arange(len(labels)), [split.classes.index(v) for v in labels]] = 1.0
        return onehot
    columns = [f"{PROBA_PREFIX}{c}" for c in split.classes]
    present = [c for c in predictions.columns if str(c).startswith(PROBA_PREFIX)]
    if not present:
        raise ValueError(f"no {PROBA_PREFIX}<class> columns in {list(predictions.columns)[:8]}")
    return predictions.reindex(columns=columns, fill_value=0.0).to_numpy(dtype=float)


def score_predictions(split: Split, predictions: pd.DataFrame) -> float:
    """The test score of ``predictions`` with graftml's own metric function."""
    return get_metric(split.metric)(split.y_test, prediction_matrix(split, predictions))


def prediction_frame(split: Split, labels: np.ndarray, proba: np.ndarray | None,
                     proba_classes: list[str]) -> pd.DataFrame:
    """A table in ``predictions.csv`` format from a model's labels (or values) and proba."""
    frame = pd.DataFrame({split.target: labels})
    if proba is not None:
        for k, name in enumerate(proba_classes):
            frame[f"{PROBA_PREFIX}{name}"] = proba[:, k]
    return frame


@dataclass(frozen=True)
class Outcome:
    """What one system returned for one split: its predictions (``None`` on failure)."""

    predictions: pd.DataFrame | None
    wall_s: float
    detail: dict[str, Any] = field(default_factory=dict)
    error: str = ""

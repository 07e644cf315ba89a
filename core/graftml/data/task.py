"""A task (table + target + metric + direction + seed + splits) and its seeded splits.

:class:`Task` is the one input type of an AutoML run: the ``task`` section of a run config, and
what ``graftml.run`` takes (with the budget as a keyword).

The data is split once: an optional hold-out (``holdout`` of the rows, scored exactly once after
the final pick, for an honest report) and the search rows, every one of which the search fits on
and scores through folds (see :mod:`graftml.data.folds`). Targets of classification tasks are
encoded as ``0..n_classes-1``; ``classes`` maps them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sklearn.model_selection import train_test_split

from graftml.data.folds import assign_folds, auto_folds
from graftml.data.load import load_table
from graftml.data.metrics import default_metric, get_metric
from graftml.errors import TaskError

MAX_CLASSES = 50
DEFAULT_HOLDOUT = 0.1


class Task(BaseModel):
    """What the user asks for. ``direction`` is checked against the metric, never guessed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: str  # a CSV/Parquet path or a built-in dataset name
    target: str
    metric: str | None = None  # default by task type
    direction: Literal["maximize", "minimize"] | None = None
    seed: int = 0
    # rows held out for an honest final score; default 0.1, or 0 when test_data is given (every
    # labelled row then goes into the final model)
    holdout: float | None = Field(None, ge=0, le=0.5)
    folds: int | None = Field(None, ge=1, le=20)  # default: by rows (8, 5, 3; 1 = hold-out)
    valid_size: float = Field(0.2, ge=0.05, le=0.5)  # validation share when folds is 1
    description: str = ""  # what the data is, for LLM operators
    test_data: str | None = None  # a user table to predict after the final pick

    @property
    def holdout_share(self) -> float:
        """The hold-out share in force (the default depends on ``test_data``)."""
        if self.holdout is not None:
            return self.holdout
        return 0.0 if self.test_data else DEFAULT_HOLDOUT


@dataclass
class TaskData:
    """The resolved task: its type, metric, the search rows with their folds, and the hold-out.

    ``folds`` holds one fold id per search row (see :mod:`graftml.data.folds`); ``X_test`` and
    ``y_test`` (the hold-out) have no rows when the task's ``holdout`` is 0.
    """

    task: Task
    task_type: str  # binary | multiclass | regression
    metric: str
    direction: str
    classes: list[object]
    X: pd.DataFrame
    y: np.ndarray
    folds: np.ndarray
    X_test: pd.DataFrame
    y_test: np.ndarray

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def n_folds(self) -> int:
        """Folds of the search rows; 1 is a single train/validation split."""
        return int(self.folds.max()) + 1


def infer_task_type(y: pd.Series, metric: str | None) -> str:
    """Classification when the metric says so or the target looks categorical."""
    wants_classification = metric is not None and "regression" not in get_metric(metric).task_types
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    n_unique = y.nunique()
    if metric is not None and not wants_classification:
        if not numeric:
            raise TaskError(f"metric {metric!r} needs a numeric target; {y.name!r} is {y.dtype}")
        return "regression"
    integral = numeric and bool(np.all(np.mod(y.dropna().to_numpy(dtype=float), 1) == 0))
    categorical = not numeric or (integral and n_unique <= MAX_CLASSES)
    if wants_classification and not categorical:
        raise TaskError(
            f"metric {metric!r} needs a class target; {y.name!r} has {n_unique} numeric values: "
            "use rmse, mae or r2"
        )
    if not categorical:
        return "regression"
    if n_unique < 2:
        raise TaskError(
            f"target {y.name!r} has only {n_unique} class; a task needs at least two classes"
        )
    return "binary" if n_unique == 2 else "multiclass"


def _check_target(frame: pd.DataFrame, task: Task) -> pd.DataFrame:
    if task.target not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:12]))
        raise TaskError(
            f"target column {task.target!r} not in the data; columns are: {cols}"
            f"{' ...' if frame.shape[1] > 12 else ''}"
        )
    if frame.shape[1] < 2:
        raise TaskError(f"the table has only the target column {task.target!r}; "
                        "a task needs at least one feature column")
    frame = frame[frame[task.target].notna()]
    if len(frame) < 20:
        raise TaskError(f"only {len(frame)} labelled rows; a task needs at least 20")
    return frame


def resolve_metric(task: Task, task_type: str) -> tuple[str, str]:
    """Validate the metric/direction pair against the task type."""
    metric = get_metric(task.metric or default_metric(task_type))
    if task_type not in metric.task_types:
        kind = "regression" if task_type == "regression" else "classification"
        raise TaskError(f"metric {metric.name!r} does not apply to a {kind} target")
    if task.direction not in (None, metric.direction):
        raise TaskError(
            f"metric {metric.name!r} is to be {metric.direction}d, not {task.direction}d; "
            f"drop 'direction' or set it to {metric.direction!r}"
        )
    return metric.name, metric.direction


def prepare(task: Task, frame: pd.DataFrame | None = None) -> TaskData:
    """Load (unless ``frame`` is given), validate and split the task's data."""
    frame = _check_target(load_table(task.data) if frame is None else frame, task)
    y_raw = frame[task.target]
    task_type = infer_task_type(y_raw, task.metric)
    metric, direction = resolve_metric(task, task_type)
    X = frame.drop(columns=[task.target])
    if task_type == "regression":
        classes: list[object] = []
        y = y_raw.to_numpy(dtype=float)
    else:
        codes, uniques = pd.factorize(y_raw, sort=True)
        classes, y = list(uniques), codes.astype(np.int64)
    classify = task_type != "regression"
    X_search, X_test, y_search, y_test = _hold_out(X, y, task.holdout_share, task.seed, classify)
    k = task.folds or auto_folds(len(y_search))
    folds = assign_folds(y_search, k, classify, task.seed, task.valid_size)
    return TaskData(task, task_type, metric, direction, classes,
                    X_search.reset_index(drop=True), y_search, folds,
                    X_test.reset_index(drop=True), y_test)


def _hold_out(X: pd.DataFrame, y: np.ndarray, fraction: float, seed: int, classify: bool
              ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """(search rows, hold-out rows, their labels); no hold-out rows for ``fraction`` 0."""
    if fraction == 0:
        return X, X.iloc[:0], y, y[:0]
    X_search, X_test, y_search, y_test = train_test_split(
        X, y, test_size=fraction, random_state=seed, stratify=y if classify else None)
    return X_search, X_test, y_search, y_test

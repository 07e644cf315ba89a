"""The run folder (``runs/<run-id>/``): its paths, the data files jobs read, saved predictions.

Jobs read the search table (``train``, with encoded target), its fold ids (``folds.npy``) and the
feature tables they predict; the hold-out and user labels stay in ``data/labels.npz`` with mode
0600, so a sandboxed job running as another user cannot read them. ``labels.npz`` also keeps the
labels of the scored ("valid") rows in the order of their out-of-fold predictions.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from graftml.data.folds import subsample_train_rows
from graftml.data.task import TaskData


@dataclass(frozen=True)
class RunPaths:
    """Every path of a run folder."""

    root: Path

    def __post_init__(self) -> None:
        for sub in ("data", "nodes", "best"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    @property
    def config(self) -> Path:
        return self.root / "run.yaml"

    @property
    def journal(self) -> Path:
        return self.root / "journal.jsonl"

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.jsonl"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def best(self) -> Path:
        return self.root / "best"

    def node_dir(self, node_id: str, stage: str = "") -> Path:
        base = self.root / "nodes" / node_id
        return base / stage if stage else base

    def data_file(self, name: str) -> Path:
        return self.data / f"{name}.parquet"

    def folds_file(self, cheap: bool = False) -> Path:
        """Fold ids of the search rows (``cheap``: with rows a cheap first fit leaves out)."""
        return self.data / ("folds_sub.npy" if cheap else "folds.npy")


@dataclass(frozen=True)
class RunMeta:
    """What a resumed run needs to know about its task, without re-reading the source data."""

    task_type: str
    metric: str
    direction: str
    target: str
    classes: list[Any]
    feature_types: dict[str, str]
    n_train: int  # search rows
    splits: list[str]  # prediction sets every job produces: valid (out-of-fold), test, user_test
    cheap_eval: bool  # a node first runs a cheap fit (one fold, or a subsample) and may be pruned
    seed: int
    n_folds: int  # 1: a single train/validation split, whose pick is refit on every search row

    @property
    def bagged(self) -> bool:
        """Candidates are fit per fold and predict as the mean of their fold models."""
        return self.n_folds >= 2

    @property
    def prediction_sets(self) -> list[str]:
        """The tables a job predicts besides its held-out fold rows."""
        return [s for s in self.splits if s != "valid"]

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def info(self, threads: int, fidelity: float = 1.0) -> dict[str, Any]:
        """The ``info`` dict passed to a candidate's fit_predict."""
        return {"task_type": self.task_type, "n_classes": self.n_classes, "seed": self.seed,
                "threads": threads, "fidelity": fidelity}


def job_spec(paths: RunPaths, meta: RunMeta, threads: int, fold_ids: list[int] | None,
             cheap: bool = False, fidelity: float = 1.0) -> dict[str, Any]:
    """The ``job.json`` of a fit: one per fold of ``fold_ids``, or one on every search row
    (``None``: a refit). ``cheap`` uses the fold ids that leave rows out of a cheap fit."""
    spec: dict[str, Any] = {
        "train": str(paths.data_file("train")), "target": meta.target,
        "predict": {s: str(paths.data_file(s)) for s in meta.prediction_sets},
        "info": meta.info(threads, fidelity)}
    if fold_ids is not None:
        spec["folds"] = str(paths.folds_file(cheap and not meta.bagged))
        spec["fold_ids"] = list(fold_ids)
    return spec


def feature_types(frame: pd.DataFrame) -> dict[str, str]:
    """Column -> numeric | categorical | datetime."""
    kinds: dict[str, str] = {}
    for col in frame.columns:
        dtype = frame[col].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            kinds[str(col)] = "datetime"
        elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            kinds[str(col)] = "numeric"
        else:
            kinds[str(col)] = "categorical"
    return kinds


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """String column names and parquet-safe dtypes (mixed object columns become strings)."""
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].astype("string")
    return frame


def materialize(paths: RunPaths, td: TaskData, user_test: pd.DataFrame | None,
                cheap_fraction: float | None) -> RunMeta:
    """Write the data files of a new run and return its metadata.

    ``cheap_fraction`` turns on cheap first fits: one fold when bagging, else a subsample of
    that share of the train rows.
    """
    target = td.task.target
    train = _clean(td.X)
    train[target] = td.y
    train.to_parquet(paths.data_file("train"))
    np.save(paths.folds_file(), td.folds)
    classify = td.task_type != "regression"
    if cheap_fraction is not None and td.n_folds == 1:
        np.save(paths.folds_file(cheap=True), subsample_train_rows(
            td.folds, td.y, cheap_fraction, td.task.seed, classify))
    splits = ["valid"]
    if len(td.X_test):
        _clean(td.X_test).to_parquet(paths.data_file("test"))
        splits.append("test")
    if user_test is not None:
        _clean(user_test).to_parquet(paths.data_file("user_test"))
        splits.append("user_test")
    labels = paths.data / "labels.npz"
    np.savez(labels, valid=td.y[td.folds >= 0], test=td.y_test)
    os.chmod(labels, 0o600)
    meta = RunMeta(td.task_type, td.metric, td.direction, target,
                   [_jsonable(c) for c in td.classes], feature_types(td.X), len(train),
                   splits, cheap_fraction is not None, td.task.seed, td.n_folds)
    (paths.data / "meta.json").write_text(json.dumps(meta.__dict__, indent=1))
    return meta


def _jsonable(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def load_meta(paths: RunPaths) -> RunMeta:
    return RunMeta(**json.loads((paths.data / "meta.json").read_text()))


def load_labels(paths: RunPaths) -> dict[str, np.ndarray]:
    with np.load(paths.data / "labels.npz") as npz:
        return {k: npz[k] for k in npz.files}


class FilePredictionStore:
    """Predictions saved as ``nodes/<id>/pred_<split>.npy``."""

    def __init__(self, paths: RunPaths) -> None:
        self._paths = paths

    def load(self, node_id: str, split: str) -> np.ndarray | None:
        path = self._paths.node_dir(node_id) / f"pred_{split}.npy"
        return np.load(path) if path.exists() else None

    def save(self, node_id: str, predictions: dict[str, np.ndarray]) -> None:
        folder = self._paths.node_dir(node_id)
        folder.mkdir(parents=True, exist_ok=True)
        for split, values in predictions.items():
            np.save(folder / f"pred_{split}.npy", np.asarray(values, dtype=float))

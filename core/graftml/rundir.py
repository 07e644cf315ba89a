"""The run folder (``runs/<run-id>/``): its paths, the data files jobs read, saved predictions.

Jobs read feature tables and the training table (with encoded target); validation, test and user
labels stay in ``data/labels.npz`` with mode 0600, so a sandboxed job running as another user
cannot read them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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


@dataclass(frozen=True)
class RunMeta:
    """What a resumed run needs to know about its task, without re-reading the source data."""

    task_type: str
    metric: str
    direction: str
    target: str
    classes: list[Any]
    feature_types: dict[str, str]
    n_train: int
    splits: list[str]  # prediction sets every job produces: valid, test, maybe user_test
    has_subsample: bool
    seed: int

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def info(self, threads: int, fidelity: float = 1.0) -> dict[str, Any]:
        """The ``info`` dict passed to a candidate's fit_predict."""
        return {"task_type": self.task_type, "n_classes": self.n_classes, "seed": self.seed,
                "threads": threads, "fidelity": fidelity}


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


def _subsample(train: pd.DataFrame, target: str, fraction: float, seed: int,
               classify: bool) -> pd.DataFrame:
    if not classify:
        return train.sample(frac=fraction, random_state=seed)
    # at least two rows of every class so every class appears in a subsample fit
    parts = [g.sample(n=max(2, round(len(g) * fraction)), random_state=seed, replace=len(g) < 2)
             for _, g in train.groupby(target, sort=True)]
    return pd.concat(parts).sample(frac=1.0, random_state=seed)


def materialize(paths: RunPaths, td: TaskData, user_test: pd.DataFrame | None,
                subsample_fraction: float | None) -> RunMeta:
    """Write the data files of a new run and return its metadata."""
    target = td.task.target
    train = _clean(td.X_train)
    train[target] = td.y_train
    train.to_parquet(paths.data_file("train"))
    full = pd.concat([train, _clean(td.X_valid).assign(**{target: td.y_valid})],
                     ignore_index=True)
    full.to_parquet(paths.data_file("train_full"))
    classify = td.task_type != "regression"
    if subsample_fraction is not None:
        _subsample(train, target, subsample_fraction, td.task.seed, classify).to_parquet(
            paths.data_file("train_sub"))
    _clean(td.X_valid).to_parquet(paths.data_file("valid"))
    _clean(td.X_test).to_parquet(paths.data_file("test"))
    splits = ["valid", "test"]
    if user_test is not None:
        _clean(user_test).to_parquet(paths.data_file("user_test"))
        splits.append("user_test")
    labels = paths.data / "labels.npz"
    np.savez(labels, valid=td.y_valid, test=td.y_test)
    os.chmod(labels, 0o600)
    meta = RunMeta(td.task_type, td.metric, td.direction, target,
                   [_jsonable(c) for c in td.classes], feature_types(td.X_train), len(train),
                   splits, subsample_fraction is not None, td.task.seed)
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

"""Fakes and data for the built-in operator tests: a context builder, an in-memory store, tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets

from graftml.data.metrics import get_metric
from graftml.operators import OperatorContext
from graftml.types import Node, NodeStatus

TARGET = "y"


class MemoryPredictionStore:
    """A :class:`~graftml.operators.PredictionStore` held in a dict."""

    def __init__(self) -> None:
        self._saved: dict[tuple[str, str], np.ndarray] = {}

    def save(self, node_id: str, predictions: dict[str, np.ndarray]) -> None:
        for split, values in predictions.items():
            self._saved[node_id, split] = np.asarray(values, dtype=float)

    def load(self, node_id: str, split: str) -> np.ndarray | None:
        return self._saved.get((node_id, split))


@dataclass
class Table:
    """A task split three ways: ``train`` holds the encoded target column ``y``."""

    name: str
    task_type: str
    n_classes: int
    metric: str
    train: pd.DataFrame
    predict: dict[str, pd.DataFrame]
    labels: dict[str, np.ndarray] = field(default_factory=dict)

    def info(self, seed: int = 0) -> dict[str, Any]:
        return {"task_type": self.task_type, "n_classes": self.n_classes, "seed": seed,
                "threads": 1}


def _split(name: str, frame: pd.DataFrame, task_type: str, metric: str,
           n_train: int | None = None) -> Table:
    """Shuffle, then train (half unless ``n_train``), valid and test (halves of the rest)."""
    frame = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    n_train = len(frame) // 2 if n_train is None else n_train
    n_valid = (len(frame) - n_train) // 2
    parts = {"train": frame.iloc[:n_train], "valid": frame.iloc[n_train:n_train + n_valid],
             "test": frame.iloc[n_train + n_valid:]}
    n_classes = 0 if task_type == "regression" else int(frame[TARGET].nunique())
    held_out = ("valid", "test")
    return Table(name, task_type, n_classes, metric, parts["train"].reset_index(drop=True),
                 {s: parts[s].drop(columns=TARGET).reset_index(drop=True) for s in held_out},
                 {s: parts[s][TARGET].to_numpy() for s in held_out})


def _sklearn(loader: Callable[..., Any]) -> pd.DataFrame:
    bunch = loader(as_frame=True)
    frame: pd.DataFrame = bunch.frame.rename(columns={"target": TARGET})
    return frame


def mixed_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Numeric with gaps, low- and high-cardinality categoricals, bool, datetime, text and an id."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    color = rng.choice(["red", "green", "blue", None], size=n)
    when = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    logit = 1.5 * x + (color == "red") - (when.month.to_numpy() > 6)
    frame = pd.DataFrame({
        "x": np.where(rng.random(n) < 0.1, np.nan, x), "z": rng.integers(0, 5, n),
        "color": pd.array(color, dtype="string"),
        "city": rng.choice([f"c{i}" for i in range(80)], n),
        "flag": rng.random(n) < 0.5, "when": when.where(rng.random(n) > 0.05),
        "note": [f"note about item {i} and {i % 7} things" for i in range(n)],
        "row_id": [f"id{i:05d}" for i in range(n)],
    })
    frame[TARGET] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def signal_frame(n: int, seed: int) -> pd.DataFrame:
    """Binary labels from a linear part plus interactions: linear models see only the first,
    neighbours and trees mostly the second, so their errors differ and blending pays."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    logit = (2.0 * (X[:, 0] + X[:, 1] - X[:, 2]) + 2.0 * np.sign(X[:, 3] * X[:, 4])
             + 1.5 * (np.abs(X[:, 5]) > 1) - 0.48)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
    frame[TARGET] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def load_table(name: str, seed: int = 0) -> Table:
    """breast_cancer (binary), wine (multiclass), diabetes (regression), mixed (binary), and
    signal (binary; 800 train, 1000 valid, 1000 test rows drawn with ``seed``)."""
    if name == "signal":
        return _split(f"signal{seed}", signal_frame(2800, seed), "binary", "roc_auc", n_train=800)
    if name == "breast_cancer":
        return _split(name, _sklearn(datasets.load_breast_cancer), "binary", "roc_auc")
    if name == "wine":
        return _split(name, _sklearn(datasets.load_wine), "multiclass", "log_loss")
    if name == "diabetes":
        return _split(name, _sklearn(datasets.load_diabetes), "regression", "rmse")
    if name == "mixed":
        return _split(name, mixed_frame(), "binary", "roc_auc")
    raise KeyError(name)


TABLES = ("breast_cancer", "wine", "diabetes", "mixed")


def feature_types(frame: pd.DataFrame) -> dict[str, str]:
    """Column -> numeric | categorical | datetime, as the run folder records them."""
    kinds = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            kinds[str(col)] = "datetime"
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            kinds[str(col)] = "numeric"
        else:
            kinds[str(col)] = "categorical"
    return kinds


def make_context(run_dir: Path, table: Table | None = None, *, nodes: dict[str, Node] | None = None,
                 store: MemoryPredictionStore | None = None, seed: int = 0) -> OperatorContext:
    """An :class:`OperatorContext` for ``table`` (default: breast_cancer)."""
    table = table or load_table("breast_cancer")
    features = table.train.drop(columns=TARGET)
    return OperatorContext(
        task_type=table.task_type, n_classes=table.n_classes, metric=get_metric(table.metric),
        target=TARGET, feature_types=feature_types(features), n_rows=len(table.train), seed=seed,
        run_dir=run_dir, nodes={} if nodes is None else nodes,
        predictions=store or MemoryPredictionStore(), y_valid=table.labels["valid"])


def spec_node(node_id: str, spec: dict[str, Any] | None, status: NodeStatus = NodeStatus.OK,
              error: str = "", parent: str | None = None, code: str = "") -> Node:
    """A finished node carrying ``spec``."""
    return Node(id=node_id, operator="draft", parent_ids=(parent,) if parent else (),
                status=status, spec=spec, error=error, code=code)


def run_code(code: str, table: Table, seed: int = 0) -> dict[str, np.ndarray]:
    """Exec a candidate module in-process and call its ``fit_predict`` on ``table``."""
    namespace: dict[str, Any] = {"__name__": "candidate"}
    exec(compile(code, "<candidate>", "exec"), namespace)
    result: dict[str, np.ndarray] = namespace["fit_predict"](
        table.train.copy(), TARGET, {k: v.copy() for k, v in table.predict.items()},
        table.info(seed))
    return result


@pytest.fixture(scope="session")
def tables() -> dict[str, Table]:
    """The four test tables by name (see :data:`TABLES`)."""
    return {name: load_table(name) for name in TABLES}


@pytest.fixture(scope="session")
def make_table() -> Callable[..., Table]:
    """``make_table(name, seed=0)``: build a table (see :func:`load_table`)."""
    return load_table


@pytest.fixture(scope="session")
def make_ctx() -> Callable[..., OperatorContext]:
    """The fake-context builder: ``make_ctx(run_dir, table, nodes=..., store=..., seed=...)``."""
    return make_context


@pytest.fixture
def ctx(tmp_path: Path, tables: dict[str, Table]) -> OperatorContext:
    """A breast_cancer context with no nodes yet."""
    return make_context(tmp_path, tables["breast_cancer"])


@pytest.fixture
def store() -> MemoryPredictionStore:
    return MemoryPredictionStore()


@pytest.fixture(scope="session")
def node_of() -> Callable[..., Node]:
    """``node_of(id, spec, status=..., error=..., parent=..., code=...)``: a finished node."""
    return spec_node


@pytest.fixture(scope="session")
def run_code_on() -> Callable[..., dict[str, np.ndarray]]:
    """``run_code_on(code, table, seed=0)``: exec a candidate and call its fit_predict."""
    return run_code

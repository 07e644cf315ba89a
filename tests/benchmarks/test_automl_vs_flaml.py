"""The three-way benchmark script: its flags, and graftml run for real through ``graft run``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rich.console import Console

import benchmarks.automl_vs_flaml as bench
from benchmarks._autogluon import BUILD_HINT
from benchmarks.automl_vs_flaml import QUICK_OUT, main, parse_args, rotated
from benchmarks.datasets import QUICK


def test_quick_means_small_budget_two_small_datasets_one_seed() -> None:
    args = parse_args(["--quick"])

    assert (args.budget, args.seeds, args.datasets) == (15.0, 1, ",".join(QUICK))
    assert args.systems == ("graftml", "flaml", "autogluon")
    assert args.out == QUICK_OUT  # a smoke run never overwrites the real results


def test_explicit_flags_override_quick_and_ag_best_adds_a_column() -> None:
    args = parse_args(["--quick", "--budget", "3", "--datasets", "digits",
                       "--systems", "graftml,autogluon", "--ag-best"])

    assert (args.budget, args.datasets) == (3.0, "digits")
    assert args.systems == ("graftml", "autogluon", "autogluon_best")


@pytest.mark.parametrize("argv", [["--datasets", "nope"], ["--systems", "h2o"],
                                  ["--budget", "0"], ["--seeds", "0"]])
def test_bad_flags_stop_before_any_run(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_args(argv)

    assert stopped.value.code == 2


def test_the_order_of_the_systems_rotates_with_the_seed() -> None:
    systems = ("graftml", "flaml", "autogluon")

    assert [rotated(systems, seed)[0] for seed in range(4)] == [
        "graftml", "flaml", "autogluon", "graftml"]


def test_without_its_venv_autogluon_is_skipped_with_a_one_line_hint(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "autogluon_python", lambda: None)
    out = Console(width=200, record=True)

    kept = bench.available_systems(("graftml", "autogluon", "autogluon_best"), out)

    assert kept == ("graftml",)
    assert out.export_text().strip() == BUILD_HINT


def test_graftml_through_the_cli_and_flaml_give_scored_rows(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    cores = len(os.sched_getaffinity(0))  # pinning to every CPU leaves pytest's process as it was
    systems = "graftml,flaml"  # AutoGluon's own test is in test_systems.py (skipped w/o venv)

    status = main(["--systems", systems, "--datasets", "breast_cancer", "--budget", "6",
                   "--seeds", "1", "--cores", str(cores), "--flaml-estimators", "lgbm",
                   "--out", str(out)])

    saved = json.loads(out.read_text())
    rows = {r["system"]: r for r in saved["rows"]}
    assert status == 0, [r["error"] for r in saved["rows"]]
    assert set(rows) == set(systems.split(","))
    graftml = rows["graftml"]
    assert graftml["status"] == "ok" and graftml["test_score"] > 0.9  # roc_auc
    assert graftml["detail"]["returncode"] == 0 and "refit" in graftml["detail"]
    assert Path(graftml["detail"]["run_dir"]).name == "graftml-run"
    assert graftml["wall_s"] > 3 and graftml["n_train"] == 455
    assert rows["flaml"]["test_score"] > 0.9
    assert set(saved["summary"]["normalized_score"]) == set(rows)
    assert saved["summary"]["paired_vs_graftml"][0]["n"] == 1
    assert saved["hardware"]["flaml"] != "not installed"


def test_list_prints_every_dataset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0

    printed = capsys.readouterr().out
    assert all(name in printed for name in ("diamonds", "penguins", "breast_cancer"))

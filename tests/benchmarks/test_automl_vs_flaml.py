"""The benchmark script end to end, FLAML only and with a tiny budget (graftml is slower)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks.automl_vs_flaml import main, parse_args
from benchmarks.datasets import QUICK


def test_quick_means_tiny_budget_two_datasets_one_seed() -> None:
    args = parse_args(["--quick"])

    assert (args.budget, args.seeds, args.datasets) == (10.0, 1, ",".join(QUICK))


def test_explicit_flags_override_quick() -> None:
    args = parse_args(["--quick", "--budget", "3", "--datasets", "digits"])

    assert (args.budget, args.datasets) == (3.0, "digits")


def test_flaml_only_run_writes_every_row(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    cores = len(os.sched_getaffinity(0))  # pinning to every CPU leaves pytest's process as it was

    status = main(["--systems", "flaml", "--datasets", "concrete", "--budget", "2", "--seeds", "1",
                   "--cores", str(cores), "--flaml-estimators", "lgbm,rf", "--out", str(out)])

    saved = json.loads(out.read_text())
    assert status == 0
    assert [(r["dataset"], r["system"], r["status"]) for r in saved["rows"]] == [
        ("concrete", "flaml", "ok")]
    assert saved["rows"][0]["test_score"] > 0
    assert saved["rows"][0]["detail"]["best_estimator"] in ("lgbm", "rf")
    assert saved["hardware"]["flaml"] != "not installed"


@pytest.mark.parametrize("argv", [["--datasets", "nope"], ["--systems", "autogluon"],
                                  ["--budget", "0"]])
def test_bad_flags_stop_before_any_run(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_args(argv)

    assert stopped.value.code == 2

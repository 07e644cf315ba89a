"""Paired wins, the Wilcoxon test, normalized scores, overruns and the tables, on made-up rows."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from benchmarks._report import (
    RunRow,
    best_system,
    dataset_table,
    fits_line,
    json_summary,
    paired_table,
    summarize,
    systems_table,
)
from benchmarks._stats import normalized_scores, overruns, paired, wilcoxon_p

THREE = ("graftml", "flaml", "autogluon")


def row(system: str, score: float | None, *, dataset: str = "d", seed: int = 0,
        metric: str = "rmse", wall_s: float = 100.0, **detail: object) -> RunRow:
    return RunRow(dataset=dataset, system=system, seed=seed, task_type="regression",
                  metric=metric, budget_s=100.0, test_score=score, wall_s=wall_s,
                  status="ok" if score is not None else "error", detail=dict(detail))


def test_a_lower_error_wins_a_pair_and_equal_scores_tie() -> None:
    rows = [row("graftml", 1.0), row("flaml", 2.0),
            row("graftml", 3.0, seed=1), row("flaml", 3.0, seed=1),
            row("graftml", 5.0, seed=2), row("flaml", 4.0, seed=2)]

    p = paired(rows, "graftml", "flaml")

    assert (p.n, p.wins, p.losses, p.ties) == (3, 1, 1, 1)


def test_pairs_are_only_the_runs_both_systems_scored() -> None:
    rows = [row("graftml", 1.0), row("flaml", None), row("graftml", 1.0, seed=1),
            row("flaml", 2.0, seed=1)]

    assert paired(rows, "graftml", "flaml").n == 1


def test_a_consistent_gap_is_significant_and_a_mixed_one_is_noise() -> None:
    # ten datasets on wildly different scales: relative differences make them comparable
    better = [row(s, v * (0.9 if s == "graftml" else 1.0), dataset=f"d{k}", metric="rmse")
              for k, v in enumerate([1, 10, 100, 1e3, 1e4, 0.1, 0.5, 2, 7, 30])
              for s in ("graftml", "flaml")]
    mixed = [row(s, 1.0 + (0.1 if (k + (s == "graftml")) % 2 else 0.0), dataset=f"d{k}")
             for k in range(10) for s in ("graftml", "flaml")]

    sig, noise = paired(better, "graftml", "flaml"), paired(mixed, "graftml", "flaml")

    assert sig.p_value is not None and sig.p_value < 0.01
    assert sig.verdict.startswith("graftml better")
    assert noise.p_value is not None and noise.p_value > 0.05
    assert noise.verdict.startswith("inside the noise")


def test_no_test_without_two_untied_pairs() -> None:
    import numpy as np

    assert wilcoxon_p(np.array([0.0, 0.0, 0.1])) is None


def test_normalized_score_is_zero_for_the_worst_one_for_the_best_and_zero_when_failed() -> None:
    rows = [row("graftml", 1.0, metric="roc_auc"), row("flaml", 0.5, metric="roc_auc"),
            row("autogluon", 0.75, metric="roc_auc"),
            row("graftml", 2.0, seed=1), row("flaml", 2.0, seed=1),
            row("autogluon", None, seed=1)]

    assert normalized_scores(rows, THREE) == pytest.approx(
        {"graftml": 1.0, "flaml": 0.5, "autogluon": 0.25})


def test_overrun_is_worst_and_median() -> None:
    rows = [row("graftml", 1.0, wall_s=w, seed=k) for k, w in enumerate([95.0, 101.0, 130.0])]

    assert overruns(rows, "graftml") == pytest.approx((30.0, 1.0))
    assert overruns(rows, "flaml") is None


def test_best_system_and_ties() -> None:
    assert best_system("rmse", {"graftml": [1.0], "flaml": [2.0], "autogluon": []}) == "graftml"
    assert best_system("roc_auc", {"graftml": [0.8], "flaml": [0.9]}) == "flaml"
    assert best_system("accuracy", {"graftml": [0.9000001], "flaml": [0.9]}) == "tie"
    assert best_system("accuracy", {"graftml": []}) == "-"


def test_fits_line_counts_refit_bagged_and_unknown() -> None:
    rows = [row("graftml", 1.0, refit=True, bagged=False), row("graftml", 1.0, seed=1,
            refit=False, bagged=True), row("graftml", 1.0, seed=2, refit=False)]

    assert fits_line(rows) == ("graftml final models: refit in 1 of 3 runs, bagged (fold "
                               "models) in 1 (1 did not say)")


def test_tables_show_every_system_and_the_verdicts() -> None:
    rows = [row(s, v, seed=k) for k in range(3)
            for s, v in (("graftml", 1.0 + k), ("flaml", 3.0 + k), ("autogluon", None))]
    out = Console(width=250, record=True)

    out.print(dataset_table(summarize(rows, THREE), THREE, budget_s=100.0, n_seeds=3, cores=2))
    out.print(systems_table(rows, THREE))
    table = paired_table(rows, THREE)
    assert table is not None
    out.print(table)

    text = out.export_text()
    assert "2.000±1.000" in text and "4.000±1.000" in text and "- (3 failed)" in text
    assert "AutoGluon (medium)" in text and "+0.0%" in text
    assert "inside the noise" in text or "too few pairs" in text
    assert paired_table(rows, ("flaml", "autogluon")) is None


def test_json_summary_is_plain_data() -> None:
    rows = [row("graftml", 1.0), row("flaml", 2.0)]

    summary = json.loads(json.dumps(json_summary(rows, ("graftml", "flaml"))))

    assert summary["normalized_score"] == {"graftml": 1.0, "flaml": 0.0}
    assert summary["paired_vs_graftml"][0]["wins"] == 1
    assert summary["datasets"][0]["best"] == "graftml"

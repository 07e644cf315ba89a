"""Per-dataset summaries, the winner and the headline lines, on hand-made rows."""

from __future__ import annotations

from rich.console import Console

from benchmarks._report import RunRow, results_table, summarize, summary_lines, winner
from benchmarks._report import SystemStats as Stats

BOTH = ("graftml", "flaml")


def row(system: str, score: float | None, wall_s: float, *, dataset: str = "d", seed: int = 0,
        metric: str = "rmse", **detail: float) -> RunRow:
    return RunRow(dataset=dataset, system=system, seed=seed, task_type="regression",
                  metric=metric, budget_s=100.0, test_score=score, wall_s=wall_s,
                  status="ok" if score is not None else "error", detail=dict(detail))


def test_lower_error_wins_on_a_minimized_metric() -> None:
    stats = {"graftml": Stats([1.0, 1.2], [], 0, []), "flaml": Stats([1.5], [], 0, [])}

    assert winner("rmse", stats) == "graftml"


def test_higher_score_wins_on_a_maximized_metric() -> None:
    stats = {"graftml": Stats([0.80], [], 0, []), "flaml": Stats([0.90], [], 0, [])}

    assert winner("roc_auc", stats) == "flaml"


def test_nearly_equal_means_are_a_tie() -> None:
    stats = {"graftml": Stats([0.900001], [], 0, []), "flaml": Stats([0.9], [], 0, [])}

    assert winner("accuracy", stats) == "tie"


def test_no_winner_when_a_system_has_no_score() -> None:
    stats = {"graftml": Stats([], [], 1, []), "flaml": Stats([0.9], [], 0, [])}

    assert winner("accuracy", stats) == "-"


def test_summary_counts_wins_and_reports_the_worst_overrun() -> None:
    rows = [row("graftml", 1.0, 101.0, overhead_ms=4.0), row("flaml", 2.0, 130.0),
            row("graftml", 3.0, 99.0, dataset="e", overhead_ms=6.0),
            row("flaml", 2.0, 100.0, dataset="e")]

    lines = summary_lines(summarize(rows, BOTH), BOTH, budget_s=100.0)

    assert lines == [
        "graftml wins on 1 of 2 datasets (FLAML 1, ties 0); target 'most': NOT met",
        "max overrun graftml: +1.0% (101.0 s of 100 s); target <= 5%: met",
        "max overrun FLAML: +30.0% (130.0 s of 100 s)",
        "graftml median per-node overhead: 5.0 ms; target < 20 ms: met",
    ]


def test_table_shows_mean_and_std_and_failures() -> None:
    rows = [row("graftml", 1.0, 90.0), row("graftml", 3.0, 110.0, seed=1),
            row("flaml", None, 100.0), row("flaml", 2.0, 100.0, seed=1)]
    console = Console(width=200, record=True)

    console.print(results_table(summarize(rows, BOTH), BOTH, budget_s=100.0, n_seeds=2, cores=2))

    text = console.export_text()
    assert "2.000±1.414" in text
    assert "2.000 (1 failed)" in text
    assert "100.0 (+10.0%)" in text

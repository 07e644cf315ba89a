"""Raw result rows, their per-dataset summary, the side-by-side table and the headline lines."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table

from benchmarks._common import fmt_score, overrun_pct
from graftml.data import METRICS

LABELS = {"graftml": "graftml", "flaml": "FLAML"}
OVERRUN_TARGET_PCT = 5.0
OVERHEAD_TARGET_MS = 20.0
TIE_RELATIVE = 1e-4  # means closer than this (relative) are a tie


@dataclass
class RunRow:
    """One raw result (one system, one dataset, one seed), as saved to ``--out``."""

    dataset: str
    system: str  # graftml | flaml
    seed: int
    task_type: str
    metric: str
    budget_s: float
    status: str = "ok"  # ok | no_score | error
    test_score: float | None = None
    wall_s: float | None = None
    overrun_pct: float | None = None
    error: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SystemStats:
    """One system's results on one dataset, over the seeds."""

    scores: list[float]
    walls: list[float]
    errors: int
    overheads_ms: list[float]


@dataclass(frozen=True)
class DatasetSummary:
    """Both systems on one dataset, and the winner (a system name, ``tie`` or ``-``)."""

    dataset: str
    task_type: str
    metric: str
    stats: dict[str, SystemStats]
    winner: str


def system_stats(rows: list[RunRow]) -> SystemStats:
    """Scores, wall times, failures and per-node overheads of one system's rows."""
    return SystemStats(
        scores=[r.test_score for r in rows if r.test_score is not None],
        walls=[r.wall_s for r in rows if r.wall_s is not None],
        errors=sum(r.status == "error" for r in rows),
        overheads_ms=[float(r.detail["overhead_ms"]) for r in rows
                      if r.detail.get("overhead_ms") is not None],
    )


def winner(metric: str, stats: dict[str, SystemStats]) -> str:
    """The system with the better mean test score, ``tie``, or ``-`` when one has no score."""
    if set(stats) != {"graftml", "flaml"} or not all(s.scores for s in stats.values()):
        return "-"
    ours = statistics.fmean(stats["graftml"].scores)
    theirs = statistics.fmean(stats["flaml"].scores)
    if abs(ours - theirs) <= TIE_RELATIVE * max(abs(ours), abs(theirs), 1e-12):
        return "tie"
    better = METRICS[metric].oriented(ours) > METRICS[metric].oriented(theirs)
    return "graftml" if better else "flaml"


def summarize(rows: list[RunRow], systems: tuple[str, ...]) -> list[DatasetSummary]:
    """One summary per dataset, in the order the datasets ran."""
    summaries = []
    for name in dict.fromkeys(r.dataset for r in rows):
        mine = [r for r in rows if r.dataset == name]
        stats = {s: system_stats([r for r in mine if r.system == s]) for s in systems}
        first = mine[0]
        summaries.append(DatasetSummary(name, first.task_type, first.metric, stats,
                                        winner(first.metric, stats)))
    return summaries


def _wall(stats: SystemStats, budget_s: float) -> str:
    if not stats.walls:
        return "-"
    worst = overrun_pct(max(stats.walls), budget_s)
    return f"{statistics.fmean(stats.walls):.1f} ({worst:+.1f}%)"


def _score(stats: SystemStats) -> str:
    return fmt_score(stats.scores) + (f" ({stats.errors} failed)" if stats.errors else "")


def _overhead(stats: SystemStats) -> str:
    return f"{statistics.median(stats.overheads_ms):.1f}" if stats.overheads_ms else "-"


def results_table(summaries: list[DatasetSummary], systems: tuple[str, ...], *,
                  budget_s: float, n_seeds: int, cores: int) -> Table:
    """The side-by-side table: scores, winner, wall time and overrun, graftml's overhead."""
    caption = "wall s: mean over seeds (worst seed's overrun vs the budget)"
    if "graftml" in systems:
        caption += "; overhead ms: graftml's median per-node orchestration time"
    table = Table(title=f"Test score mean±std over {n_seeds} seed(s); {budget_s:g} s wall "
                        f"budget; {cores} cores", caption=caption)
    for header in ("dataset", "task", "metric"):
        table.add_column(header)
    for system in systems:
        table.add_column(LABELS[system], justify="right")
    if len(systems) == 2:
        table.add_column("winner")
    for system in systems:
        table.add_column(f"{LABELS[system]} wall s", justify="right")
    if "graftml" in systems:
        table.add_column("overhead ms", justify="right")
    for s in summaries:
        cells = [s.dataset, s.task_type, s.metric, *(_score(s.stats[n]) for n in systems)]
        cells += [LABELS.get(s.winner, s.winner)] if len(systems) == 2 else []
        cells += [_wall(s.stats[n], budget_s) for n in systems]
        if "graftml" in systems:
            cells.append(_overhead(s.stats["graftml"]))
        table.add_row(*cells)
    return table


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def wins_line(summaries: list[DatasetSummary]) -> str:
    """``graftml wins on W of N datasets`` (N: datasets where both systems have a score)."""
    decided = [s for s in summaries if s.winner != "-"]
    wins = sum(s.winner == "graftml" for s in decided)
    losses = sum(s.winner == "flaml" for s in decided)
    return (f"graftml wins on {wins} of {len(decided)} datasets (FLAML {losses}, "
            f"ties {len(decided) - wins - losses}); target 'most': {_met(wins > len(decided) / 2)}")


def overrun_line(summaries: list[DatasetSummary], system: str, budget_s: float) -> str | None:
    """The worst wall time of ``system`` over every run, against the budget."""
    walls = [w for s in summaries for w in s.stats[system].walls]
    if not walls:
        return None
    worst = overrun_pct(max(walls), budget_s)
    line = f"max overrun {LABELS[system]}: {worst:+.1f}% ({max(walls):.1f} s of {budget_s:g} s)"
    if system == "graftml":
        line += f"; target <= {OVERRUN_TARGET_PCT:g}%: {_met(worst <= OVERRUN_TARGET_PCT)}"
    return line


def overhead_line(summaries: list[DatasetSummary]) -> str | None:
    """graftml's median per-node orchestration overhead over all its runs."""
    overheads = [o for s in summaries if "graftml" in s.stats
                 for o in s.stats["graftml"].overheads_ms]
    if not overheads:
        return None
    median = statistics.median(overheads)
    return (f"graftml median per-node overhead: {median:.1f} ms; "
            f"target < {OVERHEAD_TARGET_MS:g} ms: {_met(median < OVERHEAD_TARGET_MS)}")


def summary_lines(summaries: list[DatasetSummary], systems: tuple[str, ...],
                  budget_s: float) -> list[str]:
    """The headline lines under the table."""
    lines: list[str | None] = [wins_line(summaries)] if len(systems) == 2 else []
    lines += [overrun_line(summaries, system, budget_s) for system in systems]
    lines.append(overhead_line(summaries))
    return [line for line in lines if line]

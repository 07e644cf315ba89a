"""Raw result rows and the rich tables of the benchmark: per dataset, per system, paired.

The numbers come from :mod:`benchmarks._stats`; this module only lays them out (and turns them
into plain dicts for the JSON file).
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.table import Table

from benchmarks._common import fmt_score, overrun_pct
from benchmarks._stats import graftml_fits, is_tie, normalized_scores, overruns, paired
from graftml.data.metrics import get_metric

LABELS = {"graftml": "graftml", "flaml": "FLAML", "autogluon": "AutoGluon (medium)",
          "autogluon_best": "AutoGluon (best)"}


@dataclass
class RunRow:
    """One raw result (one system, one dataset, one seed), as saved to ``--out``."""

    dataset: str
    system: str  # graftml | flaml | autogluon | autogluon_best
    seed: int
    task_type: str
    metric: str
    budget_s: float
    status: str = "ok"  # ok | error
    test_score: float | None = None
    wall_s: float | None = None
    overrun_pct: float | None = None
    n_train: int = 0
    error: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DatasetSummary:
    """Every system on one dataset: its scores and wall times over the seeds, and the best."""

    dataset: str
    task_type: str
    metric: str
    scores: dict[str, list[float]]
    walls: dict[str, list[float]]
    errors: dict[str, int]
    best: str  # the system with the best mean, "tie", or "-" (no scores)


def best_system(metric: str, scores: dict[str, list[float]]) -> str:
    """The system with the best mean test score; ``tie`` when the top two are equal."""
    means = {s: get_metric(metric).oriented(statistics.fmean(v)) for s, v in scores.items() if v}
    if not means:
        return "-"
    ranked = sorted(means, key=lambda s: means[s], reverse=True)
    if len(ranked) > 1 and is_tie(means[ranked[0]], means[ranked[1]]):
        return "tie"
    return ranked[0]


def summarize(rows: list[RunRow], systems: tuple[str, ...]) -> list[DatasetSummary]:
    """One summary per dataset, in the order the datasets ran."""
    out = []
    for name in dict.fromkeys(r.dataset for r in rows):
        mine = [r for r in rows if r.dataset == name]
        scores = {s: [r.test_score for r in mine if r.system == s and r.test_score is not None]
                  for s in systems}
        walls = {s: [r.wall_s for r in mine if r.system == s and r.wall_s] for s in systems}
        errors = {s: sum(r.system == s and r.status == "error" for r in mine) for s in systems}
        out.append(DatasetSummary(name, mine[0].task_type, mine[0].metric, scores, walls,
                                  errors, best_system(mine[0].metric, scores)))
    return out


def _arrow(metric: str) -> str:
    return "↑" if get_metric(metric).direction == "maximize" else "↓"


def _wall(walls: list[float], budget_s: float) -> str:
    if not walls:
        return "-"
    return f"{statistics.fmean(walls):.1f} ({overrun_pct(max(walls), budget_s):+.1f}%)"


def dataset_table(summaries: list[DatasetSummary], systems: tuple[str, ...], *,
                  budget_s: float, n_seeds: int, cores: int) -> Table:
    """Test score mean±std per system and dataset, the best system, and the wall times."""
    table = Table(title=f"Test score, mean±std over {n_seeds} seed(s); {budget_s:g} s wall "
                        f"budget each; {cores} cores",
                  caption="wall s: mean over seeds (worst seed's overrun vs the budget)")
    for header in ("dataset", "task", "metric"):
        table.add_column(header)
    for s in systems:
        table.add_column(LABELS[s], justify="right")
    table.add_column("best")
    for s in systems:
        table.add_column(f"{LABELS[s]} wall s", justify="right")
    for d in summaries:
        cells = [d.dataset, d.task_type, f"{d.metric} {_arrow(d.metric)}"]
        for s in systems:
            failed = f" ({d.errors[s]} failed)" if d.errors[s] else ""
            cells.append(fmt_score(d.scores[s]) + failed)
        cells.append(LABELS.get(d.best, d.best))
        cells += [_wall(d.walls[s], budget_s) for s in systems]
        table.add_row(*cells)
    return table


def systems_table(rows: list[RunRow], systems: tuple[str, ...]) -> Table:
    """Per system: runs, failures, mean normalized score, wall overrun (worst, median)."""
    norm = normalized_scores(rows, systems)
    table = Table(title="Systems over every (dataset, seed)",
                  caption="normalized: per (dataset, seed) 0 = worst, 1 = best of the systems "
                          "(a failed run is 0), then the mean")
    for header in ("system", "runs", "failed", "normalized score", "overrun worst",
                   "overrun median"):
        table.add_column(header, justify="left" if header == "system" else "right")
    for s in systems:
        mine = [r for r in rows if r.system == s]
        over = overruns(rows, s)
        score = norm.get(s)
        table.add_row(LABELS[s], str(len(mine)), str(sum(r.status == "error" for r in mine)),
                      "-" if score is None else f"{score:.3f}",
                      "-" if over is None else f"{over[0]:+.1f}%",
                      "-" if over is None else f"{over[1]:+.1f}%")
    return table


def paired_table(rows: list[RunRow], systems: tuple[str, ...]) -> Table | None:
    """graftml against each other system: paired wins/losses/ties and the Wilcoxon test."""
    others = [s for s in systems if s != "graftml"]
    if "graftml" not in systems or not others:
        return None
    table = Table(title="graftml vs each system, paired per (dataset, seed)",
                  caption="Wilcoxon signed-rank on relative score differences; p > 0.05 is "
                          "inside the noise")
    for header in ("vs", "pairs", "graftml wins", "losses", "ties", "p-value", "verdict"):
        table.add_column(header)
    for other in others:
        p = paired(rows, "graftml", other)
        table.add_row(LABELS[other], str(p.n), str(p.wins), str(p.losses), str(p.ties),
                      "-" if p.p_value is None else f"{p.p_value:.3g}",
                      p.verdict.replace(f"{other} better", f"{LABELS[other]} better"))
    return table


def fits_line(rows: list[RunRow]) -> str | None:
    """How graftml's final models were fitted (from each run's ``result.json``)."""
    c = graftml_fits(rows)
    if not c["runs"]:
        return None
    unknown = f" ({c['bagged_unknown']} did not say)" if c["bagged_unknown"] else ""
    return (f"graftml final models: refit in {c['refit']} of {c['runs']} runs, bagged (fold "
            f"models) in {c['bagged']}{unknown}")


def json_summary(rows: list[RunRow], systems: tuple[str, ...]) -> dict[str, Any]:
    """The summary numbers as plain data, for ``--out``."""
    pairs = [paired(rows, "graftml", s) for s in systems if s != "graftml"]
    return {
        "datasets": [asdict(d) for d in summarize(rows, systems)],
        "normalized_score": normalized_scores(rows, systems),
        "overrun_pct": {s: dict(zip(("worst", "median"), o, strict=True))
                        for s in systems if (o := overruns(rows, s)) is not None},
        "paired_vs_graftml": [{**asdict(p), "verdict": p.verdict} for p in pairs]
        if "graftml" in systems else [],
        "graftml_fits": graftml_fits(rows),
    }

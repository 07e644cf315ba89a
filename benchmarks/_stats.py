"""Paired comparisons over (dataset, seed): wins, a Wilcoxon test, normalized scores, overruns.

Every comparison is paired: two systems are compared on the (dataset, seed) pairs where both
have a score, each pair being the very same ``train.csv`` / ``test.csv``. Scores are first
*oriented* (higher is better: an error is negated).

- wins / losses / ties: per pair; closer than :data:`TIE_RELATIVE` (relative) is a tie.
- Wilcoxon signed-rank test on the per-pair differences, each divided by the pair's scale
  (``max(|a|, |b|)``), so that an RMSE in dollars and an AUC in [0, 1] rank together; p > 0.05
  is reported as "inside the noise".
- normalized score: per pair, 0 = the worst system, 1 = the best (all 1 when they tie; a system
  that failed on that pair gets 0), then averaged per system.
- wall overrun: ``100 * (wall - budget) / budget``, worst and median per system.
"""

from __future__ import annotations

import statistics
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from benchmarks._common import overrun_pct
from graftml.data.metrics import get_metric

if TYPE_CHECKING:
    from benchmarks._report import RunRow

TIE_RELATIVE = 1e-4
ALPHA = 0.05

Pair = tuple[str, int]  # (dataset, seed)


@dataclass(frozen=True)
class PairedResult:
    """``system`` against ``other`` over their common (dataset, seed) pairs."""

    system: str
    other: str
    n: int
    wins: int
    losses: int
    ties: int
    p_value: float | None  # None: too few non-tied pairs for a test

    @property
    def verdict(self) -> str:
        """Who is better, or that the difference is inside the noise."""
        if self.p_value is None:
            return "too few pairs for a test"
        if self.p_value > ALPHA:
            return f"inside the noise (p={self.p_value:.3g})"
        better = self.system if self.wins > self.losses else self.other
        return f"{better} better (p={self.p_value:.3g})"


def oriented_scores(rows: list[RunRow]) -> dict[str, dict[Pair, float]]:
    """Per system, per (dataset, seed): the oriented test score of every scored run."""
    out: dict[str, dict[Pair, float]] = {}
    for r in rows:
        if r.test_score is not None:
            value = get_metric(r.metric).oriented(r.test_score)
            out.setdefault(r.system, {})[(r.dataset, r.seed)] = value
    return out


def is_tie(a: float, b: float) -> bool:
    """Whether two scores are equal up to :data:`TIE_RELATIVE` of their magnitude."""
    return abs(a - b) <= TIE_RELATIVE * max(abs(a), abs(b), 1e-12)


def relative_differences(a: list[float], b: list[float]) -> np.ndarray:
    """``(a - b) / max(|a|, |b|)`` per pair (0 for a tie)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.maximum(np.abs(x), np.abs(y)), 1e-12)
    diff = (x - y) / scale
    return np.where([is_tie(p, q) for p, q in zip(a, b, strict=True)], 0.0, diff)


def wilcoxon_p(diffs: np.ndarray) -> float | None:
    """Two-sided Wilcoxon signed-rank p-value of ``diffs`` (zeros dropped), ``None`` if < 2."""
    from scipy.stats import wilcoxon

    nonzero = diffs[diffs != 0]
    if len(nonzero) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample notes
        return float(wilcoxon(nonzero).pvalue)


def paired(rows: list[RunRow], system: str, other: str) -> PairedResult:
    """``system`` vs ``other`` on their common pairs: wins, losses, ties and the p-value."""
    scores = oriented_scores(rows)
    mine, theirs = scores.get(system, {}), scores.get(other, {})
    common = sorted(set(mine) & set(theirs))
    a, b = [mine[p] for p in common], [theirs[p] for p in common]
    ties = sum(is_tie(x, y) for x, y in zip(a, b, strict=True))
    wins = sum(x > y and not is_tie(x, y) for x, y in zip(a, b, strict=True))
    return PairedResult(system, other, len(common), wins, len(common) - wins - ties, ties,
                        wilcoxon_p(relative_differences(a, b)) if common else None)


def normalized_scores(rows: list[RunRow], systems: tuple[str, ...]) -> dict[str, float | None]:
    """Per system, the mean over (dataset, seed) of its 0 (worst) .. 1 (best) score."""
    scores = oriented_scores(rows)
    pairs = sorted({(r.dataset, r.seed) for r in rows if r.system in systems})
    per_system: dict[str, list[float]] = {s: [] for s in systems}
    for pair in pairs:
        present = {s: scores[s][pair] for s in systems if pair in scores.get(s, {})}
        ran = {r.system for r in rows if (r.dataset, r.seed) == pair}
        if not present:
            continue
        low, high = min(present.values()), max(present.values())
        for s in systems:
            if s in present:
                tied = is_tie(low, high)
                per_system[s].append(1.0 if tied else (present[s] - low) / (high - low))
            elif s in ran:
                per_system[s].append(0.0)  # it ran and failed: worst on this pair
    return {s: statistics.fmean(v) if v else None for s, v in per_system.items()}


def overruns(rows: list[RunRow], system: str) -> tuple[float, float] | None:
    """Worst and median wall overrun (percent of the budget) of ``system``'s runs."""
    values = [overrun_pct(r.wall_s, r.budget_s) for r in rows
              if r.system == system and r.wall_s]
    return (max(values), statistics.median(values)) if values else None


def graftml_fits(rows: list[RunRow]) -> dict[str, int]:
    """How many scored graftml runs refitted, were bagged, or did not say (older graftml)."""
    runs = [r for r in rows if r.system == "graftml" and r.test_score is not None]
    counts = {"runs": len(runs), "refit": 0, "bagged": 0, "bagged_unknown": 0}
    for r in runs:
        counts["refit"] += bool(r.detail.get("refit"))
        bagged = r.detail.get("bagged")
        counts["bagged"] += bagged is True
        counts["bagged_unknown"] += bagged is None
    return counts

"""Greedy zero-shot portfolio construction from measured (dataset, configuration) results.

Per dataset, a configuration's out-of-fold score is normalized to ``[0, 1]``: 1 for the best
configuration, 0 at or below the median one (a very bad configuration must not compress the
others into a sliver near 1). The greedy order then adds, step by step, the configuration with
the largest gain in mean best-so-far normalized score per mean second of fitting (plus a fixed
per-job start-up cost). Once no configuration gains at least ``min_gain``, the order is filled up
to ``min_size`` by each remaining configuration's own mean normalized score per second: a search
profits from a few more diverse drafts (the merge operator blends members that err differently).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

#: dataset -> configuration -> oriented score (higher is better) or None for a failed fit
Scores = dict[str, dict[str, float | None]]
#: dataset -> configuration -> seconds of fitting all folds
Seconds = dict[str, dict[str, float]]


@dataclass(frozen=True)
class Step:
    """One greedy pick: the configuration, its mean normalized gain and mean seconds."""

    name: str
    gain: float
    seconds: float


def normalized(scores: Scores) -> dict[str, dict[str, float]]:
    """Each dataset's scores mapped to 0 (median or worse, or failed) .. 1 (best)."""
    out: dict[str, dict[str, float]] = {}
    for dataset, by_config in scores.items():
        valid = [s for s in by_config.values() if s is not None]
        best, median = max(valid), statistics.median(valid)
        span = best - median
        out[dataset] = {
            name: 0.0 if s is None else (1.0 if span <= 0 else min(max((s - median) / span, 0), 1))
            for name, s in by_config.items()
        }
    return out


def greedy_order(scores: Scores, seconds: Seconds, startup_s: float = 1.0,
                 min_gain: float = 0.005, min_size: int = 8) -> list[Step]:
    """Configurations in order of normalized quality gained per second (see the module)."""
    if not scores:
        raise ValueError("no measured datasets to learn a portfolio order from")
    norm = normalized(scores)
    datasets = list(norm)
    remaining = sorted({c for by_config in norm.values() for c in by_config})
    best = dict.fromkeys(datasets, 0.0)

    def cost(config: str) -> float:
        return statistics.fmean(seconds[d].get(config, 0.0) for d in datasets) + startup_s

    def gain(config: str) -> float:
        return statistics.fmean(max(norm[d].get(config, 0.0) - best[d], 0.0) for d in datasets)

    def alone(config: str) -> float:
        return statistics.fmean(norm[d].get(config, 0.0) for d in datasets)

    steps: list[Step] = []
    while remaining:
        pick = max(remaining, key=lambda c: gain(c) / cost(c))
        if gain(pick) < min_gain:
            if len(steps) >= min_size:
                break
            pick = max(remaining, key=lambda c: alone(c) / cost(c))
        steps.append(Step(pick, gain(pick), cost(pick) - startup_s))
        best = {d: max(best[d], norm[d].get(pick, 0.0)) for d in datasets}
        remaining.remove(pick)
    return steps


def anytime_score(order: list[str], norm: dict[str, float], seconds: dict[str, float],
                  at_s: float, startup_s: float = 1.0) -> float:
    """Best normalized score reached by fitting ``order`` one after another within ``at_s``."""
    best, spent = 0.0, 0.0
    for name in order:
        spent += seconds.get(name, 0.0) + startup_s
        if spent > at_s:
            break
        best = max(best, norm.get(name, 0.0))
    return best


def leave_one_out(scores: Scores, seconds: Seconds, baseline: list[str], at_s: float,
                  startup_s: float = 1.0) -> tuple[float, float]:
    """Mean anytime score at ``at_s`` of the order learned without each dataset, and of
    ``baseline``, both judged on the left-out dataset (an honest check of the learned order)."""
    norm = normalized(scores)
    learned, fixed = [], []
    for held in scores:
        rest = {d: s for d, s in scores.items() if d != held}
        order = [s.name for s in greedy_order(rest, seconds, startup_s)]
        learned.append(anytime_score(order, norm[held], seconds[held], at_s, startup_s))
        fixed.append(anytime_score(baseline, norm[held], seconds[held], at_s, startup_s))
    return statistics.fmean(learned), statistics.fmean(fixed)

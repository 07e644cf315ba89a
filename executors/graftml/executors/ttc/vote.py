"""Voting over extracted answers: plain or score-weighted majority, deterministic tie-break."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graftml.ttc.types import Candidate

__all__ = ["Vote", "majority_vote"]


@dataclass(frozen=True)
class Vote:
    """The winning answer (None when no candidate had one), the candidate chosen to carry it
    (the first, or the best-scored, candidate with that answer) and the tally per answer."""

    answer: str | None
    chosen: int
    tally: dict[str, float]


def majority_vote(candidates: Sequence[Candidate], weighted: bool = False) -> Vote:
    """Elect the most frequent extracted answer among ``candidates``.

    Candidates without an answer do not vote. With ``weighted`` each vote counts its
    candidate's score (scorers return scores in [0, 1]; a missing or negative score counts 0).

    Ties are broken deterministically: the higher summed score, then the answer whose first
    candidate came first. Called by ``self_consistency``; pure.
    """
    weights = _weights(candidates, weighted)
    tally: dict[str, float] = {}
    first: dict[str, int] = {}
    score_sum: dict[str, float] = {}
    for position, candidate in enumerate(candidates):
        if candidate.answer is None:
            continue
        tally[candidate.answer] = tally.get(candidate.answer, 0.0) + weights[position]
        first.setdefault(candidate.answer, position)
        score_sum[candidate.answer] = score_sum.get(candidate.answer, 0.0) + (candidate.score or 0)
    if not tally:
        return Vote(None, candidates[0].index if candidates else 0, {})
    winner = min(tally, key=lambda a: (-tally[a], -score_sum[a], first[a]))
    return Vote(winner, _carrier(candidates, winner), tally)


def _weights(candidates: Sequence[Candidate], weighted: bool) -> list[float]:
    if not weighted:
        return [1.0] * len(candidates)
    return [max(c.score or 0.0, 0.0) for c in candidates]


def _carrier(candidates: Sequence[Candidate], answer: str) -> int:
    """The best-scored candidate with ``answer`` (the first on equal scores)."""
    holders = [c for c in candidates if c.answer == answer]
    best = max(holders, key=lambda c: (c.score if c.score is not None else float("-inf"),
                                       -c.index))
    return best.index

"""``difficulty_adaptive``: spend samples where a problem looks hard (Snell et al., 2024: the
compute-optimal N depends on the prompt's difficulty, judged from cheap signals).

A few probe samples are drawn first; two signals read off them say how easy the problem looks:
the probes agree on an answer, and their mean token log-probability reaches a threshold. Both:
the probes' vote is the answer. One: samples are topped up to a fraction of N. Neither: to N.
Sample ``i`` has seed ``request.seed + i``, as in fixed self-consistency, so a bank replays it
and the saving is the samples not drawn.
"""

from __future__ import annotations

import math

from graftml.budget import Ledger
from graftml.executors.ttc.confidence import sample_confidence
from graftml.executors.ttc.preflight import check_request, resolve_spec
from graftml.executors.ttc.sampling import candidates_of, finish, generation_request
from graftml.executors.ttc.vote import majority_vote
from graftml.llm.base import LLMBackend
from graftml.ttc.session import Session
from graftml.ttc.types import (
    Candidate,
    ConfidenceOptions,
    DifficultyOptions,
    TTCError,
    TTCRequest,
    TTCResult,
)

__all__ = ["difficulty_adaptive", "easy_signals", "planned_samples"]

_MEAN = ConfidenceOptions(measure="mean")


def difficulty_adaptive(request: TTCRequest, backend: LLMBackend, ledger: Ledger | None = None
                        ) -> TTCResult:
    """Probe samples, then as many more as the problem's apparent difficulty calls for.

    Raises:
        TTCError: a model without logprobs, a probe below 1, ``medium`` outside (0, 1], or
            any check of the request.
    """
    spec, options = resolve_spec(request, backend), request.difficulty
    if not spec.capabilities.logprobs:
        raise TTCError(f"difficulty_adaptive reads token logprobs, which model {spec.name!r} "
                       "does not return; use early_stopping_self_consistency")
    if options.probe < 1 or not 0 < options.medium <= 1:
        raise TTCError(f"difficulty probe must be >= 1 and medium in (0, 1], got "
                       f"{options.probe}, {options.medium:g}")
    check_request(request, spec, "difficulty_adaptive")
    session = Session(backend, spec, "difficulty_adaptive", ledger)
    drawn = _draw(session, request, [], min(options.probe, request.n))
    signals = easy_signals(drawn, options)
    drawn = _draw(session, request, drawn, planned_samples(signals, request.n, options))
    vote = majority_vote(drawn)
    return finish(session, drawn, vote.chosen, vote.answer, vote.tally, drawn=len(drawn),
                  easy_signals=signals)


def easy_signals(probes: list[Candidate], options: DifficultyOptions) -> int:
    """How many of the two signals call the problem easy: agreement and confidence."""
    answers = {c.answer for c in probes}
    agree = len(probes) > 1 and len(answers) == 1 and None not in answers
    confidences = [sample_confidence(c, _MEAN) for c in probes]
    mean = sum(confidences) / len(confidences) if confidences else -math.inf
    return int(agree) + int(mean >= options.confident)


def planned_samples(signals: int, n: int, options: DifficultyOptions) -> int:
    """The samples to draw in all for a problem with ``signals`` easy signals."""
    if signals >= 2:
        return min(options.probe, n)
    if signals == 1:
        return max(min(options.probe, n), math.ceil(options.medium * n))
    return n


def _draw(session: Session, request: TTCRequest, drawn: list[Candidate], total: int
          ) -> list[Candidate]:
    if total <= len(drawn):
        return drawn
    result = session.generate(generation_request(request, n=total - len(drawn),
                                                 seed=request.seed + len(drawn), logprobs=True))
    return drawn + candidates_of(result, request, start=len(drawn))

"""``confidence_vote``: a majority vote where confident samples count more and the least
confident do not vote (CISC, Taubenfeld et al., 2025; DeepConf, Fu et al., 2025).

A sample's confidence is its mean token log-probability, or (``lowest_group``) the lowest mean
over any window of ``group`` consecutive tokens: a reasoning trace that wavers anywhere scores
low. The ``keep`` most confident fraction of the N samples votes, each with weight
``softmax(confidence / temperature)`` over the kept ones; a candidate's ``score`` is its weight
(0 for the dropped). Needs a model that returns logprobs; draws the same N samples as
``self_consistency``, so a bank replays it.
"""

from __future__ import annotations

import math
from dataclasses import replace

from graftml.budget import Ledger
from graftml.executors.ttc.preflight import check_request, resolve_spec
from graftml.executors.ttc.sampling import candidates_of, finish, generation_request
from graftml.executors.ttc.vote import majority_vote
from graftml.llm.base import LLMBackend
from graftml.ttc.session import Session
from graftml.ttc.types import Candidate, ConfidenceOptions, TTCError, TTCRequest, TTCResult

__all__ = ["confidence_vote", "sample_confidence"]


def confidence_vote(request: TTCRequest, backend: LLMBackend, ledger: Ledger | None = None
                    ) -> TTCResult:
    """N samples; the kept most confident ones vote, weighted by their confidence.

    Raises:
        TTCError: a model without logprobs, ``keep`` outside (0, 1], a temperature or group
            below its minimum, or any check of the request.
    """
    spec, options = resolve_spec(request, backend), request.confidence
    if not spec.capabilities.logprobs:
        raise TTCError(f"confidence_vote weighs samples by token logprobs, which model "
                       f"{spec.name!r} does not return; use self_consistency")
    if not 0 < options.keep <= 1 or options.temperature <= 0 or options.group < 1:
        raise TTCError(f"confidence keep must be in (0, 1], temperature > 0 and group >= 1, got "
                       f"{options.keep:g}, {options.temperature:g}, {options.group}")
    check_request(request, spec, "confidence_vote")
    session = Session(backend, spec, "confidence_vote", ledger)
    drawn = candidates_of(session.generate(generation_request(request, logprobs=True)), request)
    weighted = _weighted(drawn, options)
    vote = majority_vote(weighted, weighted=True)
    return finish(session, weighted, vote.chosen, vote.answer, vote.tally,
                  kept=sum(1 for c in weighted if (c.score or 0) > 0))


def sample_confidence(candidate: Candidate, options: ConfidenceOptions) -> float:
    """The candidate's confidence (higher is surer); -inf without logprobs."""
    logprobs = candidate.token_logprobs
    if not logprobs:
        return -math.inf
    if options.measure == "mean" or len(logprobs) <= options.group:
        return sum(logprobs) / len(logprobs)
    size = options.group
    window = sum(logprobs[:size])
    lowest = window
    for end in range(size, len(logprobs)):
        window += logprobs[end] - logprobs[end - size]
        lowest = min(lowest, window)
    return lowest / size


def _weighted(candidates: list[Candidate], options: ConfidenceOptions) -> list[Candidate]:
    confidence = {c.index: sample_confidence(c, options) for c in candidates}
    ranked = sorted(candidates, key=lambda c: (-confidence[c.index], c.index))
    kept = ranked[: max(1, math.ceil(options.keep * len(candidates)))]
    finite = [confidence[c.index] for c in kept if math.isfinite(confidence[c.index])]
    top = max(finite, default=0.0)
    raw = {c.index: math.exp((confidence[c.index] - top) / options.temperature)
           if math.isfinite(confidence[c.index]) else 0.0 for c in kept}
    total = sum(raw.values()) or 1.0
    return [replace(c, score=raw.get(c.index, 0.0) / total) for c in candidates]

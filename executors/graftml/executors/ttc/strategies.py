"""Sampling strategies: ``single``, ``best_of_n``, ``self_consistency`` and ``speculative``.

Each is a pure function of (request, backend, ledger) returning a
:class:`~graftml.executors.ttc.TTCResult`. The N samples are one backend request with ``n=N``:
the backend decides how to draw them (vLLM batches them; llama.cpp makes seeded calls
``seed, seed+1, ...``), so a run is reproducible from its seed. Every check runs before the
first call, so bad input spends nothing.
"""

from __future__ import annotations

from dataclasses import replace

from graftml.budget import Ledger
from graftml.executors.ttc.preflight import check_request, resolve_spec
from graftml.executors.ttc.sampling import candidates_of, finish, generation_request, scored
from graftml.executors.ttc.scorers import MeanLogprobScorer
from graftml.executors.ttc.vote import majority_vote
from graftml.llm.base import LLMBackend
from graftml.ttc.session import Session
from graftml.ttc.types import TTCError, TTCRequest, TTCResult

__all__ = ["best_of_n", "self_consistency", "single", "speculative"]


def single(request: TTCRequest, backend: LLMBackend, ledger: Ledger | None = None
           ) -> TTCResult:
    """One sample: greedy by default, sampled when ``request.temperature`` > 0.

    Raises:
        TTCError: ``request.n`` is not 1, or any check of the request fails.
    """
    spec = resolve_spec(request, backend)
    if request.n != 1:
        raise TTCError(f"single draws one sample, got n={request.n}; use best_of_n or "
                       "self_consistency for n > 1")
    check_request(request, spec, "single")
    session = Session(backend, spec, "single", ledger)
    candidates = scored(candidates_of(session.generate(generation_request(request)), request),
                        request, session)
    return finish(session, candidates, 0)


def best_of_n(request: TTCRequest, backend: LLMBackend, ledger: Ledger | None = None
              ) -> TTCResult:
    """N samples, each scored by ``request.scorer``; the best-scored wins (first on ties).

    Without a scorer, the mean-logprob scorer is used when the model returns logprobs.

    Raises:
        TTCError: no scorer can apply, or any check of the request fails.
    """
    spec = resolve_spec(request, backend)
    if request.scorer is None:
        if not spec.capabilities.logprobs:
            raise TTCError(f"best_of_n needs a scorer: model {spec.name!r} returns no logprobs "
                           "for the default mean_logprob scorer; pass scorer=...")
        request = replace(request, scorer=MeanLogprobScorer())
    check_request(request, spec, "best_of_n")
    session = Session(backend, spec, "best_of_n", ledger)
    candidates = scored(candidates_of(session.generate(generation_request(request)), request),
                        request, session)
    best = max(candidates, key=lambda c: (c.score or 0.0, -c.index))
    return finish(session, candidates, best.index)


def self_consistency(request: TTCRequest, backend: LLMBackend, ledger: Ledger | None = None
                     ) -> TTCResult:
    """N samples; the most frequent extracted final answer wins.

    With ``request.weighted`` each vote counts its candidate's score from ``request.scorer``.
    Ties go to the higher summed score, then to the answer sampled first; candidates with no
    extractable answer do not vote.

    Raises:
        TTCError: ``weighted`` without a scorer, or any check of the request fails.
    """
    spec = resolve_spec(request, backend)
    if request.weighted and request.scorer is None:
        raise TTCError("a weighted vote needs a scorer (e.g. MeanLogprobScorer())")
    check_request(request, spec, "self_consistency")
    session = Session(backend, spec, "self_consistency", ledger)
    candidates = scored(candidates_of(session.generate(generation_request(request)), request),
                        request, session)
    vote = majority_vote(candidates, weighted=request.weighted)
    return finish(session, candidates, vote.chosen, vote.answer, vote.tally)


def speculative(request: TTCRequest, backend: LLMBackend, ledger: Ledger | None = None
                ) -> TTCResult:
    """``single`` (or a majority vote for n > 1) with speculative decoding turned on.

    ``request.speculative`` (e.g. ``{"method": "prompt_lookup", "num_speculative_tokens": 4}``)
    is passed to the backend; at temperature 0 the output equals plain decoding, only faster.

    Raises:
        TTCError: no speculative config, a method the model's backend lacks, or any check of
            the request fails.
    """
    spec = resolve_spec(request, backend)
    if request.speculative is None:
        offered = list(spec.capabilities.speculative) or "none"
        raise TTCError(f"speculative needs speculative={{'method': ...}}; model {spec.name!r} "
                       f"offers {offered}")
    check_request(request, spec, "speculative")
    session = Session(backend, spec, "speculative", ledger)
    candidates = scored(candidates_of(session.generate(generation_request(request)), request),
                        request, session)
    vote = majority_vote(candidates)
    return finish(session, candidates, vote.chosen, vote.answer, vote.tally,
                  method=request.speculative.get("method"))

"""``cascade``: a cheap model answers, a strong one only where the cheap one is unsure
(weak-to-strong escalation; FrugalGPT, Chen et al., 2023; model cascades with vote agreement,
Yue et al., 2024).

The request's model draws ``request.n`` samples and votes. When the share of samples behind the
winning answer reaches ``cascade.agreement`` that answer stands; otherwise ``strong_n`` samples
of the strong model (greedy when one) vote and their answer stands. Every call goes through the
run's :class:`~graftml.ttc.session.Session`, so both models' tokens are counted, charged and
costed with their own cost models.
"""

from __future__ import annotations

from dataclasses import replace

from graftml.budget import Ledger
from graftml.executors.ttc.preflight import check_request, resolve_spec
from graftml.executors.ttc.sampling import candidates_of, finish, generation_request
from graftml.executors.ttc.vote import majority_vote
from graftml.llm.base import LLMBackend
from graftml.ttc.session import Session
from graftml.ttc.types import Candidate, TTCError, TTCRequest, TTCResult

__all__ = ["cascade", "vote_agreement"]


def cascade(request: TTCRequest, backend: LLMBackend, ledger: Ledger | None = None
            ) -> TTCResult:
    """The cheap model's vote, or the strong model's when the cheap vote is split.

    Raises:
        TTCError: a strong backend without its ``strong_spec``, ``strong_n`` below 1, an
            agreement outside (0, 1], or any check of the request on either model.
    """
    spec, options = resolve_spec(request, backend), request.cascade
    if (options.strong is None) != (options.strong_spec is None):
        raise TTCError("cascade: give strong= and strong_spec= together (the strong model's "
                       "backend and its registry entry), or neither to escalate to this model")
    if options.strong_n < 1 or not 0 < options.agreement <= 1:
        raise TTCError(f"cascade strong_n must be >= 1 and agreement in (0, 1], got "
                       f"{options.strong_n}, {options.agreement:g}")
    strong_spec = options.strong_spec or spec
    strong_request = replace(request, n=options.strong_n, model=strong_spec,
                             temperature=0.0 if options.strong_n == 1 else request.temperature)
    check_request(request, spec, "cascade")
    check_request(strong_request, strong_spec, "cascade")
    session = Session(backend, spec, "cascade", ledger)
    weak = candidates_of(session.generate(generation_request(request)), request)
    vote, agreement = majority_vote(weak), vote_agreement(weak)
    if agreement >= options.agreement:
        return finish(session, weak, vote.chosen, vote.answer, vote.tally, escalated=False,
                      agreement=agreement)
    seed = strong_request.seed + (request.n if options.strong is None else 0)
    result = session.generate(generation_request(strong_request, seed=seed),
                              backend=options.strong, spec=options.strong_spec)
    strong = candidates_of(result, strong_request, start=len(weak))
    decided = majority_vote(strong)
    return finish(session, weak + strong, decided.chosen, decided.answer, decided.tally,
                  escalated=True, agreement=agreement)


def vote_agreement(candidates: list[Candidate]) -> float:
    """The share of ``candidates`` behind the most frequent answer (no answer never agrees)."""
    if not candidates:
        return 0.0
    tally = majority_vote(candidates).tally
    return max(tally.values(), default=0.0) / len(candidates)

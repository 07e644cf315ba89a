"""Adaptive votes: draw samples a window at a time and stop as soon as the vote is settled.

* ``early_stopping_self_consistency`` (ESC, Li et al., 2024): stop at the first window whose
  answers are unanimous.
* ``adaptive_consistency`` (Aggarwal et al., 2023): stop when the probability that the leading
  answer's share stays above the runner-up's, under a Beta posterior over their two counts,
  reaches ``confidence``.

Both vote over every sample drawn, never more than ``request.n``. Sample ``i`` always has seed
``request.seed + i``, so a run draws a prefix of the samples fixed self-consistency at N would
draw (on seeded backends, exactly those; a sample bank replays them), and the saving is the
samples not drawn.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from graftml.budget import Ledger
from graftml.executors.ttc.preflight import check_request, resolve_spec
from graftml.executors.ttc.sampling import candidates_of, finish, generation_request
from graftml.executors.ttc.vote import majority_vote
from graftml.llm.base import LLMBackend
from graftml.ttc.session import Session
from graftml.ttc.types import Candidate, TTCError, TTCRequest, TTCResult

__all__ = ["adaptive_consistency", "early_stopping_self_consistency", "lead_probability"]

Settled = Callable[[list[Candidate], list[Candidate], TTCRequest], bool]


def early_stopping_self_consistency(request: TTCRequest, backend: LLMBackend,
                                    ledger: Ledger | None = None) -> TTCResult:
    """Self-consistency that stops at the first unanimous window of samples.

    Raises:
        TTCError: a window below 1, or any check of the request.
    """
    return _adaptive(request, backend, ledger, "early_stopping_self_consistency", _unanimous)


def adaptive_consistency(request: TTCRequest, backend: LLMBackend,
                         ledger: Ledger | None = None) -> TTCResult:
    """Self-consistency that stops once the leader is ahead with ``confidence``.

    Raises:
        TTCError: a window below 1, a confidence outside (0.5, 1), or any check of the request.
    """
    confidence = request.adaptive.confidence
    if not 0.5 < confidence < 1:
        raise TTCError(f"adaptive confidence must be in (0.5, 1), got {confidence:g}")
    return _adaptive(request, backend, ledger, "adaptive_consistency", _confident)


def lead_probability(leader: int, runner_up: int) -> float:
    """P(the leader's share of the two exceeds one half) under Beta(leader + 1, runner_up + 1).

    For whole counts the Beta tail is a binomial sum: P(Bin(n, 1/2) <= leader) with
    n = leader + runner_up + 1 (exact, no special functions).
    """
    n = leader + runner_up + 1
    return float(sum(math.comb(n, k) for k in range(leader + 1)) / 2**n)


def _unanimous(window: list[Candidate], drawn: list[Candidate], request: TTCRequest) -> bool:
    answers = {c.answer for c in window}
    return len(window) > 1 and len(answers) == 1 and None not in answers


def _confident(window: list[Candidate], drawn: list[Candidate], request: TTCRequest) -> bool:
    counts = Counter(c.answer for c in drawn if c.answer is not None).most_common(2)
    if not counts:
        return False
    runner_up = counts[1][1] if len(counts) > 1 else 0
    return lead_probability(counts[0][1], runner_up) >= request.adaptive.confidence


def _adaptive(request: TTCRequest, backend: LLMBackend, ledger: Ledger | None, name: str,
              settled: Settled) -> TTCResult:
    spec = resolve_spec(request, backend)
    if request.adaptive.window < 1:
        raise TTCError(f"adaptive window must be >= 1, got {request.adaptive.window}")
    check_request(request, spec, name)
    session = Session(backend, spec, name, ledger)
    drawn: list[Candidate] = []
    while len(drawn) < request.n:
        size = min(request.adaptive.window, request.n - len(drawn))
        result = session.generate(generation_request(request, n=size,
                                                     seed=request.seed + len(drawn)))
        window = candidates_of(result, request, start=len(drawn))
        drawn += window
        if settled(window, drawn, request):
            break
    vote = majority_vote(drawn)
    return finish(session, drawn, vote.chosen, vote.answer, vote.tally, drawn=len(drawn))

"""The two plugin contracts of test-time compute: a :data:`Strategy` and a :class:`Scorer`.

A strategy answers one :class:`~graftml.ttc.types.TTCRequest` on one backend and returns a
:class:`~graftml.ttc.types.TTCResult`; a scorer ranks the candidates a strategy drew. Both are
found by name through the ``graftml.strategies`` / ``graftml.scorers`` entry points, and
:class:`graftml.testing.strategies.StrategyContract` is the suite every strategy passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from graftml.budget import Ledger
from graftml.llm.base import LLMBackend
from graftml.ttc.session import Session
from graftml.ttc.types import Candidate, TTCRequest, TTCResult

__all__ = ["Scorer", "Strategy"]

#: ``strategy(request, backend, ledger)``: called once per question. It must run every check
#: before its first backend call (raising :class:`~graftml.ttc.types.TTCError`, spending
#: nothing), make every call through a :class:`~graftml.ttc.session.Session` so tokens are
#: counted and charged, and return the chosen answer with all its candidates and the spend.
Strategy = Callable[[TTCRequest, LLMBackend, "Ledger | None"], TTCResult]


@runtime_checkable
class Scorer(Protocol):
    """Ranks candidates. ``needs_logprobs`` makes strategies request token logprobs (and reject
    models without them before sampling)."""

    @property
    def name(self) -> str:
        """Short name, used in messages and results."""
        ...

    @property
    def needs_logprobs(self) -> bool:
        """True when :meth:`score` reads ``Candidate.token_logprobs``."""
        ...

    def score(self, request: TTCRequest, candidates: Sequence[Candidate],
              session: Session) -> list[float]:
        """Called by a strategy once per round of sampling, with that round's candidates.

        Returns one score in [0, 1] per candidate, in order. A scorer that calls a model must do
        so through ``session.generate`` so its tokens are counted and charged; it must not
        change the candidates.
        """
        ...

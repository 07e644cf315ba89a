"""The searcher contract: an ask/tell state machine over the candidate tree.

A searcher decides *what to try next* (which operator on which parents); it never builds
candidates, runs jobs, reads clocks, does I/O or calls an LLM. The orchestrator owns all of that.
The contract suite in :mod:`graftml.testing.searchers` checks every implementation.
"""

from __future__ import annotations

import abc

from graftml.types import Outcome, Proposal


class Searcher(abc.ABC):
    """Base class of all searchers.

    Determinism: given the same constructor arguments and the same sequence of ``ask``/``tell``
    calls, a searcher returns the same proposals. The orchestrator relies on this to restore a
    searcher after ``kill -9`` by replaying the journal.
    """

    @abc.abstractmethod
    def ask(self) -> Proposal | None:
        """Called by the orchestrator whenever a worker is free.

        Returns the next proposal, or ``None`` when nothing can be proposed right now (for example
        every useful proposal waits on nodes still in flight). Must not return a proposal that
        duplicates one in flight (MCTS uses virtual loss for this). Proposal ids are unique for the
        searcher's lifetime.
        """

    @abc.abstractmethod
    def tell(self, proposal_id: str, outcome: Outcome) -> None:
        """Called once per proposal returned by :meth:`ask`, when its node has finished.

        Must raise ``KeyError`` for an unknown or already-told ``proposal_id``.
        """


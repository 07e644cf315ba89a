"""AIDE-style greedy search: drafts, then debug buggy leaves or refine the current best."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from graftml.config import SearcherSettings
from graftml.operators import Role
from graftml.search._base import OPERATORS, Operators, TreeSearcher, check_range
from graftml.search._tree import Choice, TreeNode


class GreedySettings(SearcherSettings):
    """The ``searcher`` section of ``kind: greedy``."""

    kind: Literal["greedy"] = "greedy"
    debug_prob: float = Field(0.5, ge=0, le=1)
    merge_every: int = Field(5, ge=1)


class GreedySearcher(TreeSearcher):
    """Greedy tree search after AIDE.

    Each step after the drafts draws once from the seeded rng:

    1. with probability ``debug_prob``, debug the oldest failed leaf whose debug depth is below
       ``max_debug_depth``;
    2. otherwise, on every ``merge_every``-th step, merge (each operator of role ``combine``) the
       top ``min(merge_k, #ok)`` ok nodes (at least two, and never the same parent set twice);
    3. otherwise refine the best ok node, the refine operators (``improve``, ``tune``, any
       other of role ``refine``) taking turns.

    When the chosen move is impossible (its parent busy with the same proposal, nothing to
    debug) the next one down the list is taken, then the next-best ok nodes, then debugging.

    Args:
        num_drafts: how many drafts open the search.
        seed: seed of the searcher's rng.
        operators: enabled operators (names, or names with their roles); one must draft.
        max_debug_depth: debug chains longer than this are abandoned.
        debug_prob: probability that a step debugs (when something is debuggable).
        merge_every: a merge is due on steps ``merge_every``, ``2 * merge_every``, ...
            (drafts not counted).
        merge_k: most nodes in one merge.
    """

    kind = "greedy"
    Settings = GreedySettings

    def __init__(self, num_drafts: int, seed: int = 0, operators: Operators = OPERATORS,
                 max_debug_depth: int = 3, debug_prob: float = 0.5, merge_every: int = 5,
                 merge_k: int = 5) -> None:
        super().__init__(num_drafts, seed, operators, max_debug_depth)
        check_range("debug_prob", debug_prob, 0.0, 1.0)
        check_range("merge_every", merge_every, 1)
        check_range("merge_k", merge_k, 2)
        self.debug_prob = debug_prob
        self.merge_every = merge_every
        self.merge_k = merge_k
        self._steps = 0  # proposals made after the drafts
        self._refine_next = 0  # index into the refine operators of the one whose turn it is

    def _choices(self) -> Iterator[Choice]:
        debug_first = self._rng.random() < self.debug_prob
        if debug_first:
            yield from self._debug_choices()
        if (self._steps + 1) % self.merge_every == 0:
            yield from self._merge_choice()
        yield from self._refine_choices()
        if not debug_first:
            yield from self._debug_choices()

    def _merge_choice(self) -> Iterator[Choice]:
        top = self._tree.ranked_ok()[: self.merge_k]
        if len(top) >= 2:
            for operator in self.of_role(Role.COMBINE):
                yield Choice(operator, tuple(node.id for node in top), {"k": len(top)})

    def _refine_choices(self) -> Iterator[Choice]:
        refine = self.of_role(Role.REFINE)
        order = refine[self._refine_next:] + refine[: self._refine_next]
        for node in self._tree.ranked_ok():
            for operator in order:
                yield Choice(operator, (node.id,))

    def _on_ask(self, node: TreeNode) -> None:
        operator = node.choice.operator
        if operator != self._draft_operator:
            self._steps += 1
        refine = self.of_role(Role.REFINE)
        if operator in refine:
            self._refine_next = (refine.index(operator) + 1) % len(refine)

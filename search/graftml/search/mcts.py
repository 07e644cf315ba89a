"""Monte-Carlo tree search (UCT) over the candidate tree, with virtual loss for parallel asks."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from graftml.config import SearcherSettings
from graftml.operators import Role
from graftml.search._base import OPERATORS, Operators, TreeSearcher, check_range
from graftml.search._tree import Choice, TreeNode
from graftml.types import NodeStatus

ROOT = ""  # the virtual root, parent of every draft


@dataclass
class _Stats:
    """Backed-up statistics of a subtree (the node itself included)."""

    visits: int = 0  # told descendants-or-self, killed ones excepted
    virtual: int = 0  # in-flight strict descendants: each counts as a visit with reward 0
    ok_count: int = 0
    ok_sum: float = 0.0  # raw scores; normalised lazily since min/max move


class MCTSSettings(SearcherSettings):
    """The ``searcher`` section of ``kind: mcts``."""

    kind: Literal["mcts"] = "mcts"
    exploration: float = Field(1.0, ge=0)


class MCTSSearcher(TreeSearcher):
    """UCT over the node tree; the root is a virtual node whose children are the drafts.

    Reward of a told node: its score min-max normalised over every ok score seen so far (1.0
    while all ok scores are equal); failed and pruned nodes get 0; killed nodes do not count.
    A subtree's value ``Q`` is the mean reward over its told nodes, computed from raw sums backed
    up on :meth:`tell`, so re-normalising costs nothing.

    Expansion: an ok node gets a refine operator (``improve``, ``tune``, ...: the one it has
    fewest children of), a failed leaf below ``max_debug_depth`` a repair (``debug``).
    Selection descends from the root by ``Q + exploration * sqrt(ln N_parent / N_child)`` and
    stops at an expandable node whose live children number fewer than
    ``max(1, widening_c * N ** widening_alpha)`` (progressive widening: ``widening_alpha=0``
    grows chains, a large ``widening_c`` always widens), or that has nothing eligible below it.
    Combine and pair operators (merge, crossover) are never proposed.

    Virtual loss: every in-flight proposal adds one visit with reward 0 to each of its
    ancestors (its parent up to the root) from :meth:`ask` until its :meth:`tell`. On top, a
    node with an in-flight child is not eligible for expansion while some expandable node
    without one exists; so ``k`` asks before any tell expand ``k`` distinct parents whenever
    at least ``k`` nodes are expandable.

    Args:
        num_drafts: how many drafts open the search.
        seed: seed of the searcher's rng (UCT itself is deterministic; ties go to older nodes).
        operators: enabled operators (names, or names with their roles); one must draft.
        max_debug_depth: debug chains longer than this are abandoned.
        exploration: the UCT constant ``c`` (rewards lie in [0, 1]).
        widening_c: progressive-widening coefficient.
        widening_alpha: progressive-widening exponent.
    """

    kind = "mcts"
    Settings = MCTSSettings

    def __init__(self, num_drafts: int, seed: int = 0, operators: Operators = OPERATORS,
                 max_debug_depth: int = 3, exploration: float = 1.0, widening_c: float = 1.0,
                 widening_alpha: float = 0.5) -> None:
        super().__init__(num_drafts, seed, operators, max_debug_depth)
        check_range("exploration", exploration, 0.0)
        check_range("widening_c", widening_c, 0.0)
        check_range("widening_alpha", widening_alpha, 0.0, 1.0)
        self.exploration = exploration
        self.widening_c = widening_c
        self.widening_alpha = widening_alpha
        self._stats: dict[str, _Stats] = {ROOT: _Stats()}

    def _choices(self) -> Iterator[Choice]:
        expandable = [node for node in self._tree.nodes.values() if self._expansions(node)]
        idle = [node for node in expandable
                if not any(self._tree.nodes[c].in_flight for c in node.children)]
        eligible = {node.id for node in (idle or expandable)}
        if eligible:
            yield from self._expansions(self._tree.nodes[self._select(eligible)])
        for node in expandable:  # only reached when the selected node's moves are all busy
            yield from self._expansions(node)

    def _expansions(self, node: TreeNode) -> list[Choice]:
        """Moves that expand ``node``, preferred first (empty: not expandable)."""
        if node.is_failed:
            debuggable = self._tree.is_debuggable(node, self.max_debug_depth)
            repairs = self.repairs_for(node) if debuggable else []
            return [Choice(op, (node.id,)) for op in repairs]
        if not node.is_ok:
            return []
        ops = self.of_role(Role.REFINE)
        kids = [self._tree.nodes[c].choice.operator for c in node.children]
        return [Choice(op, (node.id,)) for op in sorted(ops, key=kids.count)]

    def _select(self, eligible: set[str]) -> str:
        """Descend from the root to the eligible node where UCT stops."""
        reach = set(eligible)
        for node_id in eligible:
            reach.update(self._ancestors(node_id))
        scores = [node.score for node in self._tree.nodes.values() if node.score is not None]
        bounds = (min(scores, default=0.0), max(scores, default=0.0))
        current = ROOT
        while True:
            kids = [c for c in self._children(current) if c in reach]
            if current in eligible and (not kids or self._may_widen(current)):
                return current
            current = self._best_child(current, kids, bounds)

    def _best_child(self, parent: str, kids: list[str], bounds: tuple[float, float]) -> str:
        """The child of highest UCT; the oldest wins ties."""
        log_parent = math.log(max(self._effective_visits(parent), 1))

        def uct(child: str) -> float:
            explore = math.sqrt(log_parent / self._effective_visits(child))
            return self._value(child, bounds) + self.exploration * explore

        return max(kids, key=uct)

    def _value(self, node_id: str, bounds: tuple[float, float]) -> float:
        """Mean normalised reward of a subtree, its in-flight virtual losses included."""
        stats = self._stats[node_id]
        low, high = bounds
        if high > low:
            reward = (stats.ok_sum - stats.ok_count * low) / (high - low)
        else:
            reward = float(stats.ok_count)
        return reward / max(self._effective_visits(node_id), 1)

    def _effective_visits(self, node_id: str) -> int:
        stats = self._stats[node_id]
        return stats.visits + stats.virtual

    def _may_widen(self, node_id: str) -> bool:
        live = [c for c in self._children(node_id)
                if self._tree.nodes[c].status != NodeStatus.KILLED]
        limit = self.widening_c * math.pow(self._effective_visits(node_id), self.widening_alpha)
        return len(live) < max(limit, 1.0)

    def _children(self, node_id: str) -> list[str]:
        if node_id == ROOT:
            return [n.id for n in self._tree.nodes.values() if not n.choice.parent_ids]
        return self._tree.nodes[node_id].children

    def _ancestors(self, node_id: str) -> list[str]:
        """Parent, grandparent, ..., root (first parent only: MCTS nodes have one)."""
        chain = []
        while node_id != ROOT:
            parents = self._tree.nodes[node_id].choice.parent_ids
            node_id = parents[0] if parents else ROOT
            chain.append(node_id)
        return chain

    def _on_ask(self, node: TreeNode) -> None:
        self._stats[node.id] = _Stats()
        for ancestor in self._ancestors(node.id):
            self._stats[ancestor].virtual += 1

    def _on_tell(self, node: TreeNode) -> None:
        ancestors = self._ancestors(node.id)
        for ancestor in ancestors:
            self._stats[ancestor].virtual -= 1
        if node.status == NodeStatus.KILLED:
            return
        for node_id in [node.id, *ancestors]:  # backpropagate
            stats = self._stats[node_id]
            stats.visits += 1
            if node.score is not None:
                stats.ok_count += 1
                stats.ok_sum += node.score

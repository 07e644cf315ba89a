"""Node bookkeeping shared by every searcher: the candidate tree as the searcher sees it.

A :class:`SearchTree` records each proposal as a :class:`TreeNode` (``running`` until told), in
creation order. All queries return nodes in a deterministic order (creation order, or score
descending with creation order breaking ties) so that replaying the same ask/tell sequence gives
the same answers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from graftml.types import FAILED_STATUSES, NodeStatus, Outcome, Proposal


@dataclass(frozen=True)
class Choice:
    """A proposal before it gets an id: ``operator`` applied to ``parent_ids`` with ``params``."""

    operator: str
    parent_ids: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[str, tuple[str, ...], str]:
        """Identity used to refuse a duplicate of a proposal still in flight."""
        return (self.operator, self.parent_ids, json.dumps(self.params, sort_keys=True))


@dataclass
class TreeNode:
    """One proposal and, once told, its outcome."""

    id: str
    choice: Choice
    status: NodeStatus = NodeStatus.RUNNING
    score: float | None = None
    debug_depth: int = 0
    children: list[str] = field(default_factory=list)
    built: bool = True  # False: its operator could not build a candidate, nothing ran

    @property
    def is_ok(self) -> bool:
        return self.status == NodeStatus.OK and self.score is not None

    @property
    def is_failed(self) -> bool:
        return self.status in FAILED_STATUSES

    @property
    def in_flight(self) -> bool:
        return self.status == NodeStatus.RUNNING

    def proposal(self) -> Proposal:
        """The :class:`~graftml.types.Proposal` handed to the orchestrator for this node."""
        return Proposal(self.id, self.choice.operator, self.choice.parent_ids,
                        dict(self.choice.params))


class SearchTree:
    """Every node a searcher has proposed, keyed by id, in creation order."""

    def __init__(self, repairs: frozenset[str] = frozenset({"debug"})) -> None:
        self.nodes: dict[str, TreeNode] = {}
        self.repairs = repairs  # operators whose nodes extend a debug chain

    def add(self, choice: Choice) -> TreeNode:
        """Record a new in-flight node for ``choice``; ids are ``n0000``, ``n0001``, ..."""
        node_id = f"n{len(self.nodes):04d}"
        depth = 0
        if choice.operator in self.repairs:
            depth = self.nodes[choice.parent_ids[0]].debug_depth + 1
        node = TreeNode(node_id, choice, debug_depth=depth)
        for parent_id in choice.parent_ids:
            self.nodes[parent_id].children.append(node_id)
        self.nodes[node_id] = node
        return node

    def record(self, node_id: str, outcome: Outcome) -> TreeNode:
        """Store ``outcome`` on an in-flight node.

        An ok outcome whose score is missing or not finite leaves a node that is neither ok nor
        failed: it ends its branch, like a pruned node.

        Raises:
            KeyError: ``node_id`` is unknown or was already told.
            ValueError: ``outcome.status`` is ``running``.
        """
        node = self.nodes.get(node_id)
        if node is None or not node.in_flight:
            state = "unknown" if node is None else f"already told ({node.status})"
            raise KeyError(f"proposal {node_id!r} is {state}; tell each asked id once")
        if outcome.status == NodeStatus.RUNNING:
            raise ValueError(f"outcome of {node_id!r} is 'running'; tell only finished nodes")
        node.status = NodeStatus(outcome.status)
        node.built = outcome.built
        score = outcome.score
        finite = score is not None and math.isfinite(score)
        node.score = score if finite and node.status == NodeStatus.OK else None
        return node

    def in_flight(self) -> list[TreeNode]:
        return [node for node in self.nodes.values() if node.in_flight]

    def in_flight_keys(self) -> set[tuple[str, tuple[str, ...], str]]:
        return {node.choice.key() for node in self.in_flight()}

    def ranked_ok(self) -> list[TreeNode]:
        """Ok nodes, best score first; earlier nodes win ties."""
        scored = [(node.score, node) for node in self.nodes.values() if node.score is not None]
        return [node for _, node in sorted(scored, key=lambda pair: -pair[0])]

    def is_debuggable(self, node: TreeNode, max_debug_depth: int) -> bool:
        """Whether ``node`` ran and failed, is a leaf (killed children aside) and its debug chain
        is shorter than ``max_debug_depth``."""
        return (node.is_failed and node.built and node.debug_depth < max_debug_depth
                and all(self.nodes[c].status == NodeStatus.KILLED for c in node.children))

    def debuggable(self, max_debug_depth: int) -> list[TreeNode]:
        """Every node :meth:`is_debuggable`, oldest first."""
        return [node for node in self.nodes.values()
                if self.is_debuggable(node, max_debug_depth)]

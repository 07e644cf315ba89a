"""Append-only JSONL journal of the search: the run's source of truth.

Each line is one event, written and flushed to the OS at once (that survives ``kill -9``); the
file is fsync'd with every ``start`` and ``tell``, the events that end a step, so a crash of the
machine itself loses at most the step in progress (ask/finish ride with the next fsync):

* ``{"event": "ask", "seq": k, "proposal": {...}}``  a searcher proposal was taken;
* ``{"event": "start", "seq": k, "node": {...}}``     a node's candidate was built and submitted;
* ``{"event": "finish", "seq": k, "node": {...}}``    a node ended (ok, failed, pruned, killed);
* ``{"event": "tell", "seq": k, "proposal_id": ..., "outcome": {...}}``.

Replaying the file rebuilds every node (the last record of a node wins) and the exact sequence of
ask/tell calls, so a deterministic searcher is restored by replay after ``kill -9``. A torn last
line (the process died mid-write) is ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from graftml.types import Node, NodeStatus, Outcome, Proposal


class Journal:
    """Append-only event log backed by one JSONL file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seq = sum(1 for _ in self.events())
        torn = path.exists() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")
        self._fh = path.open("a")
        if torn:  # kill -9 mid-write: end the torn line so the next event starts clean
            self._fh.write("\n")

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _append(self, event: dict[str, Any], sync: bool = True) -> None:
        event["seq"] = self._seq
        self._seq += 1
        self._fh.write(json.dumps(event, default=str) + "\n")
        self._fh.flush()
        if sync:
            os.fsync(self._fh.fileno())

    def ask(self, proposal: Proposal) -> None:
        self._append({"event": "ask", "proposal": asdict(proposal)}, sync=False)

    def start(self, node: Node) -> None:
        self._append({"event": "start", "node": node.to_dict()})

    def finish(self, node: Node) -> None:
        self._append({"event": "finish", "node": node.to_dict()}, sync=False)

    def tell(self, proposal_id: str, outcome: Outcome) -> None:
        self._append(
            {
                "event": "tell",
                "proposal_id": proposal_id,
                "outcome": {"status": str(outcome.status), "score": outcome.score,
                            "cost_s": outcome.cost_s, "built": outcome.built,
                            "exhausted": outcome.exhausted},
            }
        )

    def events(self) -> Iterator[dict[str, Any]]:
        """Every complete event in order (a torn trailing line is skipped)."""
        return read_events(self.path)

    def nodes(self) -> dict[str, Node]:
        """Replay: the latest record of every node, in order of first appearance."""
        return replay_nodes(self.path)


def read_events(path: Path) -> Iterator[dict[str, Any]]:
    """Events of a journal file, without opening it for writing."""
    if not path.exists():
        return
    with path.open() as fh:
        for line in fh:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def replay_nodes(path: Path) -> dict[str, Node]:
    """The latest record of every node in a journal file."""
    nodes: dict[str, Node] = {}
    for event in read_events(path):
        if event["event"] in ("start", "finish"):
            node = Node.from_dict(event["node"])
            nodes[node.id] = node
    return nodes


def proposal_from_dict(d: dict[str, Any]) -> Proposal:
    return Proposal(id=d["id"], operator=d["operator"], parent_ids=tuple(d["parent_ids"]),
                    params=d.get("params", {}))


def outcome_from_dict(d: dict[str, Any]) -> Outcome:
    return Outcome(status=NodeStatus(d["status"]), score=d["score"], cost_s=d.get("cost_s", 0.0),
                   built=d.get("built", True), exhausted=d.get("exhausted", False))

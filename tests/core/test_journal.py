from __future__ import annotations

from pathlib import Path

from graftml.journal import Journal, read_events
from graftml.types import Node, NodeStatus, Outcome, Proposal


def test_replay_keeps_the_latest_record_of_each_node(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.ask(Proposal("p0", "draft", params={"draft_index": 0}))
        node = Node(id="p0", operator="draft", code="x = 1")
        journal.start(node)
        node.status, node.score = NodeStatus.OK, 0.9
        journal.finish(node)
        journal.tell("p0", Outcome(NodeStatus.OK, 0.9))
        journal.start(Node(id="p1", operator="improve", parent_ids=("p0",)))
    nodes = Journal(path).nodes()
    assert nodes["p0"].status == NodeStatus.OK and nodes["p0"].score == 0.9
    assert nodes["p1"].status == NodeStatus.RUNNING and nodes["p1"].parent_ids == ("p0",)
    assert [e["seq"] for e in read_events(path)] == [0, 1, 2, 3, 4]


def test_a_torn_last_line_is_skipped_and_the_next_event_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.start(Node(id="a", operator="draft"))
    with path.open("a") as fh:
        fh.write('{"event": "finish", "node": {"id": "a", "stat')
    with Journal(path) as journal:
        journal.start(Node(id="b", operator="draft"))
    assert list(Journal(path).nodes()) == ["a", "b"]

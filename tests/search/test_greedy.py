"""GreedySearcher: debug chains stop at max_debug_depth; merges come every merge_every steps."""

from __future__ import annotations

import pytest

from graftml.search import GreedySearcher
from graftml.types import NodeStatus, Outcome, Proposal


def ask(searcher: GreedySearcher) -> Proposal:
    proposal = searcher.ask()
    assert proposal is not None
    return proposal


def test_debug_chain_stops_at_max_debug_depth() -> None:
    searcher = GreedySearcher(num_drafts=1, max_debug_depth=2, debug_prob=1.0)
    asked = []
    while (proposal := searcher.ask()) is not None:
        asked.append(proposal)
        searcher.tell(proposal.id, Outcome(NodeStatus.ERROR))
    assert [(p.operator, p.parent_ids) for p in asked] == [
        ("draft", ()), ("debug", ("n0000",)), ("debug", ("n0001",))]


def test_merges_every_merge_every_steps_between_improve_and_tune() -> None:
    searcher = GreedySearcher(num_drafts=2, debug_prob=0.0, merge_every=3)
    operators = []
    for step in range(11):
        proposal = ask(searcher)
        operators.append(proposal.operator)
        searcher.tell(proposal.id, Outcome(NodeStatus.OK, float(step)))
    assert operators[2:] == ["improve", "tune", "merge"] * 3


def test_merge_takes_top_k_best_first() -> None:
    searcher = GreedySearcher(num_drafts=7, debug_prob=0.0, merge_every=1, merge_k=5)
    for score in (0.1, 0.7, 0.3, 0.9, 0.5, 0.2, 0.8):
        searcher.tell(ask(searcher).id, Outcome(NodeStatus.OK, score))
    merge = ask(searcher)
    assert (merge.operator, merge.params) == ("merge", {"k": 5})
    assert merge.parent_ids == ("n0003", "n0006", "n0001", "n0004", "n0002")


def test_same_parent_set_is_not_merged_twice() -> None:
    searcher = GreedySearcher(num_drafts=2, debug_prob=0.0, merge_every=1,
                              operators=("draft", "improve", "merge"))
    for score in (0.4, 0.6):
        searcher.tell(ask(searcher).id, Outcome(NodeStatus.OK, score))
    merge = ask(searcher)
    searcher.tell(merge.id, Outcome(NodeStatus.ERROR))
    assert ask(searcher).operator == "improve"


def test_killed_merge_may_be_proposed_again() -> None:
    searcher = GreedySearcher(num_drafts=2, debug_prob=0.0, merge_every=1)
    for score in (0.4, 0.6):
        searcher.tell(ask(searcher).id, Outcome(NodeStatus.OK, score))
    merge = ask(searcher)
    searcher.tell(merge.id, Outcome(NodeStatus.KILLED))
    assert ask(searcher).parent_ids == merge.parent_ids


def test_debugs_failures_even_at_debug_prob_zero_when_nothing_else_is_possible() -> None:
    searcher = GreedySearcher(num_drafts=1, debug_prob=0.0)
    searcher.tell(ask(searcher).id, Outcome(NodeStatus.TIMEOUT))
    assert ask(searcher).operator == "debug"


def test_refines_with_tune_only_when_improve_is_disabled() -> None:
    searcher = GreedySearcher(num_drafts=1, debug_prob=0.0, operators=("draft", "tune"))
    operators = []
    for step in range(5):
        proposal = ask(searcher)
        operators.append(proposal.operator)
        searcher.tell(proposal.id, Outcome(NodeStatus.OK, float(step)))
    assert operators == ["draft"] + ["tune"] * 4


def test_refines_the_current_best() -> None:
    searcher = GreedySearcher(num_drafts=3, debug_prob=0.0)
    for score in (0.2, 0.8, 0.5):
        searcher.tell(ask(searcher).id, Outcome(NodeStatus.OK, score))
    assert ask(searcher).parent_ids == ("n0001",)


@pytest.mark.parametrize(("exhausted", "tries"), [(False, 2), (True, 1)])
def test_a_choice_that_cannot_be_built_is_dropped_and_never_debugged(exhausted: bool,
                                                                     tries: int) -> None:
    """Twice unbuilt (the operator may succeed another time), or once when it has nothing left."""
    searcher = GreedySearcher(num_drafts=2, debug_prob=1.0, merge_every=100,
                              operators=("draft", "improve", "debug"))
    for score in (0.9, 0.5):
        searcher.tell(ask(searcher).id, Outcome(NodeStatus.OK, score))
    asked = []
    for _ in range(2 * tries):
        proposal = ask(searcher)
        asked.append((proposal.operator, proposal.parent_ids))
        searcher.tell(proposal.id, Outcome(NodeStatus.ERROR, built=False, exhausted=exhausted))
    assert asked == [("improve", ("n0000",))] * tries + [("improve", ("n0001",))] * tries
    assert searcher.ask() is None

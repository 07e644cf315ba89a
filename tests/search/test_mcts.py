"""MCTSSearcher: virtual loss spreads parallel asks; UCT follows reward; failures back up 0."""

from __future__ import annotations

from collections.abc import Sequence

from graftml.search import MCTSSearcher
from graftml.types import NodeStatus, Outcome, Proposal


def ask(searcher: MCTSSearcher) -> Proposal:
    proposal = searcher.ask()
    assert proposal is not None
    return proposal


def drafted(scores: Sequence[float | None], exploration: float = 1.0,
            widening_alpha: float = 0.5) -> MCTSSearcher:
    """An MCTS searcher whose drafts were told ``scores`` (None: the draft failed)."""
    searcher = MCTSSearcher(num_drafts=len(scores), exploration=exploration,
                            widening_alpha=widening_alpha)
    for score in scores:
        status = NodeStatus.ERROR if score is None else NodeStatus.OK
        searcher.tell(ask(searcher).id, Outcome(status, score))
    return searcher


def test_four_outstanding_asks_expand_four_distinct_parents() -> None:
    searcher = drafted([0.9, 0.1, 0.5, 0.4, 0.8])
    parents = [ask(searcher).parent_ids for _ in range(4)]
    assert len(set(parents)) == 4


def test_virtual_loss_spreads_asks_over_ok_and_failed_nodes() -> None:
    searcher = drafted([0.9, None, 0.5, None])
    proposals = [ask(searcher) for _ in range(4)]
    assert len({p.parent_ids for p in proposals}) == 4
    assert sorted(p.operator for p in proposals) == ["debug", "debug", "improve", "improve"]


def test_more_asks_than_expandable_nodes_reuse_parents_without_duplicates() -> None:
    searcher = drafted([0.9, 0.5])
    proposals = [ask(searcher) for _ in range(4)]
    assert len({(p.operator, p.parent_ids) for p in proposals}) == 4
    assert searcher.ask() is None


def test_uct_expands_the_highest_reward_draft_first() -> None:
    searcher = drafted([0.1, 0.9, 0.5])
    assert ask(searcher).parent_ids == ("n0001",)


def test_a_failed_child_backs_up_reward_zero() -> None:
    searcher = drafted([0.9, 0.1, 0.5])
    first = ask(searcher)
    searcher.tell(first.id, Outcome(NodeStatus.ERROR))
    assert (first.parent_ids, ask(searcher).parent_ids) == (("n0000",), ("n0002",))


def test_progressive_widening_adds_a_second_child_once_visits_allow() -> None:
    searcher = drafted([0.5], exploration=0.0)
    searcher.tell(ask(searcher).id, Outcome(NodeStatus.OK, 0.6))
    assert ask(searcher).parent_ids == ("n0000",)


def test_zero_widening_exponent_grows_a_chain() -> None:
    searcher = drafted([0.5], exploration=0.0, widening_alpha=0.0)
    child = ask(searcher)
    searcher.tell(child.id, Outcome(NodeStatus.OK, 0.6))
    assert ask(searcher).parent_ids == (child.id,)


def test_killed_node_releases_its_virtual_loss() -> None:
    searcher = drafted([0.9, 0.1])
    first = ask(searcher)
    searcher.tell(first.id, Outcome(NodeStatus.KILLED))
    assert ask(searcher).parent_ids == first.parent_ids  # free again

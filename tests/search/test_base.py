"""Machinery all searchers share: drafts, kills, ids, configuration checks, checkpoints."""

from __future__ import annotations

import pytest

from graftml.errors import ConfigError
from graftml.search import make_searcher
from graftml.searcher import Searcher
from graftml.types import NodeStatus, Outcome, Proposal


def ask(searcher: Searcher) -> Proposal:
    proposal = searcher.ask()
    assert proposal is not None
    return proposal


def test_killed_draft_is_proposed_again(searcher_kind: str) -> None:
    searcher = make_searcher(searcher_kind, num_drafts=2)
    first, _ = ask(searcher), ask(searcher)
    searcher.tell(first.id, Outcome(NodeStatus.KILLED))
    again = ask(searcher)
    assert (again.operator, again.params) == ("draft", first.params)
    assert again.id != first.id


def test_ids_follow_creation_order(searcher_kind: str) -> None:
    searcher = make_searcher(searcher_kind, num_drafts=3)
    assert [ask(searcher).id for _ in range(3)] == ["n0000", "n0001", "n0002"]


def test_pruned_nodes_are_neither_refined_nor_debugged(searcher_kind: str) -> None:
    searcher = make_searcher(searcher_kind, num_drafts=1)
    searcher.tell(ask(searcher).id, Outcome(NodeStatus.PRUNED))
    assert searcher.ask() is None


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"num_drafts": 0}, "num_drafts"),
    ({"num_drafts": 2, "max_debug_depth": -1}, "max_debug_depth"),
    ({"num_drafts": 2, "operators": ("draft", "mutate")}, "crossover"),
])
def test_invalid_settings_raise_config_error(
        searcher_kind: str, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_searcher(searcher_kind, **kwargs)


def test_running_outcome_is_refused(searcher_kind: str) -> None:
    searcher = make_searcher(searcher_kind, num_drafts=1)
    with pytest.raises(ValueError, match="running"):
        searcher.tell(ask(searcher).id, Outcome(NodeStatus.RUNNING))


def test_non_finite_score_ends_its_branch(searcher_kind: str) -> None:
    searcher = make_searcher(searcher_kind, num_drafts=1)
    searcher.tell(ask(searcher).id, Outcome(NodeStatus.OK, float("nan")))
    assert searcher.ask() is None

"""Machinery all searchers share: drafts, kills, ids, configuration checks, checkpoints."""

from __future__ import annotations

import pytest

from graftml.errors import ConfigError
from graftml.operators import DEFAULT_ROLES, Role
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


@pytest.mark.parametrize(("role", "parents"), [(Role.REFINE, 1), (Role.COMBINE, 2),
                                               (Role.REPAIR, 1)])
def test_an_operator_of_any_role_is_proposed_where_its_role_fits(
        searcher_kind: str, role: Role, parents: int) -> None:
    """A plugin operator needs no searcher change: its role decides where it is proposed."""
    if searcher_kind == "mcts" and role == Role.COMBINE:
        pytest.skip("MCTS proposes no combine operator")
    roles = {**DEFAULT_ROLES, "plugin_op": role}
    kwargs = {"greedy": {"merge_every": 1}, "merge": {"debug_prob": 0.5}}.get(searcher_kind, {})
    searcher = make_searcher(searcher_kind, num_drafts=3, seed=0, operators=roles, **kwargs)
    statuses = [NodeStatus.OK, NodeStatus.OK, NodeStatus.ERROR]
    for status, score in zip(statuses, (0.5, 0.7, None), strict=True):
        searcher.tell(ask(searcher).id, Outcome(status, score))
    seen = []
    for _ in range(40):
        proposal = searcher.ask()
        if proposal is None:
            break
        seen.append(proposal)
        fails = role == Role.REPAIR and DEFAULT_ROLES.get(proposal.operator) == Role.REPAIR
        searcher.tell(proposal.id, Outcome(NodeStatus.ERROR) if fails
                      else Outcome(NodeStatus.OK, 0.6))
    mine = [p for p in seen if p.operator == "plugin_op"]
    assert mine, [p.operator for p in seen]
    assert all(len(p.parent_ids) >= parents for p in mine)


def test_a_name_without_a_role_is_refused_with_the_fix() -> None:
    with pytest.raises(ConfigError, match=r"unknown searcher operator\(s\) \['polish'\].*roles"):
        make_searcher("greedy", num_drafts=1, operators=("draft", "polish"))

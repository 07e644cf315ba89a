"""MergeSearcher: crossover pairs never repeat; parents come from the population."""

from __future__ import annotations

import pytest

from graftml.errors import ConfigError
from graftml.search import MergeSearcher
from graftml.testing.searchers import SimulatedLandscape, Simulation
from graftml.types import NodeStatus, Outcome, Proposal


def ask(searcher: MergeSearcher) -> Proposal:
    proposal = searcher.ask()
    assert proposal is not None
    return proposal


def test_no_crossover_pair_is_proposed_twice() -> None:
    searcher = MergeSearcher(num_drafts=4, weights={"crossover": 1.0}, population=4,
                             operators=("draft", "crossover"))
    sim = Simulation(SimulatedLandscape(fail_rate=0.0), allowed=frozenset(searcher.operators))
    sim.run(searcher, 80)
    pairs = [frozenset(p.parent_ids) for p in sim.trace if p.operator == "crossover"]
    assert len(pairs) > 20
    assert len(set(pairs)) == len(pairs)


def test_parents_come_from_the_top_population_nodes() -> None:
    searcher = MergeSearcher(num_drafts=5, population=3, debug_prob=0.0)
    landscape = SimulatedLandscape(seed=3, fail_rate=0.0)
    scores: dict[str, float] = {}
    for _ in range(60):
        proposal = ask(searcher)
        top = sorted(scores, key=lambda node_id: -scores[node_id])[:3]
        assert set(proposal.parent_ids) <= set(top)
        outcome = landscape.outcome(proposal, scores)
        searcher.tell(proposal.id, outcome)
        scores[proposal.id] = outcome.score or 0.0


def test_merge_move_ensembles_the_top_k() -> None:
    searcher = MergeSearcher(num_drafts=4, weights={"merge": 1.0}, merge_k=3, debug_prob=0.0)
    for score in (0.3, 0.9, 0.1, 0.6):
        searcher.tell(ask(searcher).id, Outcome(NodeStatus.OK, score))
    merge = ask(searcher)
    assert (merge.operator, merge.parent_ids, merge.params) == (
        "merge", ("n0001", "n0003", "n0000"), {"k": 3})


def test_falls_back_to_other_moves_when_the_drawn_one_is_impossible() -> None:
    searcher = MergeSearcher(num_drafts=1, weights={"merge": 5.0, "mutate": 1.0},
                             debug_prob=0.0)
    searcher.tell(ask(searcher).id, Outcome(NodeStatus.OK, 0.5))
    assert ask(searcher).operator in {"improve", "tune"}


@pytest.mark.parametrize("weights", [{"mutation": 1.0}, {"merge": -1.0}, {"merge": 0.0}])
def test_invalid_weights_raise_config_error(weights: dict[str, float]) -> None:
    with pytest.raises(ConfigError, match="weights"):
        MergeSearcher(num_drafts=2, weights=weights)

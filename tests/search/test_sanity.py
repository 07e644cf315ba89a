"""On a landscape where improving pays, every searcher beats its best draft within 60 steps."""

from __future__ import annotations

import pytest

from graftml.search import make_searcher
from graftml.testing.searchers import SimulatedLandscape, Simulation


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_search_beats_the_best_draft(searcher_kind: str, seed: int) -> None:
    sim = Simulation(SimulatedLandscape(seed=seed, fail_rate=0.1), seed=seed)
    sim.run(make_searcher(searcher_kind, num_drafts=5, seed=seed), 60)
    drafts = [sim.scores[p.id] for p in sim.trace if p.operator == "draft" and p.id in sim.scores]
    assert max(sim.scores.values()) > max(drafts)

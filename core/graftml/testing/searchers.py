"""Contract suite for :class:`~graftml.searcher.Searcher` implementations.

Subclass :class:`SearcherContract` in a test module and override its ``make_searcher`` fixture::

    class TestMySearcher(SearcherContract):
        @pytest.fixture
        def make_searcher(self) -> SearcherFactory:
            return searcher_factory(MySearcher)

The suite drives the searcher with :class:`Simulation`: up to four proposals in flight, told in
a seeded random order, with outcomes from :class:`SimulatedLandscape`, a seeded function of each
proposal's lineage (no real ML). The simulation records every contract violation it sees.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest

from graftml.errors import ConfigError
from graftml.searcher import Searcher
from graftml.types import FAILED_STATUSES, NodeStatus, Outcome, Proposal

_FAILURES = sorted(FAILED_STATUSES)
# (low, high) of the uniform score change each operator adds to its parents' best score
_DRIFT = {"improve": (-0.02, 0.06), "tune": (-0.01, 0.03), "merge": (0.0, 0.02),
          "crossover": (-0.03, 0.04)}


class SearcherFactory(Protocol):
    """Builds a fresh searcher; ``operators=None`` means the searcher's default operators."""

    def __call__(self, num_drafts: int, seed: int,
                 operators: Sequence[str] | None = None) -> Searcher: ...


def searcher_factory(cls: Callable[..., Searcher], **kwargs: Any) -> SearcherFactory:
    """A :class:`SearcherFactory` for a class taking ``num_drafts``, ``seed``, ``operators``."""

    def make(num_drafts: int, seed: int, operators: Sequence[str] | None = None) -> Searcher:
        extra = {} if operators is None else {"operators": tuple(operators)}
        return cls(num_drafts=num_drafts, seed=seed, **kwargs, **extra)

    return make


@dataclass(frozen=True)
class SimulatedLandscape:
    """Scores as a seeded function of the lineage: drafts in [0, 0.5), then operator drifts.

    Args:
        seed: seed of every draw (each proposal draws from its own ``random.Random``).
        fail_rate: probability that a node fails (error, timeout or oom).
    """

    seed: int = 0
    fail_rate: float = 0.2

    def outcome(self, proposal: Proposal, scores: dict[str, float]) -> Outcome:
        """The outcome of ``proposal`` given the scores of the ok nodes so far."""
        rng = random.Random(f"{self.seed}:{proposal.id}:{proposal.operator}:"
                           f"{','.join(proposal.parent_ids)}")
        if rng.random() < self.fail_rate:
            return Outcome(rng.choice(_FAILURES))
        parents = [scores[p] for p in proposal.parent_ids if p in scores]
        if proposal.operator not in _DRIFT or not parents:  # draft, or debug of a failure
            return Outcome(NodeStatus.OK, rng.uniform(0.0, 0.5))
        return Outcome(NodeStatus.OK, max(parents) + rng.uniform(*_DRIFT[proposal.operator]))


@dataclass
class Simulation:
    """Drives a searcher as the orchestrator would and records contract violations.

    Attributes:
        trace: every proposal asked, in order.
        status: node id -> its status (``running`` until told).
        violations: category -> messages; categories ``parents``, ``duplicate``, ``operator``.
    """

    landscape: SimulatedLandscape = field(default_factory=SimulatedLandscape)
    seed: int = 0
    allowed: frozenset[str] = frozenset(
        {"draft", "improve", "debug", "tune", "merge", "crossover"})
    trace: list[Proposal] = field(default_factory=list)
    status: dict[str, NodeStatus] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    violations: dict[str, list[str]] = field(
        default_factory=lambda: {"parents": [], "duplicate": [], "operator": []})
    _pending: list[tuple[Proposal, Outcome]] = field(default_factory=list)
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def run(self, searcher: Searcher, steps: int, max_in_flight: int = 4) -> int:
        """Up to ``steps`` rounds of (ask until ``max_in_flight`` or None, tell one).

        Returns:
            How many tells were made; fewer than ``steps`` means the searcher got stuck.
        """
        for told in range(steps):
            while len(self._pending) < max_in_flight and (proposal := searcher.ask()):
                self._accept(proposal)
            if not self._pending:
                return told
            proposal, outcome = self._pending.pop(self._rng.randrange(len(self._pending)))
            searcher.tell(proposal.id, outcome)
            self.status[proposal.id] = outcome.status
            if outcome.ok and outcome.score is not None:
                self.scores[proposal.id] = outcome.score
        return steps

    def _accept(self, proposal: Proposal) -> None:
        self._check(proposal)
        self.trace.append(proposal)
        self.status[proposal.id] = NodeStatus.RUNNING
        self._pending.append((proposal, self.landscape.outcome(proposal, self.scores)))

    def _check(self, proposal: Proposal) -> None:
        if proposal.operator not in self.allowed:
            self.violations["operator"].append(f"{proposal} uses a disabled operator")
        wanted = FAILED_STATUSES if proposal.operator == "debug" else {NodeStatus.OK}
        for parent in proposal.parent_ids:
            if self.status.get(parent) not in wanted:
                self.violations["parents"].append(
                    f"{proposal} names {parent} ({self.status.get(parent)}), not in {wanted}")
        if any(_same(proposal, other) for other, _ in self._pending):
            self.violations["duplicate"].append(f"{proposal} duplicates one in flight")


def _same(a: Proposal, b: Proposal) -> bool:
    return (a.operator, a.parent_ids, a.params) == (b.operator, b.parent_ids, b.params)


class SearcherContract:
    """The behaviour every searcher must show; subclass and override ``make_searcher``."""

    @pytest.fixture
    def make_searcher(self) -> SearcherFactory:
        """Override: return a :class:`SearcherFactory` for the searcher under test."""
        raise NotImplementedError("override the make_searcher fixture in the subclass")

    def test_drafts_come_first_and_cover_every_index(self, make_searcher: SearcherFactory) -> None:
        searcher = make_searcher(5, 0)
        drafts = [searcher.ask() for _ in range(5)]
        assert [p.operator if p else None for p in drafts] == ["draft"] * 5
        assert sorted(p.params["draft_index"] for p in drafts if p) == [0, 1, 2, 3, 4]

    def test_drafts_come_first_while_earlier_drafts_are_told(
            self, make_searcher: SearcherFactory) -> None:
        sim = Simulation()
        sim.run(make_searcher(6, 0), 20, max_in_flight=2)
        assert [p.operator for p in sim.trace[:6]] == ["draft"] * 6
        assert sorted(p.params["draft_index"] for p in sim.trace[:6]) == list(range(6))

    def test_ask_returns_none_while_only_drafts_are_in_flight(
            self, make_searcher: SearcherFactory) -> None:
        searcher = make_searcher(2, 0)
        searcher.ask()
        searcher.ask()
        assert searcher.ask() is None

    def test_ids_are_unique(self, make_searcher: SearcherFactory) -> None:
        sim = Simulation()
        sim.run(make_searcher(3, 0), 200)
        ids = [p.id for p in sim.trace]
        assert len(set(ids)) == len(ids)

    def test_tell_of_unknown_id_raises_key_error(self, make_searcher: SearcherFactory) -> None:
        searcher = make_searcher(2, 0)
        with pytest.raises(KeyError):
            searcher.tell("no-such-proposal", Outcome(NodeStatus.OK, 1.0))

    def test_tell_twice_raises_key_error(self, make_searcher: SearcherFactory) -> None:
        searcher = make_searcher(2, 0)
        proposal = searcher.ask()
        assert proposal is not None
        searcher.tell(proposal.id, Outcome(NodeStatus.OK, 1.0))
        with pytest.raises(KeyError):
            searcher.tell(proposal.id, Outcome(NodeStatus.OK, 1.0))

    def test_parents_exist_and_were_told_with_a_fitting_status(
            self, make_searcher: SearcherFactory) -> None:
        sim = Simulation(SimulatedLandscape(fail_rate=0.3))
        sim.run(make_searcher(4, 1), 200)
        assert sim.violations["parents"] == []

    def test_no_two_in_flight_proposals_are_identical(
            self, make_searcher: SearcherFactory) -> None:
        sim = Simulation()
        sim.run(make_searcher(2, 2), 200, max_in_flight=6)
        assert sim.violations["duplicate"] == []

    def test_same_calls_give_same_proposals(self, make_searcher: SearcherFactory) -> None:
        first, second = Simulation(seed=7), Simulation(seed=7)
        first.run(make_searcher(4, 3), 120)
        second.run(make_searcher(4, 3), 120)
        assert first.trace == second.trace

    def test_all_failed_outcomes_end_in_none_without_raising(
            self, make_searcher: SearcherFactory) -> None:
        searcher, sim = make_searcher(3, 0), Simulation(SimulatedLandscape(fail_rate=1.0))
        told = sim.run(searcher, 200)
        assert told < 200
        assert searcher.ask() is None

    def test_makes_progress_with_four_in_flight(self, make_searcher: SearcherFactory) -> None:
        sim = Simulation(SimulatedLandscape(fail_rate=0.2))
        assert sim.run(make_searcher(4, 0), 200, max_in_flight=4) == 200

    def test_only_enabled_operators_are_proposed(self, make_searcher: SearcherFactory) -> None:
        sim = Simulation(allowed=frozenset({"draft", "improve"}))
        sim.run(make_searcher(3, 0, operators=("draft", "improve")), 60)
        assert sim.violations["operator"] == []
        assert "improve" in {p.operator for p in sim.trace}

    def test_operators_without_draft_raise_config_error(
            self, make_searcher: SearcherFactory) -> None:
        with pytest.raises(ConfigError, match="draft"):
            make_searcher(3, 0, operators=("improve", "tune"))

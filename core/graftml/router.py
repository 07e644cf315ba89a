"""The router contract: pick a model, strategy, sample count and token budget per prompt.

A router sees a prompt and the candidates allowed for it, and returns one
:class:`RouteDecision` with what it expects that choice to score and cost; after the answer is
graded, :meth:`Router.observe` hands it the outcome, so that routers can learn online. Routers
are plugins (entry point group ``graftml.routers``); routers themselves live in
:mod:`graftml.routing`.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass

from graftml.budget import Budget


@dataclass(frozen=True)
class RouteCandidate:
    """One way to answer: a registered model, a test-time-compute strategy, ``n`` samples and a
    token cap per sample."""

    model: str
    strategy: str = "single"
    n: int = 1
    max_tokens: int = 256

    @property
    def key(self) -> str:
        """``model/strategy@n`` (the column name in outcome tables)."""
        return f"{self.model}/{self.strategy}@{self.n}"


@dataclass(frozen=True)
class RouteDecision:
    """What a router chose and why."""

    candidate: RouteCandidate
    predicted_quality: float  # expected score in [0, 1]
    predicted_cost: float  # expected cost in the router's unit (tokens or dollars)
    reason: str  # one line, for logs and the report


@dataclass(frozen=True)
class RouteOutcome:
    """What happened when a decision was carried out."""

    quality: float  # the graded score in [0, 1]
    cost: float
    tokens: int = 0


class Router(abc.ABC):
    """Base class of all routers."""

    kind: str = ""

    @abc.abstractmethod
    def route(self, prompt: str, candidates: Sequence[RouteCandidate],
              budget: Budget | None = None) -> RouteDecision:
        """Called once per prompt, before any token is spent on it.

        Must return a decision for one of ``candidates`` (never another), within ``budget``
        when one is given; raise :class:`~graftml.errors.ConfigError` when ``candidates`` is
        empty or holds none the router was trained on.
        """

    def observe(self, decision: RouteDecision, outcome: RouteOutcome) -> None:
        """Called after ``decision`` was carried out and graded; the default ignores it."""
        return None

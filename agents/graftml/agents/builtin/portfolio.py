"""The draft portfolio: default pipelines ordered strongest-first, and the draft operator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graftml.agents.builtin.render import describe, pipeline_candidate
from graftml.agents.builtin.space import ROLES, make_spec, n_features
from graftml.candidate import Candidate
from graftml.operators import Operator, OperatorContext
from graftml.types import Proposal


@dataclass(frozen=True)
class PortfolioEntry:
    """One draft: a kind's defaults, with some parameters overridden.

    ``rounds_factor`` scales the data-sized number of boosting rounds (a slower learning rate
    needs more of them).
    """

    kind: str
    overrides: dict[str, Any] = field(default_factory=dict)
    rounds_factor: float = 1.0

    def spec(self, task_type: str, n_rows: int, num_features: int) -> dict[str, Any]:
        spec = make_spec(self.kind, task_type, n_rows, num_features)
        trees = ROLES[self.kind].get("trees")
        if trees and self.rounds_factor != 1.0:
            spec["params"][trees] = int(spec["params"][trees] * self.rounds_factor)
        spec["params"].update(self.overrides)
        return spec


# Order: measured strength on small tabular data; diversity after the first few (the merge
# operator profits from members that err differently).
PORTFOLIO = (
    PortfolioEntry("lightgbm"),
    PortfolioEntry("catboost"),
    PortfolioEntry("extra_trees"),
    PortfolioEntry("xgboost"),
    PortfolioEntry("lightgbm", {"learning_rate": 0.03, "colsample_bytree": 0.5,
                                "min_child_samples": 10, "reg_lambda": 5.0}, rounds_factor=2.0),
    PortfolioEntry("hist_gb"),
    PortfolioEntry("random_forest"),
    PortfolioEntry("linear"),
    PortfolioEntry("knn"),
)


def portfolio_size(task_type: str) -> int:
    """Number of drafts for ``task_type`` (the searcher's default ``num_drafts``)."""
    return len(PORTFOLIO)


def portfolio(task_type: str, n_rows: int, num_features: int) -> list[dict[str, Any]]:
    """Every draft spec for a task, strongest first."""
    return [entry.spec(task_type, n_rows, num_features) for entry in PORTFOLIO]


def strongest_spec(ctx: OperatorContext) -> dict[str, Any]:
    """The first portfolio pipeline for the task of ``ctx``."""
    return PORTFOLIO[0].spec(ctx.task_type, ctx.n_rows, n_features(ctx))


class DraftOperator(Operator):
    """``draft``: the ``params["draft_index"]``-th portfolio pipeline (no parents)."""

    name = "draft"

    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        index = int(proposal.params.get("draft_index", 0))
        size = portfolio_size(ctx.task_type)
        if not 0 <= index < size:
            raise ValueError(f"draft_index {index} is outside the portfolio (0..{size - 1})")
        spec = PORTFOLIO[index].spec(ctx.task_type, ctx.n_rows, n_features(ctx))
        return pipeline_candidate(spec, f"draft {index}: {describe(spec)}")

"""The draft portfolio: zero-shot pipelines in a learned order, and the draft operator.

:data:`CANDIDATES` is the pool of named configurations. Which of them open a search, and in what
order, is a fact measured offline (``benchmarks/portfolio_learn.py`` on package-shipped tables
that the AutoML benchmark never uses) and shipped as ``portfolio_order.json``: per table-size
bucket, a greedy order by out-of-fold quality gained per second of fitting, where a configuration
that adds nothing over the ones before it is left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from graftml.agents.builtin.render import describe, pipeline_candidate
from graftml.agents.builtin.space import ROLES, make_spec, n_features
from graftml.candidate import Candidate
from graftml.operators import Operator, OperatorContext, Role
from graftml.types import Proposal

#: package data, written by benchmarks/portfolio_learn.py
ORDER_FILE = Path(str(files("graftml.agents.builtin").joinpath("portfolio_order.json")))


@dataclass(frozen=True)
class PortfolioEntry:
    """One named zero-shot configuration: a kind's defaults, some parameters overridden.

    ``rounds_factor`` scales the data-sized number of boosting rounds (a slower learning rate
    needs more of them); ``overrides`` name parameters every task type of the kind accepts.
    """

    name: str
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


CANDIDATES: tuple[PortfolioEntry, ...] = (
    PortfolioEntry("lightgbm", "lightgbm"),
    PortfolioEntry("lightgbm_slow", "lightgbm", {"learning_rate": 0.03, "colsample_bytree": 0.5,
                                                 "min_child_samples": 10, "reg_lambda": 5.0},
                   rounds_factor=2.0),
    PortfolioEntry("lightgbm_wide", "lightgbm", {"num_leaves": 63, "min_child_samples": 5,
                                                 "colsample_bytree": 0.6}),
    PortfolioEntry("lightgbm_small", "lightgbm", {"num_leaves": 7, "min_child_samples": 20,
                                                  "reg_lambda": 10.0, "extra_trees": True}),
    PortfolioEntry("catboost", "catboost"),
    PortfolioEntry("catboost_shallow", "catboost", {"depth": 4, "learning_rate": 0.05},
                   rounds_factor=1.5),
    PortfolioEntry("xgboost", "xgboost"),
    PortfolioEntry("xgboost_shallow", "xgboost", {"max_depth": 3, "min_child_weight": 3.0,
                                                  "colsample_bytree": 0.6}),
    PortfolioEntry("hist_gb", "hist_gb"),
    PortfolioEntry("extra_trees", "extra_trees"),
    PortfolioEntry("extra_trees_wide", "extra_trees", {"max_features": 1.0,
                                                       "min_samples_leaf": 3}),
    PortfolioEntry("random_forest", "random_forest"),
    PortfolioEntry("linear", "linear"),
    PortfolioEntry("knn", "knn"),
)
BY_NAME = {entry.name: entry for entry in CANDIDATES}


@cache
def _buckets() -> tuple[tuple[int | None, tuple[PortfolioEntry, ...]], ...]:
    """(most rows or None, ordered entries) per size bucket, from :data:`ORDER_FILE`."""
    data = json.loads(ORDER_FILE.read_text())
    buckets = []
    for bucket in data["buckets"]:
        unknown = [name for name in bucket["order"] if name not in BY_NAME]
        if unknown:
            raise ValueError(f"{ORDER_FILE.name} names unknown configurations {unknown}; "
                             "rerun benchmarks/portfolio_learn.py")
        buckets.append((bucket["max_rows"], tuple(BY_NAME[n] for n in bucket["order"])))
    return tuple(buckets)


def draft_order(n_rows: int) -> tuple[PortfolioEntry, ...]:
    """The learned draft order for a table of ``n_rows`` search rows."""
    buckets = _buckets()
    return next((order for most, order in buckets if most is None or n_rows <= most),
                buckets[-1][1])


def portfolio_size(n_rows: int) -> int:
    """Number of drafts for ``n_rows`` search rows (the searcher's default ``num_drafts``)."""
    return len(draft_order(n_rows))


def portfolio(task_type: str, n_rows: int, num_features: int) -> list[dict[str, Any]]:
    """Every draft spec for a task, in the learned order."""
    return [entry.spec(task_type, n_rows, num_features) for entry in draft_order(n_rows)]


#: the debug operator's first fallback: robust on every table kind (the learned order starts
#: with the cheapest strong draft, a linear model, which is no repair for a failed tree model)
STRONGEST = "lightgbm"


def strongest_spec(ctx: OperatorContext) -> dict[str, Any]:
    """The default LightGBM pipeline for the task of ``ctx``."""
    return BY_NAME[STRONGEST].spec(ctx.task_type, ctx.n_rows, n_features(ctx))


class DraftOperator(Operator):
    """``draft``: the ``params["draft_index"]``-th portfolio pipeline (no parents)."""

    name = "draft"
    role = Role.DRAFT

    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        index = int(proposal.params.get("draft_index", 0))
        order = draft_order(ctx.n_rows)
        if not 0 <= index < len(order):
            raise ValueError(f"draft_index {index} is outside the portfolio (0..{len(order) - 1})")
        spec = order[index].spec(ctx.task_type, ctx.n_rows, n_features(ctx))
        return pipeline_candidate(spec, f"draft {index}: {describe(spec)}")

"""Built-in operators over a structured pipeline space (no language model involved).

A pipeline is a JSON-able spec ``{"model": kind, "params": {...}, "prep": {...}}`` rendered into
a standalone module (:mod:`~graftml.agents.builtin.pipeline_template`). Operators: ``draft``
(portfolio), ``improve``, ``debug``, ``tune`` (Optuna), ``merge`` (ensembles), ``crossover``.
"""

from __future__ import annotations

from graftml.agents.builtin.crossover import CrossoverOperator
from graftml.agents.builtin.debug import DebugOperator
from graftml.agents.builtin.merge import MergeOperator
from graftml.agents.builtin.mutate import ImproveOperator
from graftml.agents.builtin.portfolio import DraftOperator, portfolio, portfolio_size
from graftml.agents.builtin.render import render_pipeline
from graftml.agents.builtin.space import make_spec, normalize
from graftml.agents.builtin.tune import TuneOperator
from graftml.operators import Operator

__all__ = [
    "CrossoverOperator",
    "DebugOperator",
    "DraftOperator",
    "ImproveOperator",
    "MergeOperator",
    "TuneOperator",
    "builtin_operators",
    "make_spec",
    "normalize",
    "portfolio",
    "portfolio_size",
    "render_pipeline",
]


def builtin_operators(seed: int = 0) -> dict[str, Operator]:
    """Every built-in operator, by name.

    Args:
        seed: mixed into every random choice (with the run seed and the proposal id), so two
            runs of one task can explore differently.
    """
    operators: list[Operator] = [DraftOperator(), ImproveOperator(seed), DebugOperator(),
                                 TuneOperator(seed), MergeOperator(seed), CrossoverOperator(seed)]
    return {op.name: op for op in operators}

"""Validating and bounding the values a model puts in a structured action.

Small models tend to answer with the extremes of a stated range; values are clamped to the
parameter's bounds, an improve step stays within a trust region around the current value, and a
draft gets enough boosting rounds for its learning rate.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ValidationError

from graftml.agents.builtin.mutate import STEPS
from graftml.agents.llm.step import first_json_object

LEARNING_RATE = (0.005, 0.3)
TREES = (20, 1000)  # fewer rounds than the mutation bounds allow: a draft must run quickly
TREE_PARAMETERS = frozenset({"n_estimators", "iterations", "max_iter"})
MIN_BOOSTING = 5.0  # rounds x learning rate below this leaves a booster underfit
TRUST_STEPS = 2  # an improve moves a value at most this many mutation steps


def bounds(name: str) -> tuple[float, float]:
    """The allowed range of a model parameter (mutation bounds; tree counts capped at TREES)."""
    _, _, low, high = STEPS[name]
    return (low, min(high, TREES[1])) if name in TREE_PARAMETERS else (low, high)


def typed_like(value: float, like: Any) -> Any:
    """``value`` as an int when ``like`` is one, else a float rounded to 6 digits."""
    if isinstance(like, int) and not isinstance(like, bool):
        return round(value)
    return round(float(value), 6)


def clamp(name: str, value: float, like: Any) -> Any:
    """``value`` within the bounds of ``name``, typed like ``like``; ValueError if not finite."""
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    low, high = bounds(name)
    return typed_like(min(max(value, low), high), like)


def trust_region(name: str, old: float) -> tuple[float, float]:
    """How far one improve may move ``name`` from ``old``: TRUST_STEPS mutation steps."""
    kind, size, _, _ = STEPS[name]
    if kind == "mul" and old > 0:
        return old / size**TRUST_STEPS, old * size**TRUST_STEPS
    if kind == "mul":
        return -math.inf, math.inf  # a zero penalty: only the bounds apply
    return old - size * TRUST_STEPS, old + size * TRUST_STEPS


def improved(name: str, value: float, old: Any) -> Any:
    """The new value of an improve: in the trust region, then in bounds; ValueError if equal."""
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    low, high = trust_region(name, float(old))
    new = clamp(name, min(max(value, low), high), old)
    if new == old:
        raise ValueError(f"{name} is already {old}; choose a different value")
    return new


def enough_rounds(trees: float, learning_rate: float) -> float:
    """At least MIN_BOOSTING / learning_rate rounds (within bounds)."""
    return max(trees, min(TREES[1], math.ceil(MIN_BOOSTING / learning_rate)))


def validated(model: type[BaseModel], text: str) -> Any:
    """Parse ``text`` as JSON into ``model``; ValueError naming the first problem."""
    try:
        return model.model_validate(first_json_object(text))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "answer"
        raise ValueError(f"{where}: {err['msg']}") from None

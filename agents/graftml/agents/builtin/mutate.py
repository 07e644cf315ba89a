"""Targeted spec changes, and the improve operator that applies one of them per proposal.

A change acts on parameter *roles* (``learning_rate``, ``trees``, ``capacity``...; see
:data:`~graftml.agents.builtin.space.ROLES`), so one table serves every model kind.
"""

from __future__ import annotations

import random
from typing import Any

from graftml.agents.builtin.render import pipeline_candidate
from graftml.agents.builtin.space import ROLES, known_specs, proposal_seed, structured_parent
from graftml.candidate import Candidate
from graftml.operators import NothingLeft, Operator, OperatorContext, Role
from graftml.types import Proposal

#: parameter -> (step kind, step size, lower bound, upper bound)
STEPS: dict[str, tuple[str, float, float, float]] = {
    "learning_rate": ("mul", 2.0, 0.005, 0.3),
    "n_estimators": ("mul", 2.0, 20, 3000), "iterations": ("mul", 2.0, 20, 3000),
    "max_iter": ("mul", 2.0, 20, 3000),
    "num_leaves": ("mul", 2.0, 4, 255), "max_leaf_nodes": ("mul", 2.0, 4, 255),
    "max_depth": ("add", 1, 2, 12), "depth": ("add", 1, 2, 10),
    "reg_lambda": ("mul", 4.0, 1e-3, 100.0), "l2_leaf_reg": ("mul", 4.0, 1e-3, 100.0),
    "l2_regularization": ("mul", 4.0, 1e-3, 100.0), "alpha": ("mul", 4.0, 1e-4, 1e4),
    "C": ("mul", 4.0, 1e-4, 1e4),
    "min_child_samples": ("mul", 2.0, 1, 200), "min_samples_leaf": ("mul", 2.0, 1, 200),
    "min_child_weight": ("mul", 2.0, 1e-3, 100.0),
    "colsample_bytree": ("mul", 1.5, 0.1, 1.0), "max_features": ("mul", 1.5, 0.05, 1.0),
    "n_neighbors": ("mul", 2.0, 1, 100),
}

#: mutation name -> (role, direction) steps; a mutation applies if any step changes a value.
MUTATIONS: dict[str, tuple[tuple[str, int], ...]] = {
    "slower_learning": (("learning_rate", -1), ("trees", +1)),
    "more_capacity": (("capacity", +1), ("min_leaf", -1), ("neighbors", -1)),
    "less_capacity": (("capacity", -1), ("min_leaf", +1), ("neighbors", +1)),
    "more_regularisation": (("l2", +1), ("inverse_l2", -1)),
    "less_regularisation": (("l2", -1), ("inverse_l2", +1)),
    "fewer_columns": (("colsample", -1),),
    "more_columns": (("colsample", +1),),
    "more_trees": (("trees", +1),),
}

#: categorical encoding tried next, per current encoding
NEXT_ENCODING = {"native": "ordinal", "ordinal": "auto", "auto": "onehot", "onehot": "ordinal"}


def step_value(name: str, value: Any, direction: int) -> Any:
    """``value`` moved one step along ``direction`` within its bounds (unchanged if not numeric)."""
    if name not in STEPS or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    kind, size, low, high = STEPS[name]
    moved = value * size**direction if kind == "mul" else value + size * direction
    if value == 0 and direction > 0 and kind == "mul":
        moved = 1.0  # a zero penalty cannot grow by multiplication
    moved = min(max(moved, low), high)
    return round(moved) if isinstance(value, int) else round(float(moved), 6)


def apply_steps(spec: dict[str, Any], steps: tuple[tuple[str, int], ...]) -> list[str]:
    """Apply role steps to ``spec["params"]`` in place; return "name old→new" for each change."""
    roles, params = ROLES[spec["model"]], spec["params"]
    changes: list[str] = []
    for role, direction in steps:
        name = roles.get(role)
        if name is None or name not in params:
            continue
        new = step_value(name, params[name], direction)
        if new != params[name]:
            changes.append(f"{name} {params[name]}→{new}")
            params[name] = new
    return changes


def switch_encoding(spec: dict[str, Any]) -> list[str]:
    """Move to the next categorical encoding (the change is kept only if the kind allows it)."""
    prep = spec["prep"]
    old = prep.get("categorical", "auto")
    prep["categorical"] = NEXT_ENCODING[old]
    return [f"categorical {old}→{prep['categorical']}"]


def mutate(spec: dict[str, Any], name: str) -> list[str]:
    """Apply the mutation ``name`` to ``spec`` in place; the changes made (empty if none)."""
    if name == "categorical_encoding":
        return switch_encoding(spec)
    return apply_steps(spec, MUTATIONS[name])


def applicable(spec: dict[str, Any], has_categorical: bool = True) -> list[str]:
    """Mutations that change ``spec`` (checked on copies), in a fixed order; a table without
    categorical columns gets no encoding change (it would run the same model again)."""
    names = [*MUTATIONS, "categorical_encoding"] if has_categorical else list(MUTATIONS)
    return [n for n in names if mutate(_copy(spec), n)]


def untried(spec: dict[str, Any], names: list[str], known: list[dict[str, Any]]) -> list[str]:
    """The mutations in ``names`` whose result is a pipeline no node has run yet."""
    fresh = []
    for name in names:
        changed = _copy(spec)
        mutate(changed, name)
        if changed not in known:
            fresh.append(name)
    return fresh


def _copy(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "params": dict(spec["params"]), "prep": dict(spec["prep"])}


class ImproveOperator(Operator):
    """``improve``: one targeted change to the parent's spec.

    The change is ``params["mutation"]`` when given, else drawn deterministically from the
    applicable ones with a generator seeded by ``seed``, the run seed and the proposal id.
    """

    name = "improve"
    role = Role.REFINE

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        if len(proposal.parent_ids) != 1:
            raise ValueError(f"improve needs one parent, got {len(proposal.parent_ids)}")
        spec = structured_parent(ctx, proposal.parent_ids[0])
        choices = applicable(spec, "categorical" in ctx.feature_types.values())
        if not choices:
            raise ValueError(f"no mutation changes the {spec['model']} parent")
        name = proposal.params.get("mutation")
        if name is None:
            fresh = untried(spec, choices, known_specs(ctx))
            if not fresh:
                raise NothingLeft(f"every change of the {spec['model']} parent has already run")
            name = random.Random(proposal_seed(self.seed, ctx, proposal.id)).choice(fresh)
        if name not in choices:
            raise ValueError(f"mutation {name!r} does not apply; choose one of: {choices}")
        changes = mutate(spec, name)
        description = f"improve {proposal.parent_ids[0]}: {spec['model']} {name}"
        return pipeline_candidate(spec, f"{description} ({', '.join(changes)})",
                                  {"mutation": name})

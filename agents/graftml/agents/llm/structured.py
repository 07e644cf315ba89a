"""The structured level for ``draft`` and ``improve``: a JSON action over the built-in space.

The model fills a small JSON object under grammar-constrained decoding; values are validated and
clamped to the bounds of :data:`~graftml.agents.builtin.mutate.STEPS`, then the spec is rendered
into code by the built-in renderer.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict

from graftml.agents.builtin.mutate import STEPS
from graftml.agents.builtin.render import describe, render_pipeline
from graftml.agents.builtin.space import (
    CATEGORICAL_MODES,
    KINDS,
    ROLES,
    make_spec,
    n_features,
    normalize,
    structured_parent,
)
from graftml.agents.llm import context
from graftml.agents.llm.prompts import PromptSet
from graftml.agents.llm.step import Record, StepInput, record
from graftml.agents.llm.values import (
    LEARNING_RATE,
    TREES,
    bounds,
    clamp,
    enough_rounds,
    improved,
    validated,
)


class DraftAction(BaseModel):
    """What a structured draft answers."""

    model_config = ConfigDict(extra="forbid")

    model: str
    learning_rate: float
    trees: float
    capacity: float
    categorical: str


def draft_spec(action: DraftAction, given: StepInput) -> dict[str, Any]:
    """The default spec of the chosen kind with the action's values, clamped."""
    ctx = given.ctx
    if action.model not in KINDS:
        raise ValueError(f"model {action.model!r} is not one of {', '.join(KINDS)}")
    if action.categorical not in CATEGORICAL_MODES:
        raise ValueError(f"categorical {action.categorical!r} is not one of "
                         f"{', '.join(CATEGORICAL_MODES)}")
    spec = make_spec(action.model, ctx.task_type, ctx.n_rows, n_features(ctx))
    roles, params = ROLES[action.model], spec["params"]
    lr = min(max(action.learning_rate, LEARNING_RATE[0]), LEARNING_RATE[1])
    trees = enough_rounds(action.trees, lr) if "learning_rate" in roles else action.trees
    for role, value in (("learning_rate", lr), ("trees", trees), ("capacity", action.capacity)):
        name = roles.get(role)
        if name in params and name in STEPS:
            params[name] = clamp(name, value, params[name])
    spec["prep"]["categorical"] = action.categorical
    return normalize(spec)


class StructuredDraft:
    """``draft``: pick a model kind, three key hyperparameters and the categorical encoding."""

    operator, level = "draft", "structured"

    def variables(self, given: StepInput, prompts: PromptSet) -> dict[str, str]:
        return {"task": context.task_summary(given.ctx),
                "tried": context.lines(context.drafts(given.ctx)), "kinds": ", ".join(KINDS),
                "lr_low": str(LEARNING_RATE[0]), "lr_high": str(LEARNING_RATE[1]),
                "trees_low": str(TREES[0]), "trees_high": str(TREES[1]),
                "encodings": ", ".join(CATEGORICAL_MODES)}

    def schema(self, given: StepInput) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False,
                "required": ["model", "learning_rate", "trees", "capacity", "categorical"],
                "properties": {"model": {"type": "string", "enum": list(KINDS)},
                               "learning_rate": {"type": "number"},
                               "trees": {"type": "integer"}, "capacity": {"type": "integer"},
                               "categorical": {"type": "string",
                                               "enum": list(CATEGORICAL_MODES)}}}

    def parse(self, text: str, given: StepInput) -> dict[str, Any]:
        action = validated(DraftAction, text)
        return {"action": action.model_dump(), "spec": draft_spec(action, given)}

    def emit(self, payload: dict[str, Any], given: StepInput) -> Record:
        spec = normalize(payload["spec"])
        return record(render_pipeline(spec), f"llm draft: {describe(spec)}", spec,
                      {"action": payload["action"]})


def tunable(spec: dict[str, Any]) -> list[str]:
    """Numeric parameters of ``spec`` that have bounds (the improve action's choices)."""
    return [k for k, v in spec["params"].items()
            if k in STEPS and isinstance(v, int | float) and not isinstance(v, bool)]


class ImproveAction(BaseModel):
    """What a structured improve answers."""

    model_config = ConfigDict(extra="forbid")

    parameter: str
    value: float


class StructuredImprove:
    """``improve``: change one parameter of the parent's spec to a new value."""

    operator, level = "improve", "structured"

    def _parent(self, given: StepInput) -> tuple[str, dict[str, Any]]:
        node = context.parent(given.ctx, given.proposal.parent_ids)
        spec = structured_parent(given.ctx, node.id)
        if not tunable(spec):
            raise ValueError(f"parent {node.id!r} ({spec['model']}) has no tunable parameter")
        return node.id, spec

    def variables(self, given: StepInput, prompts: PromptSet) -> dict[str, str]:
        parent_id, spec = self._parent(given)
        node = given.ctx.nodes[parent_id]
        ranges = {k: list(bounds(k)) for k in tunable(spec)}  # the trust region is not shown
        return {"task": context.task_summary(given.ctx), "score": f"{node.score}",
                "pipeline": context.compact({"model": spec["model"], **spec["params"]}),
                "siblings": context.lines(context.siblings(given.ctx, parent_id)),
                "parameters": ", ".join(tunable(spec)), "bounds": context.compact(ranges)}

    def schema(self, given: StepInput) -> dict[str, Any]:
        _, spec = self._parent(given)
        return {"type": "object", "additionalProperties": False,
                "required": ["parameter", "value"],
                "properties": {"parameter": {"type": "string", "enum": tunable(spec)},
                               "value": {"type": "number"}}}

    def parse(self, text: str, given: StepInput) -> dict[str, Any]:
        action = validated(ImproveAction, text)
        _, spec = self._parent(given)
        if action.parameter not in tunable(spec):
            raise ValueError(f"parameter {action.parameter!r} is not one of {tunable(spec)}")
        old = spec["params"][action.parameter]
        new = improved(action.parameter, action.value, old)
        for sibling in context.siblings(given.ctx, given.proposal.parent_ids[0]):
            if sibling.params.get("action") == {"parameter": action.parameter, "value": new}:
                raise ValueError(f"{action.parameter}={new} was already tried ({sibling.id}); "
                                 "choose another change")
        return {"parameter": action.parameter, "old": old, "value": new}

    def emit(self, payload: dict[str, Any], given: StepInput) -> Record:
        parent_id, spec = self._parent(given)
        spec = copy.deepcopy(spec)
        spec["params"][payload["parameter"]] = payload["value"]
        change = f"{payload['parameter']} {payload['old']}→{payload['value']}"
        return record(render_pipeline(spec), f"llm improve {parent_id}: {spec['model']} {change}",
                      normalize(spec), {"action": {"parameter": payload["parameter"],
                                                   "value": payload["value"]}})

"""The structured level for ``debug`` and ``merge``.

Debug picks a fix for a failed parent (shrink it, switch the model kind, or use safe
preprocessing); a fix that recreates a pipeline already failed above the parent is rejected.
Merge picks which of the proposed nodes to blend and how, then delegates to the built-in merge.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from graftml.agents.builtin.debug import SAFE_PREP, ancestry_specs, shrink
from graftml.agents.builtin.ensemble import METHODS
from graftml.agents.builtin.render import describe, render_pipeline
from graftml.agents.builtin.space import KINDS, make_spec, n_features, normalize
from graftml.agents.llm import context
from graftml.agents.llm.prompts import PromptSet
from graftml.agents.llm.step import Delegate, Record, StepInput, record
from graftml.agents.llm.values import validated
from graftml.types import Node

FIXES = ("shrink", "switch_model", "safe_prep")


def structured_spec(node: Node) -> dict[str, Any] | None:
    """The node's normalized spec when it comes from the built-in space, else None."""
    if node.spec is None or node.spec.get("model") not in KINDS:
        return None
    return normalize(node.spec)


class DebugAction(BaseModel):
    """What a structured debug answers (``model`` matters for ``switch_model`` only)."""

    model_config = ConfigDict(extra="forbid")

    fix: str
    model: str


class StructuredDebug:
    """``debug``: repair a failed parent with one of :data:`FIXES`."""

    operator, level = "debug", "structured"

    def _fixes(self, node: Node) -> list[str]:
        return list(FIXES) if structured_spec(node) is not None else ["switch_model"]

    def variables(self, given: StepInput, prompts: PromptSet) -> dict[str, str]:
        node = context.parent(given.ctx, given.proposal.parent_ids)
        spec = structured_spec(node)
        shown = context.compact(spec) if spec else f"free-form code ({node.description})"
        return {"task": context.task_summary(given.ctx), "pipeline": shown,
                "error": f"{node.status}: {node.error[:300]}", "kinds": ", ".join(KINDS),
                "fixes": ", ".join(self._fixes(node))}

    def schema(self, given: StepInput) -> dict[str, Any]:
        node = context.parent(given.ctx, given.proposal.parent_ids)
        return {"type": "object", "additionalProperties": False, "required": ["fix", "model"],
                "properties": {"fix": {"type": "string", "enum": self._fixes(node)},
                               "model": {"type": "string", "enum": list(KINDS)}}}

    def fixed_spec(self, action: DebugAction, given: StepInput) -> dict[str, Any]:
        """The repaired spec; ValueError for an unknown or inapplicable fix."""
        ctx = given.ctx
        node = context.parent(ctx, given.proposal.parent_ids)
        spec = structured_spec(node)
        if action.fix not in self._fixes(node):
            raise ValueError(f"fix {action.fix!r} is not one of {self._fixes(node)}")
        if action.fix == "shrink" and spec is not None:
            return shrink(spec, ctx.n_rows)[0]
        if action.fix == "safe_prep" and spec is not None:
            return normalize({**spec, "prep": {**spec["prep"], **SAFE_PREP}})
        if action.model not in KINDS:
            raise ValueError(f"model {action.model!r} is not one of {', '.join(KINDS)}")
        new = make_spec(action.model, ctx.task_type, ctx.n_rows, n_features(ctx))
        return normalize({**new, "prep": {**new["prep"], **SAFE_PREP}})

    def parse(self, text: str, given: StepInput) -> dict[str, Any]:
        action = validated(DebugAction, text)
        spec = self.fixed_spec(action, given)
        parent_id = given.proposal.parent_ids[0]
        if spec in ancestry_specs(given.ctx, parent_id):
            raise ValueError(f"that pipeline ({describe(spec)}) already failed at or above "
                             f"{parent_id}; choose another fix or model")
        return {"fix": action.fix, "model": action.model, "spec": spec}

    def emit(self, payload: dict[str, Any], given: StepInput) -> Record:
        spec = normalize(payload["spec"])
        parent_id = given.proposal.parent_ids[0]
        return record(render_pipeline(spec),
                      f"llm debug {parent_id}: {payload['fix']} {describe(spec)}", spec,
                      {"action": {"fix": payload["fix"], "model": payload["model"]}})


class MergeAction(BaseModel):
    """What a structured merge answers."""

    model_config = ConfigDict(extra="forbid")

    members: list[str]
    method: str


class StructuredMerge:
    """``merge``: choose a subset (two or more) of the proposed nodes and a blending method."""

    operator, level = "merge", "structured"

    def variables(self, given: StepInput, prompts: PromptSet) -> dict[str, str]:
        nodes = [given.ctx.nodes[i] for i in given.proposal.parent_ids if i in given.ctx.nodes]
        if len(nodes) < 2:
            raise ValueError(f"merge needs two or more known parents, got {len(nodes)}")
        return {"task": context.task_summary(given.ctx),
                "members": "\n".join(context.node_line(n) for n in nodes)}

    def schema(self, given: StepInput) -> dict[str, Any]:
        ids = list(given.proposal.parent_ids)
        return {"type": "object", "additionalProperties": False,
                "required": ["members", "method"],
                "properties": {"members": {"type": "array", "minItems": 2,
                                           "maxItems": len(ids),
                                           "items": {"type": "string", "enum": ids}},
                               "method": {"type": "string", "enum": list(METHODS)}}}

    def parse(self, text: str, given: StepInput) -> dict[str, Any]:
        action = validated(MergeAction, text)
        members = list(dict.fromkeys(action.members))
        unknown = [m for m in members if m not in given.proposal.parent_ids]
        if unknown:
            raise ValueError(f"members {unknown} are not among {list(given.proposal.parent_ids)}")
        if len(members) < 2:
            raise ValueError("choose at least two distinct members")
        if action.method not in METHODS:
            raise ValueError(f"method {action.method!r} is not one of {', '.join(METHODS)}")
        return {"members": members, "method": action.method}

    def emit(self, payload: dict[str, Any], given: StepInput) -> Record:
        delegate = Delegate(operator="merge", parent_ids=list(payload["members"]),
                            params={"method": payload["method"]})
        return record("", "", params={"action": payload}, delegate=delegate)

"""The debug operator: repair a failed node from its status and one-line error."""

from __future__ import annotations

from typing import Any

from graftml.agents.builtin.mutate import apply_steps
from graftml.agents.builtin.portfolio import strongest_spec
from graftml.agents.builtin.render import describe, pipeline_candidate
from graftml.agents.builtin.space import KINDS, known_specs, make_spec, n_features, normalize
from graftml.candidate import Candidate
from graftml.operators import BUILD_FAILED, NothingLeft, Operator, OperatorContext, Role
from graftml.types import Node, NodeStatus, Proposal

SAFE_PREP = {"categorical": "ordinal", "impute": "median", "text": "drop"}
#: robust pipelines tried in order after an error: few dtype assumptions, no optional libraries
FALLBACK_KINDS = ("hist_gb", "random_forest", "linear")
_RESOURCE_WORDS = ("memory", "timeout", "timed out", "killed", "bad_alloc")
SHRINK_STEPS = (("trees", -1), ("capacity", -1))
MIN_TRAIN_ROWS = 500


def ran_out_of_resources(node: Node) -> bool:
    """True when the node failed on time or memory rather than on a bug."""
    if node.status in (NodeStatus.OOM, NodeStatus.TIMEOUT):
        return True
    return any(word in node.error.lower() for word in _RESOURCE_WORDS)


def shrink(spec: dict[str, Any], n_rows: int) -> tuple[dict[str, Any], list[str]]:
    """A cheaper copy of ``spec``: fewer trees, less capacity and at most half the rows."""
    spec = normalize(spec)
    changes = apply_steps(spec, SHRINK_STEPS)
    rows = spec["prep"].get("max_train_rows") or n_rows
    limit = max(MIN_TRAIN_ROWS, int(rows) // 2)
    if limit < rows:
        spec["prep"]["max_train_rows"] = limit
        changes.append(f"max_train_rows {limit}")
    return spec, changes


def ancestry_specs(ctx: OperatorContext, node_id: str) -> list[dict[str, Any]]:
    """Normalized specs along the first-parent chain from ``node_id`` up (structured only)."""
    specs: list[dict[str, Any]] = []
    seen: set[str] = set()
    current: str | None = node_id
    while current is not None and current in ctx.nodes and current not in seen:
        seen.add(current)
        node = ctx.nodes[current]
        if node.spec is not None and node.spec.get("model") in KINDS:
            specs.append(normalize(node.spec))
        current = node.parent_ids[0] if node.parent_ids else None
    return specs


def fallback_specs(ctx: OperatorContext) -> list[dict[str, Any]]:
    """The strongest portfolio pipeline, then the robust fallbacks with safe preprocessing."""
    safe = [make_spec(kind, ctx.task_type, ctx.n_rows, n_features(ctx)) for kind in FALLBACK_KINDS]
    return [strongest_spec(ctx),
            *(normalize({**s, "prep": {**s["prep"], **SAFE_PREP}}) for s in safe)]


class DebugOperator(Operator):
    """``debug``: repair a failed parent.

    Out of time or memory: the same pipeline, smaller (fewer trees, less capacity, fewer rows).
    Any other failure, or a free-form parent: the first of the strongest portfolio pipeline and
    the safe fallbacks that no node has run yet. A parent whose build failed never ran: nothing to
    repair.
    """

    name = "debug"
    role = Role.REPAIR

    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        if len(proposal.parent_ids) != 1:
            raise ValueError(f"debug needs one parent, got {len(proposal.parent_ids)}")
        parent = ctx.nodes.get(proposal.parent_ids[0])
        if parent is None:
            raise ValueError(f"unknown parent node {proposal.parent_ids[0]!r}")
        if parent.error.startswith(BUILD_FAILED):
            raise ValueError(f"nothing to debug: {parent.id} failed before it ran "
                             f"({parent.error or parent.status})")
        structured = parent.spec is not None and parent.spec.get("model") in KINDS
        if structured and ran_out_of_resources(parent):
            assert parent.spec is not None
            spec, changes = shrink(parent.spec, ctx.n_rows)
            return pipeline_candidate(spec, f"debug {parent.id}: smaller ({', '.join(changes)})",
                                      {"repair": "shrink"})
        tried = ancestry_specs(ctx, parent.id) + known_specs(ctx)
        for spec in fallback_specs(ctx):
            if spec not in tried:
                return pipeline_candidate(spec, f"debug {parent.id}: fallback {describe(spec)}",
                                          {"repair": "fallback"})
        raise NothingLeft(f"every fallback pipeline has already run (above {parent.id!r} or "
                         "elsewhere in the tree)")

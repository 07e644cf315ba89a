"""The merge operator: blend finished nodes into an ensemble scored without a job."""

from __future__ import annotations

from typing import Any

import numpy as np

from graftml.agents.builtin.ensemble import METHODS, cross_fit, fit_blender, oriented_score
from graftml.agents.builtin.ensemble_template import blend
from graftml.agents.builtin.render import fill, template_source
from graftml.agents.builtin.space import proposal_seed
from graftml.candidate import Candidate
from graftml.operators import Operator, OperatorContext, Role
from graftml.types import NodeStatus, Proposal

#: prediction sets blended besides "valid" when every member has them
SPLITS = ("test", "user_test")
#: most members of one ensemble once the best of other model families are added
MAX_MEMBERS = 10


def render_ensemble(member_codes: list[str], blender: dict[str, Any]) -> str:
    """The standalone ensemble module; caruana members of weight zero are left out."""
    if blender["method"] == "caruana":
        kept = [i for i, w in enumerate(blender["weights"]) if w > 0]
        member_codes = [member_codes[i] for i in kept]
        blender = {**blender, "weights": [blender["weights"][i] for i in kept]}
    return fill(template_source("ensemble_template"), {"members": member_codes, "blender": blender})


def member_predictions(ctx: OperatorContext, member_ids: list[str],
                       split: str) -> list[np.ndarray] | None:
    """Every member's predictions on ``split``, or None if any member lacks them.

    Raises:
        ValueError: members disagree on the shape (e.g. a regression column vs a vector).
    """
    loaded = [ctx.predictions.load(node_id, split) for node_id in member_ids]
    preds = [np.asarray(p, dtype=float) for p in loaded if p is not None]
    if len(preds) < len(loaded):
        return None
    if ctx.task_type == "regression":
        preds = [p.reshape(-1) if p.ndim == 2 and p.shape[1] == 1 else p for p in preds]
    shapes = {p.shape for p in preds}
    if len(shapes) > 1:
        raise ValueError(f"merge parents' {split} predictions differ in shape: {sorted(shapes)}")
    return preds


def check_members(ctx: OperatorContext, parent_ids: tuple[str, ...]) -> list[str]:
    """Distinct parents, all finished ok with code; raise ValueError naming the first bad one."""
    members = list(dict.fromkeys(parent_ids))
    if len(members) < 2:
        raise ValueError(f"merge needs two or more distinct parents, got {len(members)}")
    for node_id in members:
        node = ctx.nodes.get(node_id)
        if node is None or node.status != NodeStatus.OK or not node.code:
            raise ValueError(f"merge parent {node_id!r} has not finished ok with code")
    return members


def family_best(ctx: OperatorContext, members: list[str], most: int) -> list[str]:
    """The best finished node of each model family the members lack (ensembles excluded), best
    family first, at most ``most``: diverse members are what blending and stacking gain from."""
    have = {_family(ctx.nodes[m]) for m in members}
    best: dict[str, Any] = {}
    for node in ctx.nodes.values():
        family = _family(node)
        if (node.status != NodeStatus.OK or node.score is None or not node.code
                or family in have or family == "ensemble" or node.id in members):
            continue
        if family not in best or ctx.metric.oriented(node.score) > ctx.metric.oriented(
                best[family].score):
            best[family] = node
    ranked = sorted(best.values(), key=lambda n: ctx.metric.oriented(n.score), reverse=True)
    return [n.id for n in ranked[:most]]


def _family(node: Any) -> str:
    return str((node.spec or {}).get("model") or "custom")


class MergeOperator(Operator):
    """``merge``: an ensemble of two or more finished parents, fitted on their out-of-fold
    predictions (the "valid" set: OOF when the run bags, the validation rows otherwise).

    ``params["method"]`` is ``"caruana"`` (greedy selection with replacement, 25 rounds),
    ``"stack"`` (a logistic or ridge meta-model on member predictions: a stacker layer) or
    ``"auto"`` (the default: both, keeping the one whose cross-fitted score is better). The
    returned candidate carries precomputed predictions (validation ones cross-fitted) and the code
    of a module that refits every member and blends them with the blender fitted on all rows.
    Unless ``params["diverse"]`` is false, the best node of each model family the parents lack
    joins them (up to :data:`MAX_MEMBERS`): parents chosen by score are often variants of one
    model, and blending gains from models that err differently.
    ``seed`` (with the run seed and the proposal id) draws the two validation halves.
    """

    name = "merge"
    role = Role.COMBINE

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        method = str(proposal.params.get("method", "auto"))
        if method not in (*METHODS, "auto"):
            raise ValueError(f"merge method {method!r} is not one of auto, {', '.join(METHODS)}")
        members = check_members(ctx, proposal.parent_ids)
        if proposal.params.get("diverse", True):
            members += family_best(ctx, members, max(0, MAX_MEMBERS - len(members)))
        valid = member_predictions(ctx, members, "valid")
        if valid is None:
            raise ValueError("a merge parent has no saved validation predictions")
        y = np.asarray(ctx.y_valid)
        seed = proposal_seed(self.seed, ctx, proposal.id)
        score = oriented_score(ctx.metric, ctx.task_type)
        tried = {m: cross_fit(m, valid, y, ctx, seed) for m in
                 (METHODS if method == "auto" else (method,))}
        method = max(tried, key=lambda m: score(y, tried[m]))  # ties: caruana (listed first)
        predictions = {"valid": tried[method]}
        blender = fit_blender(method, valid, y, ctx.task_type, ctx.n_classes, score)
        for split in SPLITS:
            preds = member_predictions(ctx, members, split)
            if preds is not None:
                predictions[split] = blend(preds, blender)
        spec = {"model": "ensemble", "method": method, "members": members, **_weights(blender)}
        code = render_ensemble([ctx.nodes[m].code for m in members], blender)
        return Candidate(code=code, description=_describe(method, members, blender), spec=spec,
                         predictions=predictions)


def _weights(blender: dict[str, Any]) -> dict[str, Any]:
    if blender["method"] == "caruana":
        return {"weights": blender["weights"]}
    return {"meta": {"coef": blender["coef"], "intercept": blender["intercept"]}}


def _describe(method: str, members: list[str], blender: dict[str, Any]) -> str:
    if method == "stack":
        return f"merge stack of {len(members)}: {', '.join(members)}"
    shares = [f"{m}×{w:.2f}" for m, w in zip(members, blender["weights"], strict=True) if w > 0]
    return f"merge caruana of {len(members)}: {', '.join(shares)}"

"""The crossover operator: module-level recombination of two structured parents."""

from __future__ import annotations

import random
from typing import Any

from graftml.agents.builtin.render import describe, pipeline_candidate
from graftml.agents.builtin.space import normalize, proposal_seed, structured_parent
from graftml.candidate import Candidate
from graftml.operators import Operator, OperatorContext, Role
from graftml.types import Proposal


def mix_params(first: dict[str, Any], second: dict[str, Any],
               rng: random.Random) -> tuple[dict[str, Any], list[str]] | None:
    """``first``'s parameters with a seeded, proper subset of differing ones from ``second``.

    Returns None when fewer than two parameters differ (the child would equal a parent).
    """
    differing = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    if len(differing) < 2:
        return None
    taken = [k for k in differing if rng.random() < 0.5] or [rng.choice(differing)]
    if len(taken) == len(differing):
        taken.pop(rng.randrange(len(taken)))  # keep at least one of the first parent's values
    child = {k: v for k, v in first.items() if k not in taken}
    child.update({k: second[k] for k in taken if k in second})
    return child, taken


def recombine(first: dict[str, Any], second: dict[str, Any],
              rng: random.Random) -> tuple[dict[str, Any], str]:
    """The child spec and what it took from whom.

    Same model kind: the first parent's prep with mixed hyperparameters. Different kinds: the
    first parent's prep with the second parent's model.

    Raises:
        ValueError: the child would be identical to a parent.
    """
    if first["model"] == second["model"]:
        mixed = mix_params(first["params"], second["params"], rng)
        if mixed is None:
            raise ValueError("crossover parents differ in fewer than two parameters")
        params, taken = mixed
        return ({**first, "params": params},
                f"{first['model']} params {', '.join(taken)} from the second parent")
    child = normalize({"model": second["model"], "params": second["params"],
                       "prep": first["prep"]})
    if child["prep"] == second["prep"]:
        raise ValueError("crossover parents share their prep; the child would be the second")
    return child, f"prep of {first['model']} + model {describe(second)}"


class CrossoverOperator(Operator):
    """``crossover``: recombine two structured parents (prep of A + model of B, or mixed params).

    Free-form parents (spec None) cannot be recombined at module level. ``seed`` (with the run
    seed and the proposal id) drives which hyperparameters are mixed.
    """

    name = "crossover"
    role = Role.PAIR

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        if len(proposal.parent_ids) != 2:
            raise ValueError(f"crossover needs two parents, got {len(proposal.parent_ids)}")
        try:
            first, second = (structured_parent(ctx, pid) for pid in proposal.parent_ids)
        except ValueError:
            raise ValueError("crossover needs two structured parents") from None
        rng = random.Random(proposal_seed(self.seed, ctx, proposal.id))
        child, what = recombine(first, second, rng)
        a, b = proposal.parent_ids
        return pipeline_candidate(child, f"crossover {a} x {b}: {what}")

"""The operator contract: turn a searcher's :class:`~graftml.types.Proposal` into a candidate.

Operators are built-in (portfolio drafts, tune, merge, crossover: :mod:`graftml.agents.builtin`)
or LLM graphs (:mod:`graftml.agents`). The orchestrator calls them; they never run jobs.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from graftml.candidate import Candidate
from graftml.data.metrics import Metric
from graftml.errors import ConfigError
from graftml.types import Node, Proposal

#: prefix of the error of a node whose candidate could not be built (so it never ran)
BUILD_FAILED = "build failed: "
#: after BUILD_FAILED: the operator raised :class:`NothingLeft`
NOTHING_LEFT = "nothing left: "


class NothingLeft(ValueError):
    """Raised by :meth:`Operator.build` when this proposal can never yield a candidate that has
    not run (e.g. every change of the parent has); searchers then stop proposing it."""


def build_flags(error: str) -> tuple[bool, bool]:
    """(built, exhausted) of a node from its error text, as the searcher is told them."""
    unbuilt = error.startswith(BUILD_FAILED)
    return not unbuilt, unbuilt and error.startswith(BUILD_FAILED + NOTHING_LEFT)


class Role(StrEnum):
    """What an operator does with its parents; searchers propose operators by role, so any
    registered operator of a role is proposed where that role fits."""

    DRAFT = "draft"  # no parent: a fresh candidate (``params["draft_index"]``)
    REFINE = "refine"  # one ok parent: a changed copy (improve, tune)
    REPAIR = "repair"  # one failed parent: a fixed copy (debug)
    COMBINE = "combine"  # the top-k ok nodes: one candidate from all (merge)
    PAIR = "pair"  # two ok parents: a child mixing both (crossover)


#: the roles of graftml's own operator names (what a plain list of names means)
DEFAULT_ROLES: Mapping[str, Role] = {
    "draft": Role.DRAFT, "improve": Role.REFINE, "debug": Role.REPAIR, "tune": Role.REFINE,
    "merge": Role.COMBINE, "crossover": Role.PAIR}


def role_of(name: str, operator: Operator) -> Role:
    """The role ``operator`` plays under ``name``: its own, else that of graftml's operator of
    the same name.

    Raises:
        ConfigError: neither is known.
    """
    role = operator.role or DEFAULT_ROLES.get(name)
    if role is None:
        raise ConfigError(f"operator {name!r} ({type(operator).__name__}) has no role; set its "
                          f"class attribute role to one of: {', '.join(Role)}")
    return role


class BuildFailed(ValueError):
    """No candidate could be built, after spending on it (an LLM operator's model calls).

    ``params`` holds what goes on the node as for a built candidate: ``model``, ``tokens``,
    ``usd`` and any details, so the journal shows who spent what on a node that never ran.
    """

    def __init__(self, message: str, params: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.params = dict(params)


class PredictionStore(Protocol):
    """Read access to finished nodes' saved predictions."""

    def load(self, node_id: str, split: str) -> np.ndarray | None:
        """Predictions of ``node_id`` on ``split`` ("valid", "test", ...), or None if absent."""
        ...


@dataclass
class OperatorContext:
    """What an operator may see. Hold-out test *labels* are never part of it.

    Attributes:
        task_type: binary, multiclass or regression.
        n_classes: number of classes (0 for regression).
        metric: the validation metric (with its direction).
        target: name of the target column in the training table.
        feature_types: column name -> "numeric" | "categorical" | "text" | "datetime".
        n_rows: rows in the training table.
        seed: the run seed.
        run_dir: the run's folder (operators may keep state there, e.g. an Optuna storage).
        nodes: every node so far, by id (read-only view).
        predictions: saved predictions of finished nodes.
        y_valid: validation labels (for ensembling on validation predictions).
        description: free-text task description for LLM prompts.
    """

    task_type: str
    n_classes: int
    metric: Metric
    target: str
    feature_types: dict[str, str]
    n_rows: int
    seed: int
    run_dir: Path
    nodes: Mapping[str, Node]
    predictions: PredictionStore
    y_valid: np.ndarray
    description: str = ""


class Operator(abc.ABC):
    """Base class of all operators.

    A plugin operator (entry point group ``graftml.operators``) is built as ``cls(seed=seed)``
    once per run session, with the run's operator seed.
    """

    #: the operator name a :class:`~graftml.types.Proposal` refers to.
    name: str = ""
    #: what it does with its parents; decides where searchers propose it. None: the role of
    #: graftml's operator of the same name (a wrapper named "draft" drafts)
    role: Role | None = None

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    @abc.abstractmethod
    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        """Called by the orchestrator once per proposal, before any job runs.

        Must return a :class:`~graftml.candidate.Candidate` (code to run, or precomputed
        predictions). Raise :class:`~graftml.errors.GraftError` subclasses only for faults the
        run cannot recover from; a candidate that cannot be built for this proposal should raise
        ``ValueError`` with a one-line reason, which the orchestrator records as a failed node.
        """

    def should_promote(self, node: Node, low_fidelity_score: float, ctx: OperatorContext) -> bool:
        """Called after a subsample-first run of ``node`` (score oriented higher-is-better).

        Return True to run the node on the full training data, False to record it as pruned.
        The default promotes everything; the tune operator defers to its Optuna pruner.
        """
        return True

    def on_finish(self, node: Node, ctx: OperatorContext) -> None:
        """Called once when a node built by this operator has ended (any status). No-op hook."""
        return None

    def close(self) -> None:
        """Called once at the end of a session (after the final pick); release held resources.

        Must not raise. The default does nothing; LLM operators free their model here.
        """
        return None

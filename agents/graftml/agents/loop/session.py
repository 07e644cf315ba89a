"""One session of a run: assemble searcher, operators and executor; replay; search; finalize."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graftml.agents.loop.final import (
    FinalPick,
    finalize,
    pick_best,
    refit_reserve_s,
    search_fit_s,
    tail_margin_s,
)
from graftml.agents.loop.importance import importance_reserve_s, permutation_importance
from graftml.agents.loop.orchestrator import Orchestrator
from graftml.agents.loop.progress import Progress
from graftml.agents.loop.rundir import FilePredictionStore, RunMeta, RunPaths, load_labels
from graftml.budget import Ledger
from graftml.config import RunConfig
from graftml.data.metrics import get_metric
from graftml.errors import ConfigError, GraftError
from graftml.executor import Executor
from graftml.journal import Journal, outcome_from_dict, proposal_from_dict
from graftml.operators import Operator, OperatorContext, build_flags, role_of
from graftml.plugins import EXECUTORS, OPERATORS
from graftml.search import make_searcher
from graftml.searcher import Searcher
from graftml.types import Node, NodeStatus, Outcome, Proposal


@dataclass
class Parts:
    """Parts a caller built itself (SDK), used instead of the ones the config names.

    Attributes:
        searcher: used as given (it must accept the run's operators; see its ``roles``).
        executor: used as given and left running at the end (its owner shuts it down).
        operators: add to, or replace by name, the registered operators.
    """

    searcher: Searcher | None = None
    executor: Executor | None = None
    operators: dict[str, Operator] = field(default_factory=dict)


class Session:
    """Builds the run's parts from its config (plugins by ``kind``) and runs search + final
    pick; this is the one place an AutoML run is wired."""

    def __init__(self, cfg: RunConfig, paths: RunPaths, meta: RunMeta, ledger: Ledger,
                 journal: Journal, custom: Parts | None = None) -> None:
        self.cfg, self.paths, self.meta = cfg, paths, meta
        self.ledger, self.journal = ledger, journal
        self.custom = custom or Parts()
        self.metric = get_metric(meta.metric)
        self.nodes: dict[str, Node] = journal.nodes()
        labels = load_labels(paths)
        self.sizes = {s: _rows(paths.data_file(s)) for s in meta.prediction_sets}
        self.sizes["valid"] = len(labels["valid"])  # out-of-fold predictions of the scored rows
        self.ctx = OperatorContext(
            task_type=meta.task_type, n_classes=meta.n_classes, metric=self.metric,
            target=meta.target, feature_types=meta.feature_types, n_rows=meta.n_train,
            seed=meta.seed, run_dir=paths.root, nodes=self.nodes,
            predictions=FilePredictionStore(paths), y_valid=labels["valid"],
            description=cfg.task.description)

    def search_and_finalize(self, quiet: bool) -> FinalPick:
        executor = self._executor()
        operators: dict[str, Operator] = {}
        try:
            operators = self._operators()
            searcher = self._searcher(operators)
            interrupted = self._replay(searcher)
            with Progress(self.ledger, self.metric.name, enabled=not quiet) as progress:
                orch = Orchestrator(
                    cfg=self.cfg, paths=self.paths, meta=self.meta, sizes=self.sizes,
                    searcher=searcher, operators=operators, executor=executor,
                    journal=self.journal, ledger=self.ledger, ctx=self.ctx, nodes=self.nodes,
                    deadline=self._deadline, on_update=progress.update)
                orch.run(interrupted)
                progress.update(orch.stats, force=True)
            threads = executor.capacity * self.cfg.executor.threads
            pick = finalize(self.nodes, self.metric, self.paths, self.meta, self.ledger,
                            executor, threads, self.cfg.refit, self.sizes, self._user_target())
            if self.cfg.importance and pick.node is not None:
                window = self.ledger.remaining_wall_s() - tail_margin_s(self.cfg.budget.wall_s)
                pick.importances = permutation_importance(
                    pick.node, self._fold_fit_s(pick.node), self.paths, self.meta, self.metric,
                    executor, threads, window)
            return pick
        finally:
            for op in operators.values():
                op.close()
            if executor is not self.custom.executor:
                executor.shutdown()

    # ---- parts ---------------------------------------------------------------------------------
    def _executor(self) -> Executor:
        if self.custom.executor is not None:
            return self.custom.executor
        settings = self.cfg.executor
        executor: Executor = EXECUTORS.get(settings.kind).from_settings(
            settings, settings.workers or _cores())
        return executor

    def _operators(self) -> dict[str, Operator]:
        wanted = self.cfg.searcher.operators
        kinds = [kind for kind in OPERATORS.kinds()  # LLM operators fall back on the built-ins
                 if wanted is None or kind in wanted or kind in self.cfg.llm_operators]
        ops = {kind: OPERATORS.get(kind)(seed=self.meta.seed) for kind in kinds}
        if self.cfg.llm_operators:
            from graftml.agents import make_llm_operators

            ops.update(make_llm_operators(self.cfg.llm_operators, ops, self.ledger,
                                          self.paths.root))
        ops.update(self.custom.operators)
        if wanted is None:
            return ops
        unknown = sorted(set(wanted) - set(ops))
        if unknown:
            available = ", ".join(sorted(set(OPERATORS.kinds()) | set(ops)))
            raise ConfigError(f"searcher.operators names {unknown}, which this run does not "
                              f"have; available: {available}")
        return {name: op for name, op in ops.items() if name in wanted}

    def _searcher(self, operators: dict[str, Operator]) -> Searcher:
        roles = {name: role_of(name, op) for name, op in operators.items()}
        if self.custom.searcher is not None:
            return self.custom.searcher
        from graftml.agents.builtin import portfolio_size

        settings = self.cfg.searcher
        num_drafts = settings.num_drafts or portfolio_size(self.meta.n_train)
        return make_searcher(settings.kind, num_drafts=num_drafts, seed=self.meta.seed,
                             operators=roles, **settings.constructor_kwargs())

    def _deadline(self) -> float:
        """Elapsed-seconds mark where the search stops, leaving time to refit the best node
        (a bagged pick needs no refit) and to measure its feature importances."""
        wall = self.cfg.budget.wall_s
        if wall is None:
            return math.inf
        best = pick_best(self.nodes, self.metric)
        unbagged = self.cfg.refit and not self.meta.bagged
        refit = refit_reserve_s(best if unbagged else None, self.nodes, wall)
        importance = importance_reserve_s(
            self._fold_fit_s(best) if best is not None and self.cfg.importance else None, wall)
        return wall - tail_margin_s(wall) - refit - importance

    def _fold_fit_s(self, node: Node) -> float:
        """Seconds one fit of ``node`` on one fold's training rows took (members included)."""
        return search_fit_s(node, self.nodes) / self.meta.n_folds

    def _user_target(self) -> np.ndarray | None:
        path = self.paths.data / "user_target.npy"
        return np.load(path) if path.exists() else None

    # ---- resume ----------------------------------------------------------------------------
    def _replay(self, searcher: Searcher) -> list[tuple[Proposal, Node | None]]:
        """Re-drive the searcher through the journal; return proposals left unfinished."""
        asked: dict[str, Proposal] = {}
        for event in self.journal.events():
            if event["event"] == "ask":
                recorded = proposal_from_dict(event["proposal"])
                again = searcher.ask()
                if again is None or (again.id, again.operator, again.parent_ids) != (
                        recorded.id, recorded.operator, recorded.parent_ids):
                    raise GraftError(f"cannot resume: the searcher no longer proposes "
                                     f"{recorded.id} (journal seq {event['seq']})")
                asked[recorded.id] = recorded
            elif event["event"] == "tell":
                searcher.tell(event["proposal_id"], outcome_from_dict(event["outcome"]))
                asked.pop(event["proposal_id"], None)
        return [item for p in asked.values() if (item := self._unfinished(searcher, p))]

    def _unfinished(self, searcher: Searcher,
                    proposal: Proposal) -> tuple[Proposal, Node | None] | None:
        node = self.nodes.get(proposal.id)
        if node is None or node.status == NodeStatus.RUNNING:
            if node is not None:
                node.timings.pop("finished", None)
            return proposal, node
        # finished and journaled, but killed before the searcher was told
        oriented = None if node.score is None else self.metric.oriented(node.score)
        built, exhausted = build_flags(node.error)
        outcome = Outcome(status=node.status, score=oriented, cost_s=node.cost.get("job_s", 0.0),
                          built=built, exhausted=exhausted)
        searcher.tell(proposal.id, outcome)
        self.journal.tell(proposal.id, outcome)
        return None


def _rows(path: Any) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def _cores() -> int:
    import os

    return max(1, len(os.sched_getaffinity(0)))


__all__ = ["Session"]

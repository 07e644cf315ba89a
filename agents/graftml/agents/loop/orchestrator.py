"""The search loop: ask the searcher, build with an operator, run in the executor, score, tell.

The orchestrator owns all I/O. Every proposal and node is journaled before and after its job
(fsync'd once per step, see :mod:`graftml.journal`), every job second is charged to the ledger,
and at most ``executor.capacity`` jobs are in flight. A node's score is the metric of its
out-of-fold predictions (see :mod:`graftml.data.folds`). A node may first run a cheap fit (its
first fold when bagging, else a training subsample), be pruned on that score, or go on: a
bagged node then fits only its remaining folds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from graftml.agents.loop.early_stop import CHEAP_SCORE, ScorePredictor, best_single_model
from graftml.agents.loop.rundir import FilePredictionStore, RunMeta, RunPaths, job_spec
from graftml.agents.loop.scoring import BadPredictions, fold_spread, load_predictions, score
from graftml.budget import Ledger
from graftml.candidate import Candidate, job_script
from graftml.config import RunConfig
from graftml.errors import GraftError
from graftml.executor import Executor, JobHandle
from graftml.journal import Journal
from graftml.operators import (
    BUILD_FAILED,
    NOTHING_LEFT,
    BuildFailed,
    NothingLeft,
    Operator,
    OperatorContext,
    build_flags,
)
from graftml.searcher import Searcher
from graftml.types import Job, JobResult, JobStatus, Node, NodeStatus, Outcome, Proposal

# OpenMP threads that spin while waiting turn a busy 2-core machine into a 20-50x slowdown
JOB_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}
BUILD_SLACK = 1.5  # a build may take this much longer than the slowest one of its operator


@dataclass
class _InFlight:
    node: Node
    proposal: Proposal
    cheap: bool  # a cheap first fit, to be promoted or pruned
    fold_ids: list[int]
    overhead_s: float = 0.0
    earlier: dict[str, np.ndarray] | None = None  # predictions of the cheap fit's folds, reused


@dataclass
class Stats:
    """Counters for the progress display."""

    done: int = 0
    failed: int = 0
    pruned: int = 0
    running: int = 0
    best: float | None = None
    best_node: str = ""
    last: str = ""


class Orchestrator:
    """Runs the search phase of one run until its deadline or until the searcher is stuck."""

    def __init__(self, *, cfg: RunConfig, paths: RunPaths, meta: RunMeta, sizes: dict[str, int],
                 searcher: Searcher, operators: dict[str, Operator], executor: Executor,
                 journal: Journal, ledger: Ledger, ctx: OperatorContext,
                 nodes: dict[str, Node], deadline: Callable[[], float],
                 on_update: Callable[[Stats], None] = lambda s: None) -> None:
        self.cfg, self.paths, self.meta, self.sizes = cfg, paths, meta, sizes
        self.searcher, self.operators, self.executor = searcher, operators, executor
        self.journal, self.ledger, self.ctx, self.nodes = journal, ledger, ctx, nodes
        self.store = FilePredictionStore(paths)
        folds = np.load(paths.folds_file())
        self.scored_folds = folds[folds >= 0]  # fold of each out-of-fold prediction row
        self.deadline = deadline  # elapsed-seconds mark at which the search must stop
        self.on_update = on_update
        self.stats = Stats()
        self._flight: dict[JobHandle, _InFlight] = {}
        self._stuck = False
        self._closing = False  # no more builds: the next one would run past the deadline
        self._build_s: dict[str, float] = {}  # slowest build seen per operator
        ce = cfg.cheap_eval
        self.predictor = ScorePredictor.from_nodes(
            nodes.values(), ctx.metric, ce.early_stop_min_pairs, ce.early_stop_z
        ) if ce.early_stop else None
        for node in nodes.values():  # a resumed run shows what it had done before
            if node.status != NodeStatus.RUNNING:
                self._count(node, None if node.score is None else ctx.metric.oriented(node.score))

    # ---- main loop -------------------------------------------------------------------------
    def run(self, interrupted: Sequence[tuple[Proposal, Node | None]] = ()) -> Stats:
        """Search until the deadline; ``interrupted`` are proposals a killed run left unfinished."""
        for proposal, node in interrupted:
            self._launch(proposal, node)
        while not self._time_up():
            self._fill()
            if not self._flight:
                if self._stuck:
                    break
                continue
            wait_s = max(0.05, min(1.0, self.deadline() - self.ledger.elapsed_s))
            for handle in self.executor.wait(list(self._flight), wait_s):
                self._collect(handle)
            self._publish()
        self._drain()
        self._publish()
        return self.stats

    def _time_up(self) -> bool:
        return self.ledger.elapsed_s >= self.deadline() or self.ledger.exhausted()

    def _fill(self) -> None:
        self._stuck = self._closing and not self._flight
        while (len(self._flight) < self.executor.capacity and not self._time_up()
               and not self._closing):
            t0 = time.perf_counter()
            proposal = self.searcher.ask()
            if proposal is None:
                self._stuck = not self._flight
                return
            self.journal.ask(proposal)
            self._launch(proposal, None, asked_s=time.perf_counter() - t0)

    # ---- one node ----------------------------------------------------------------------------
    def _launch(self, proposal: Proposal, node: Node | None, asked_s: float = 0.0) -> None:
        """Build (unless resuming a started node) and submit, or finish at once.

        ``asked_s`` (the searcher's ask) counts towards the node's orchestration overhead.
        """
        t0 = time.perf_counter() - asked_s
        operator = self.operators.get(proposal.operator)
        if node is None:
            node = Node(id=proposal.id, operator=proposal.operator, parent_ids=proposal.parent_ids,
                        step=len(self.nodes), params=dict(proposal.params))
            if self._build_overruns(proposal.operator):
                self._closing = True
                self._fail_unbuilt(node, proposal, None, t0)
                return
            try:
                if operator is None:
                    raise ValueError(f"operator {proposal.operator!r} is not enabled in this run")
                started = time.perf_counter()
                candidate = operator.build(proposal, self.ctx)
                self._build_s[proposal.operator] = max(
                    self._build_s.get(proposal.operator, 0.0), time.perf_counter() - started)
            except (GraftError, ValueError, KeyError) as exc:  # BudgetExceeded included
                self._fail_unbuilt(node, proposal, exc, t0)
                return
            node = self._node_from(node, candidate)
            if candidate.predictions is not None:
                self._finish_precomputed(node, proposal, candidate, t0)
                return
        self.nodes[node.id] = node
        self.journal.start(node)
        self._submit(node, proposal, self._starts_cheap(node), time.perf_counter() - t0)

    def _build_overruns(self, operator: str) -> bool:
        """Whether building for ``operator`` (as slow as its slowest build so far, with slack)
        would run past the deadline: builds run in this loop and cannot be cancelled."""
        expected = BUILD_SLACK * self._build_s.get(operator, 0.0)
        return expected > 0.05 and self.ledger.elapsed_s + expected > self.deadline()

    def _node_from(self, node: Node, cand: Candidate) -> Node:
        params = {**node.params, **cand.params}
        model = str(params.pop("model", "builtin"))
        cost: dict[str, float] = {k: float(params.pop(k)) for k in ("tokens", "usd") if k in params}
        return replace(node, code=cand.code, spec=cand.spec, description=cand.description,
                       params=params, model=model, cost=cost,
                       timings={"submitted": round(self.ledger.elapsed_s, 3)})

    def _starts_cheap(self, node: Node) -> bool:
        return self.meta.cheap_eval and node.operator != "merge"

    def _submit(self, node: Node, proposal: Proposal, cheap: bool, overhead: float,
                earlier: dict[str, np.ndarray] | None = None) -> None:
        """Run ``node``'s cheap first fit, or its full fit (the folds ``earlier`` lacks)."""
        t0 = time.perf_counter()
        k = self.meta.n_folds
        fold_ids = [0] if cheap else list(range(1 if earlier is not None else 0, k))
        fidelity = len(fold_ids) / k if self.meta.bagged else (
            self.cfg.cheap_eval.fraction if cheap else 1.0)
        ex = self.cfg.executor
        stage = "low" if cheap else ""
        job = Job(id=f"{node.id}{'-' + stage if stage else ''}",
                  workdir=self.paths.node_dir(node.id, stage), script=job_script(node.code),
                  job_spec=job_spec(self.paths, self.meta, ex.threads, fold_ids, cheap, fidelity),
                  timeout_s=ex.timeout_s, memory_mb=ex.memory_mb, max_procs=ex.max_procs,
                  threads=ex.threads, num_cpus=float(ex.threads), env=JOB_ENV)
        handle = self.executor.submit(job)
        self._flight[handle] = _InFlight(node, proposal, cheap, fold_ids,
                                         overhead + time.perf_counter() - t0, earlier)

    def _collect(self, handle: JobHandle) -> None:
        item = self._flight.pop(handle)
        result = handle.result()
        t0 = time.perf_counter()
        self.ledger.charge("job", item.node.id, job_s=round(result.duration_s, 3))
        item.node.cost["job_s"] = item.node.cost.get("job_s", 0.0) + round(result.duration_s, 3)
        status, value, error, preds = self._evaluate(item, result)
        if status == NodeStatus.OK and item.cheap:
            assert value is not None
            item.node.metrics[CHEAP_SCORE] = value
            oriented = self.ctx.metric.oriented(value)
            operator = self.operators[item.proposal.operator]
            if operator.should_promote(item.node, oriented, self.ctx):
                error = self._hopeless(item.node, oriented)
                if not error:
                    reuse = preds if self.meta.bagged and self.meta.n_folds > 1 else None
                    self._submit(item.node, item.proposal, False,
                                 item.overhead_s + time.perf_counter() - t0, reuse)
                    return
            status, value = NodeStatus.PRUNED, None
        self._finish(item.node, item.proposal, status, value, error,
                     item.overhead_s + time.perf_counter() - t0)

    def _hopeless(self, node: Node, cheap: float) -> str:
        """Why ``node`` is stopped after its cheap fit (its predicted final score cannot reach
        the best single model's), or ``""`` to go on."""
        if self.predictor is None:
            return ""
        best = best_single_model(self.nodes.values(), self.ctx.metric)
        if not self.predictor.hopeless(cheap, best):
            return ""
        predicted = self.predictor.predict(cheap)
        assert predicted is not None and best is not None
        metric = self.ctx.metric
        node.metrics["predicted_score"] = round(metric.oriented(predicted[0]), 6)
        return (f"pruned: predicted {metric.name} {metric.oriented(predicted[0]):.5g} "
                f"(±{predicted[1]:.2g}) cannot reach the best single model's "
                f"{metric.oriented(best):.5g}")

    def _evaluate(self, item: _InFlight, result: JobResult
                  ) -> tuple[NodeStatus, float | None, str, dict[str, np.ndarray]]:
        """Status, score and predictions of a finished fit (the reused folds merged in)."""
        if result.status != JobStatus.OK:
            return NodeStatus(str(result.status)), None, result.error, {}
        assert result.workdir is not None
        held = np.isin(self.scored_folds, item.fold_ids)
        try:
            preds = load_predictions(result.workdir, self.meta.splits,
                                     {**self.sizes, "valid": int(held.sum())}, self.meta.n_classes)
            if item.earlier is not None:
                preds, held = self._merge_folds(item, preds), np.ones_like(held)
                self.store.save(item.node.id, preds)
            value = score(self.ctx.metric, self.ctx.y_valid[held], preds["valid"])
            self._record_spread(item.node, preds["valid"], held)
        except BadPredictions as exc:
            return NodeStatus.ERROR, None, str(exc), {}
        return NodeStatus.OK, value, "", preds

    def _record_spread(self, node: Node, oof: np.ndarray, held: np.ndarray) -> None:
        """The fold-to-fold standard deviation of a bagged node's score (report error bars)."""
        if self.meta.bagged and held.all():
            spread = fold_spread(self.ctx.metric, self.ctx.y_valid, oof, self.scored_folds)
            if spread is not None:
                node.metrics["cv_std"] = round(spread, 6)

    def _merge_folds(self, item: _InFlight, later: dict[str, np.ndarray]
                     ) -> dict[str, np.ndarray]:
        """Predictions of every fold from the cheap fit's folds and the later ones."""
        assert item.earlier is not None
        k, n_later = self.meta.n_folds, len(item.fold_ids)
        early_rows = ~np.isin(self.scored_folds, item.fold_ids)
        valid = np.empty((len(self.scored_folds), *later["valid"].shape[1:]))
        valid[early_rows], valid[~early_rows] = item.earlier["valid"], later["valid"]
        merged = {split: ((k - n_later) * item.earlier[split] + n_later * later[split]) / k
                  for split in later if split != "valid"}
        return {"valid": valid, **merged}

    def _finish_precomputed(self, node: Node, proposal: Proposal, cand: Candidate,
                            t0: float) -> None:
        assert cand.predictions is not None
        self.nodes[node.id] = node
        self.journal.start(node)
        try:
            value = score(self.ctx.metric, self.ctx.y_valid, cand.predictions["valid"])
            self._record_spread(node, np.asarray(cand.predictions["valid"]),
                                np.ones(len(self.scored_folds), dtype=bool))
            self.store.save(node.id, cand.predictions)
            status, error = NodeStatus.OK, ""
        except (BadPredictions, KeyError) as exc:
            value, status, error = None, NodeStatus.ERROR, str(exc)
        self._finish(node, proposal, status, value, error, time.perf_counter() - t0)

    def _fail_unbuilt(self, node: Node, proposal: Proposal, exc: Exception | None,
                      t0: float) -> None:
        """Record a node that was never built: its build failed (``exc``), or (``None``) it
        was not started because the search budget could not pay for the build."""
        if exc is None:
            node.timings["submitted"] = round(self.ledger.elapsed_s, 3)
            self.nodes[node.id] = node
            self.journal.start(node)
            self._finish(node, proposal, NodeStatus.KILLED, None,
                         "stopped: building it would overrun the search budget",
                         time.perf_counter() - t0)
            return
        if isinstance(exc, BuildFailed):  # the journal names the model and what it spent
            node = self._node_from(node, Candidate(code="", description="", params=exc.params))
        node.timings["submitted"] = round(self.ledger.elapsed_s, 3)
        self.nodes[node.id] = node
        self.journal.start(node)
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, NothingLeft):
            message = NOTHING_LEFT + message
        self._finish(node, proposal, NodeStatus.ERROR, None, f"{BUILD_FAILED}{message}",
                     time.perf_counter() - t0)

    def _finish(self, node: Node, proposal: Proposal, status: NodeStatus, value: float | None,
                error: str, overhead_s: float) -> None:
        t0 = time.perf_counter()
        node.status, node.score, node.error = status, value, error
        if value is not None:
            node.metrics[self.ctx.metric.name] = value
            if self.predictor is not None and CHEAP_SCORE in node.metrics:
                metric = self.ctx.metric
                self.predictor.observe(metric.oriented(node.metrics[CHEAP_SCORE]),
                                       metric.oriented(value))
        node.timings["finished"] = round(self.ledger.elapsed_s, 3)
        operator = self.operators.get(proposal.operator)
        if operator is not None:
            operator.on_finish(node, self.ctx)
        oriented = None if value is None else self.ctx.metric.oriented(value)
        built, exhausted = build_flags(node.error)
        outcome = Outcome(status=status, score=oriented, cost_s=node.cost.get("job_s", 0.0),
                          built=built, exhausted=exhausted)
        node.cost["overhead_s"] = round(overhead_s + time.perf_counter() - t0, 6)
        self.journal.finish(node)
        self.searcher.tell(proposal.id, outcome)
        self.journal.tell(proposal.id, outcome)
        self._count(node, oriented)

    def _count(self, node: Node, oriented: float | None) -> None:
        s = self.stats
        s.done += 1
        s.failed += node.is_buggy
        s.pruned += node.status == NodeStatus.PRUNED
        s.last = f"{node.id} {node.operator} {node.status}"
        if oriented is not None and (s.best is None or oriented > self.ctx.metric.oriented(s.best)):
            s.best, s.best_node = node.score, node.id

    def _drain(self) -> None:
        """Budget over: kill what is still running and record it as killed."""
        for handle in list(self._flight):
            handle.cancel()
        for handle in list(self._flight):
            item = self._flight.pop(handle)
            result = handle.result()
            self.ledger.charge("job", item.node.id, job_s=round(result.duration_s, 3))
            self._finish(item.node, item.proposal, NodeStatus.KILLED, None,
                         "stopped: search budget ended", item.overhead_s)

    def _publish(self) -> None:
        self.stats.running = len(self._flight)
        self.on_update(self.stats)

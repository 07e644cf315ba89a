"""The SDK entry points: :func:`run` a task, :func:`resume` a killed run.

A run validates everything before any work starts, writes ``runs/<id>/`` (config, data,
journal, ledger), searches until its wall budget (less the time a final refit needs, when the
search rows are one train/validation split rather than folds), then picks on the out-of-fold
score, refits an unbagged pick, scores the hold-out once, exports the winner and writes the
report.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from graftml.agents.loop.result import RunResult
from graftml.agents.loop.rundir import RunMeta, RunPaths, load_meta, materialize
from graftml.agents.loop.session import Parts, Session
from graftml.budget import Budget, Ledger
from graftml.config import RunConfig, load_config, validate
from graftml.data.load import load_table
from graftml.data.metrics import get_metric
from graftml.data.task import Task, prepare
from graftml.errors import ConfigError, TaskError
from graftml.executor import Executor
from graftml.journal import Journal, replay_nodes
from graftml.operators import Operator
from graftml.searcher import Searcher
from graftml.types import Node, NodeStatus


def config_for(task: Task, *, budget: Budget | None = None, name: str = "run",
               searcher: str = "greedy", executor: str = "local",
               workers: int | None = None) -> RunConfig:
    """The run config of an SDK :class:`~graftml.data.task.Task` (default budget: 120 s)."""
    b = budget or Budget(wall_s=120.0)
    raw: dict[str, Any] = {
        "name": name, "task": task.model_dump(),
        "budget": {"wall_s": b.wall_s, "tokens": b.tokens, "usd": b.usd},
        "searcher": {"kind": searcher},
        "executor": {"kind": executor, "workers": workers},
    }
    return validate(raw, "task")


def run(task: Task | RunConfig | str | Path, *, budget: Budget | None = None,
        name: str | None = None, run_dir: str | Path | None = None,
        searcher: str | Searcher | None = None, executor: str | Executor | None = None,
        workers: int | None = None, quiet: bool = False,
        frame: pd.DataFrame | None = None, overrides: list[str] | None = None,
        operators: dict[str, Operator] | None = None) -> RunResult:
    """Run an AutoML search.

    Args:
        task: a :class:`Task`, a validated :class:`RunConfig`, or a path to a YAML config.
        budget: with a :class:`Task`: the hard limits (default 120 s wall; a config has its
            own ``budget`` section).
        name: with a :class:`Task`: the run's name (default ``run``).
        run_dir: where to write the run (default ``<runs_dir>/<name>-<time>-<random>``).
        searcher: a registered kind (with a :class:`Task`; default ``greedy``), or a searcher
            instance (any task), used as given: build it with the run's operators in mind.
        executor: a registered kind (with a :class:`Task`; default ``local``), or an executor
            instance (any task), which the run uses and leaves running.
        workers: with a :class:`Task` only (a config has its own).
        quiet: no progress display.
        frame: the table itself (instead of reading ``task.data``).
        overrides: ``a.b=v`` overrides, with a config path only.
        operators: operators that add to, or replace by name, the registered ones.

    Raises:
        ConfigError: a keyword that does not apply to this kind of ``task``, or a bad config.
    """
    started = time.monotonic()
    _check_applicable(task, searcher=searcher, executor=executor, workers=workers,
                      budget=budget, name=name, overrides=overrides)
    parts = Parts(searcher if isinstance(searcher, Searcher) else None,
                  None if executor is None or isinstance(executor, str) else executor,
                  dict(operators or {}))
    if isinstance(task, Task):
        cfg = config_for(task, budget=budget, name=name or "run",
                         searcher=searcher if isinstance(searcher, str) else "greedy",
                         executor=executor if isinstance(executor, str) else "local",
                         workers=workers)
    elif isinstance(task, RunConfig):
        cfg = task
    else:
        cfg = load_config(task, overrides)
    td = prepare(cfg.task, frame)
    user_test, user_target = _user_test(cfg, td.X.columns, td.classes, td.task_type)
    paths = RunPaths((Path(run_dir) if run_dir else _new_run_dir(cfg)).resolve())
    paths.config.write_text(yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False))
    big = len(td.X) > cfg.cheap_eval.min_rows and cfg.cheap_eval.enabled
    meta = materialize(paths, td, user_test, cfg.cheap_eval.fraction if big else None)
    if user_target is not None:
        np.save(paths.data / "user_target.npy", user_target)
        os.chmod(paths.data / "user_target.npy", 0o600)
    return _execute(cfg, paths, meta, started, quiet, parts)


def _check_applicable(task: object, **given: object) -> None:
    """Refuse keywords that this kind of ``task`` would ignore."""
    if isinstance(task, Task):
        ignored = ["overrides"] if given["overrides"] is not None else []
        fix = "set the values on the Task or pass a config"
    else:
        ignored = [key for key in ("searcher", "executor", "workers") if
                   isinstance(given[key], str | int)]
        ignored += [key for key in ("budget", "name") if given[key] is not None]
        if isinstance(task, RunConfig) and given["overrides"] is not None:
            ignored.append("overrides")
        fix = "set them in the config (or overrides=['searcher.kind=mcts', ...] with a path)"
    if ignored:
        raise ConfigError(f"run(): {', '.join(ignored)} do not apply to a "
                          f"{type(task).__name__} task; {fix}")


def resume(run_dir: str | Path, *, quiet: bool = False, searcher: Searcher | None = None,
           executor: Executor | None = None,
           operators: dict[str, Operator] | None = None) -> RunResult:
    """Continue a run killed mid-search: finished nodes are kept, none runs twice.

    Pass the same ``searcher``, ``executor`` and ``operators`` instances (fresh ones built
    alike) that the killed run was given, if any; the journal is replayed into them.
    """
    started = time.monotonic()
    paths = RunPaths(Path(run_dir).resolve())
    if not paths.config.exists() or not (paths.data / "meta.json").exists():
        raise ConfigError(f"{run_dir!s} is not a graftml run folder (no run.yaml / data/meta.json)")
    cfg = load_config(paths.config)
    parts = Parts(searcher, executor, dict(operators or {}))
    return _execute(cfg, paths, load_meta(paths), started, quiet, parts)


def _new_run_dir(cfg: RunConfig) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(cfg.runs_dir) / f"{cfg.name}-{stamp}-{secrets.token_hex(2)}"


def _user_test(cfg: RunConfig, columns: pd.Index, classes: list[object],
               task_type: str) -> tuple[pd.DataFrame | None, np.ndarray | None]:
    """Load ``task.test_data``; its target column is optional (Kaggle-style)."""
    if cfg.task.test_data is None:
        return None, None
    frame = load_table(cfg.task.test_data)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise TaskError(f"test table {cfg.task.test_data!r} lacks feature columns: "
                        f"{', '.join(map(str, missing[:10]))}")
    target = None
    if cfg.task.target in frame.columns and frame[cfg.task.target].notna().all():
        raw = frame[cfg.task.target]
        if task_type == "regression":
            target = raw.to_numpy(dtype=float)
        elif set(raw.unique()) <= set(classes):
            target = np.array([classes.index(v) for v in raw], dtype=np.int64)
    return frame[list(columns)], target


def _execute(cfg: RunConfig, paths: RunPaths, meta: RunMeta, started: float,
             quiet: bool, parts: Parts) -> RunResult:
    ledger = Ledger(cfg.budget.to_budget(), paths.ledger, started=started)
    with Journal(paths.journal) as journal:
        session = Session(cfg, paths, meta, ledger, journal, parts)
        pick = session.search_and_finalize(quiet)
        nodes = session.nodes
    overheads = [n.cost.get("overhead_s", 0.0) * 1000 for n in nodes.values()
                 if n.status != NodeStatus.RUNNING]
    from graftml.agents.loop.report import leaderboard, write_report

    board = leaderboard(nodes, get_metric(meta.metric))
    result = RunResult(
        run_dir=paths.root, metric=meta.metric, direction=meta.direction,
        best_node_id=pick.node.id if pick.node else None, valid_score=pick.valid_score,
        test_score=pick.test_score, elapsed_s=round(ledger.elapsed_s, 3), n_nodes=len(nodes),
        overhead_ms=round(statistics.median(overheads), 3) if overheads else 0.0,
        refit=pick.refit, bagged=pick.bagged, folds=meta.n_folds, final_fit=pick.final_fit,
        warning=pick.warning, user_predictions=pick.user_predictions, user_score=pick.user_score,
        threshold=pick.threshold, leaderboard=board, name=cfg.name,
        n_scored=sum(n.status == NodeStatus.OK and (n.spec or {}).get("model") != "ensemble"
                     for n in nodes.values()),
        n_pruned=sum(n.status == NodeStatus.PRUNED for n in nodes.values()),
        importances=pick.importances.drops if pick.importances else {},
        importances_note=pick.importances.skipped if pick.importances else "off")
    write_report(paths, result, nodes, get_metric(meta.metric))
    result.elapsed_s = round(ledger.elapsed_s, 3)  # the report is part of the run's time
    (paths.root / "result.json").write_text(json.dumps(result.to_dict(), indent=1, default=str))
    return result


def load_nodes(run_dir: str | Path) -> dict[str, Node]:
    """Every node of a run, as the journal last recorded it."""
    return replay_nodes(Path(run_dir) / "journal.jsonl")


__all__ = ["RunResult", "config_for", "load_nodes", "resume", "run"]

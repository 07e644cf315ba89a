"""After the search: pick on the out-of-fold score, refit if unbagged, score the hold-out once.

A bagged pick (k-fold) predicts with the mean of its fold models, which together saw every search
row: no refit. An unbagged pick (single split) is refit on every search row; the search stops
early enough for that, and a refit that cannot run is a warning, never silent. The hold-out test
labels are read here and nowhere else, after the pick is made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from graftml.agents.loop.decision import fit_threshold, shift, wants_threshold
from graftml.agents.loop.importance import Importances
from graftml.agents.loop.orchestrator import JOB_ENV
from graftml.agents.loop.rundir import FilePredictionStore, RunMeta, RunPaths, job_spec, load_labels
from graftml.agents.loop.scoring import BadPredictions, load_predictions, score
from graftml.budget import Ledger
from graftml.candidate import export_script, job_script
from graftml.data.metrics import Metric
from graftml.executor import Executor
from graftml.types import Job, JobStatus, Node, NodeStatus

REFIT_SLACK = 1.3  # every search row is ~25% more than the train rows; jobs vary
REFIT_START_S = 1.0  # a job's start-up and data load, on top of its measured fit
MAX_REFIT_SHARE = 0.5  # beyond this share of the wall budget a refit is skipped, with a warning


@dataclass
class FinalPick:
    node: Node | None
    valid_score: float | None = None
    test_score: float | None = None
    refit: bool = False
    bagged: bool = False  # predictions are the mean of fold models (no refit needed)
    final_fit: str = ""  # which rows the final model was fit on, in words
    warning: str | None = None  # e.g. an unbagged pick that could not be refit
    user_predictions: Path | None = None
    user_score: float | None = None
    threshold: float | None = None  # decision threshold fitted on validation (binary F1, ...)
    importances: Importances | None = None  # permutation importances of the pick


def pick_best(nodes: dict[str, Node], metric: Metric) -> Node | None:
    """The ok node with the best validation score (earliest on ties)."""
    ok = [n for n in nodes.values() if n.status == NodeStatus.OK and n.score is not None]
    if not ok:
        return None
    return max(ok, key=lambda n: (metric.oriented(n.score or 0.0), -n.step))


def refit_members(node: Node) -> list[str]:
    """The nodes an ensemble's exported module refits: members of non-zero weight."""
    spec = node.spec or {}
    members = [str(m) for m in spec.get("members", node.parent_ids)]
    weights = spec.get("weights")
    if isinstance(weights, list) and len(weights) == len(members):
        return [m for m, w in zip(members, weights, strict=True) if float(w) > 0]
    return members


def search_fit_s(node: Node, nodes: dict[str, Node]) -> float:
    """Job seconds ``node``'s pipeline took in the search: an ensemble counts every distinct
    pipeline it blends with a non-zero weight, once, through any nesting of ensembles."""
    total, stack, seen = 0.0, [node], set()
    while stack:
        current = stack.pop()
        if current.id in seen:
            continue
        seen.add(current.id)
        if "job_s" in current.cost or not current.parent_ids:
            total += float(current.cost.get("job_s", 0.0))
        else:
            stack.extend(nodes[p] for p in refit_members(current) if p in nodes)
    return total


def refit_estimate_s(node: Node, nodes: dict[str, Node]) -> float:
    """Seconds a refit of ``node`` on every search row is expected to take, start-up included."""
    return REFIT_START_S + REFIT_SLACK * search_fit_s(node, nodes)


def tail_margin_s(wall_s: float | None) -> float:
    """Seconds kept at the end of a wall budget for scoring, export and the report."""
    return 0.0 if wall_s is None else 1.0 + 0.01 * wall_s


def refit_reserve_s(best: Node | None, nodes: dict[str, Node], wall_s: float | None) -> float:
    """Seconds to hold back for refitting ``best``: 0 when there is none or it is too dear."""
    if best is None:
        return 0.0
    estimate = refit_estimate_s(best, nodes)
    if wall_s is not None and estimate > MAX_REFIT_SHARE * wall_s:
        return 0.0  # keep searching; the pick predicts with its search-time fit (a warning)
    return estimate


def _refit(best: Node, paths: RunPaths, meta: RunMeta, executor: Executor, threads: int,
           timeout_s: float, sizes: dict[str, int]) -> dict[str, np.ndarray] | None:
    job = Job(id=f"{best.id}-refit", workdir=paths.node_dir(best.id, "refit"),
              script=job_script(best.code), job_spec=job_spec(paths, meta, threads, None),
              timeout_s=timeout_s, threads=threads, num_cpus=float(threads), env=JOB_ENV)
    result = executor.submit(job).result()
    if result.status != JobStatus.OK or result.workdir is None:
        return None
    try:
        return load_predictions(result.workdir, meta.prediction_sets, sizes, meta.n_classes)
    except BadPredictions:
        return None


def finalize(nodes: dict[str, Node], metric: Metric, paths: RunPaths, meta: RunMeta,
             ledger: Ledger, executor: Executor, threads: int, refit: bool,
             sizes: dict[str, int], user_target: np.ndarray | None) -> FinalPick:
    """Pick, refit an unbagged pick, score the hold-out once and export the winner."""
    best = pick_best(nodes, metric)
    if best is None:
        return FinalPick(None)
    preds = {s: FilePredictionStore(paths).load(best.id, s) for s in meta.splits}
    pick = FinalPick(best, valid_score=best.score, bagged=meta.bagged)
    if meta.bagged:
        pick.final_fit = (f"mean of {meta.n_folds} fold models, each fit on "
                          f"{meta.n_folds - 1}/{meta.n_folds} of the {meta.n_train} search rows")
    elif refit:
        _refit_pick(pick, preds, nodes, paths, meta, ledger, executor, threads, sizes)
    else:
        pick.final_fit = f"fit on the train part of the {meta.n_train} search rows (refit off)"
    labels = load_labels(paths)
    if wants_threshold(metric, meta.task_type) and preds.get("valid") is not None:
        pick.threshold = fit_threshold(metric, labels["valid"], np.asarray(preds["valid"]))
    _score(pick, preds, labels["test"], metric, paths, meta, user_target)
    _export(best, paths, meta, pick.threshold)
    return pick


def _refit_pick(pick: FinalPick, preds: dict[str, np.ndarray | None], nodes: dict[str, Node],
                paths: RunPaths, meta: RunMeta, ledger: Ledger, executor: Executor,
                threads: int, sizes: dict[str, int]) -> None:
    """Refit the (unbagged) pick on every search row, or say loudly why not."""
    assert pick.node is not None
    estimate = refit_estimate_s(pick.node, nodes)
    window = ledger.remaining_wall_s() - tail_margin_s(ledger.budget.wall_s)
    refitted = None
    if window > 0:  # the search stopped early enough for the estimate; that time is the timeout
        refitted = _refit(pick.node, paths, meta, executor, threads, window, sizes)
    if refitted is None:
        pick.final_fit = f"fit on the train part of the {meta.n_train} search rows"
        pick.warning = (f"the pick was not refit on all {meta.n_train} search rows (needs "
                        f"~{estimate:.0f}s, {max(window, 0):.0f}s left); its predictions come "
                        "from the train part only: raise budget.wall_s")
        return
    preds.update(refitted)
    pick.refit = True
    pick.final_fit = f"refit on all {meta.n_train} search rows"


def _score(pick: FinalPick, preds: dict[str, np.ndarray | None], y_test: np.ndarray,
           metric: Metric, paths: RunPaths, meta: RunMeta, user_target: np.ndarray | None) -> None:
    """Score the hold-out (once) and the user's table; write the user's predictions."""
    def decided(pred: np.ndarray) -> np.ndarray:
        return pred if pick.threshold is None else shift(pred, pick.threshold)

    test_pred = preds.get("test")
    if test_pred is not None and len(y_test):
        pick.test_score = score(metric, y_test, decided(test_pred))
    user_pred = preds.get("user_test")
    if user_pred is not None:
        pick.user_predictions = _write_user_predictions(user_pred, paths, meta, pick.threshold)
        if user_target is not None:
            pick.user_score = score(metric, user_target, decided(user_pred))


def _export(best: Node, paths: RunPaths, meta: RunMeta, threshold: float | None) -> None:
    info: dict[str, Any] = {"task_type": meta.task_type, "n_classes": meta.n_classes,
                            "seed": meta.seed, "threads": 2}
    if threshold is not None:
        info["threshold"] = round(threshold, 6)
    (paths.best / "pipeline.py").write_text(export_script(best.code, meta.target, info))
    (paths.best / "node.json").write_text(json.dumps(best.to_dict(), indent=1, default=str))


def _write_user_predictions(pred: np.ndarray, paths: RunPaths, meta: RunMeta,
                            threshold: float | None) -> Path:
    """``predictions.csv``: the label (thresholded when a threshold was fitted) and the raw
    class probabilities."""
    out = paths.best / "predictions.csv"
    if meta.task_type == "regression":
        frame = pd.DataFrame({meta.target: pred})
    else:
        classes = np.asarray(meta.classes, dtype=object)
        labels = pred.argmax(axis=1) if threshold is None else shift(pred, threshold).argmax(axis=1)
        frame = pd.DataFrame({meta.target: classes[labels]})
        for k, name in enumerate(meta.classes):
            frame[f"proba_{name}"] = pred[:, k]
    frame.to_csv(out, index=False)
    return out

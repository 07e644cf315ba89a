"""Permutation importance of the final pick, from one sandboxed job after the search.

The job fits the pick once on every search row outside fold 0 and predicts fold 0's rows twice:
as they are, and once per feature with that feature's values shuffled (all copies in one table,
``perm.parquet``). A feature's importance is how much the score on fold 0 drops when it is
shuffled (oriented: positive means the model relies on it). The search stops early enough for
the job (:func:`importance_reserve_s`); a pick too slow for that share of the budget, or a table
with too many features, gets no importances and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from graftml.agents.loop.orchestrator import JOB_ENV
from graftml.agents.loop.rundir import RunMeta, RunPaths, job_spec, load_labels
from graftml.agents.loop.scoring import BadPredictions, load_predictions, score
from graftml.candidate import job_script
from graftml.data.metrics import Metric
from graftml.executor import Executor
from graftml.types import Job, JobStatus, Node

MAX_ROWS = 2_000  # fold-0 rows scored (a seeded sample beyond)
MAX_FEATURES = 100
MAX_SHARE = 0.1  # of the wall budget, at most, kept back for the importance job
START_S = 1.0
SLACK = 1.5


@dataclass(frozen=True)
class Importances:
    """Per feature, the oriented score drop when it is shuffled; or why there are none."""

    drops: dict[str, float]
    skipped: str = ""


def importance_estimate_s(fit_s: float) -> float:
    """Seconds kept for the job of a pick whose fit on one fold's training rows takes ``fit_s``:
    start-up, the fit and the permuted predictions, with slack for the search's last steps."""
    return SLACK * (START_S + fit_s)


def importance_reserve_s(fit_s: float | None, wall_s: float | None) -> float:
    """Seconds the search leaves for the job: its estimate, or 0 beyond ``MAX_SHARE`` of wall."""
    if fit_s is None or wall_s is None:
        return 0.0
    estimate = importance_estimate_s(fit_s)
    return estimate if estimate <= MAX_SHARE * wall_s else 0.0


def permutation_importance(node: Node, fold_fit_s: float, paths: RunPaths, meta: RunMeta,
                           metric: Metric, executor: Executor, threads: int,
                           window_s: float) -> Importances:
    """Run the importance job for ``node`` within ``window_s`` seconds."""
    features = list(meta.feature_types)
    if len(features) > MAX_FEATURES:
        return Importances({}, f"{len(features)} features (more than {MAX_FEATURES})")
    bare = START_S + fold_fit_s  # the reserve carries slack; the window is the job's timeout
    if bare > window_s:
        return Importances({}, f"needs ~{bare:.1f}s, {max(window_s, 0):.1f}s left")
    folds = np.load(paths.folds_file())
    rows = _sample_rows(np.flatnonzero(folds == 0), meta.seed)
    train = pd.read_parquet(paths.data_file("train")).drop(columns=[meta.target])
    perm = _permuted_copies(train.iloc[rows].reset_index(drop=True), features, meta.seed)
    perm.to_parquet(paths.data_file("perm"))
    kept = np.full(len(folds), -2)  # left out: fold-0 rows not sampled
    kept[folds != 0] = folds[folds != 0]
    kept[rows] = 0
    np.save(paths.data / "folds_importance.npy", kept)
    spec = job_spec(paths, meta, threads, [0])
    spec["folds"], spec["predict"] = str(paths.data / "folds_importance.npy"), {
        "perm": str(paths.data_file("perm"))}
    job = Job(id=f"{node.id}-importance", workdir=paths.node_dir(node.id, "importance"),
              script=job_script(node.code), job_spec=spec, timeout_s=window_s, threads=threads,
              num_cpus=float(threads), env=JOB_ENV)
    result = executor.submit(job).result()
    if result.status != JobStatus.OK or result.workdir is None:
        return Importances({}, f"the importance job ended {result.status}")
    y = load_labels(paths)["valid"][np.isin(np.flatnonzero(folds >= 0), rows)]
    return _drops(result.workdir, features, y, len(rows), meta, metric)


def _sample_rows(rows: np.ndarray, seed: int) -> np.ndarray:
    if len(rows) <= MAX_ROWS:
        return rows
    return np.sort(np.random.default_rng(seed).choice(rows, MAX_ROWS, replace=False))


def _permuted_copies(frame: pd.DataFrame, features: list[str], seed: int) -> pd.DataFrame:
    """One copy of ``frame`` per feature, that feature shuffled (seeded), stacked in order."""
    rng = np.random.default_rng(seed)
    copies = []
    for feature in features:
        copy = frame.copy()
        copy[feature] = frame[feature].to_numpy()[rng.permutation(len(frame))]
        copies.append(copy)
    return pd.concat(copies, ignore_index=True)


def _drops(workdir: Path, features: list[str], y: np.ndarray, n_rows: int, meta: RunMeta,
           metric: Metric) -> Importances:
    try:
        preds = load_predictions(workdir, ["valid", "perm"],
                                 {"valid": n_rows, "perm": n_rows * len(features)},
                                 meta.n_classes)
        base = metric.oriented(score(metric, y, preds["valid"]))
        drops = {f: base - metric.oriented(score(metric, y, block)) for f, block in
                 zip(features, np.split(preds["perm"], len(features)), strict=True)}
    except BadPredictions as exc:
        return Importances({}, f"the importance job's predictions were unusable: {exc}")
    return Importances(dict(sorted(drops.items(), key=lambda kv: -kv[1])))

"""The AutoGluon side of the benchmark: ``TabularPredictor`` in its own venv, as a subprocess.

AutoGluon pins pandas and scikit-learn versions the main venv does not have, so it lives in
``.venv-autogluon`` (``scripts/autogluon_env.sh``) and runs ``benchmarks/_autogluon_worker.py``
there. The wall time is measured around that subprocess: start-up, imports, reading the CSV,
``fit`` (``time_limit`` = the budget) and predicting.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks._cli_run import kill_after_s, run_timed
from benchmarks._split import Outcome, Split

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-autogluon"
WORKER = Path(__file__).resolve().with_name("_autogluon_worker.py")
BUILD_HINT = ("AutoGluon skipped: .venv-autogluon is missing; build it with "
              "`scripts/autogluon_env.sh` (~2 min, ~2.2 GB)")
PRESETS = {"autogluon": "medium_quality", "autogluon_best": "best_quality"}

SAME_NAME = ("accuracy", "balanced_accuracy", "log_loss", "r2")
BY_TASK_TYPE = {
    ("roc_auc", "binary"): "roc_auc",
    ("roc_auc", "multiclass"): "roc_auc_ovr_macro",  # graftml: sklearn's one-vs-rest, macro
    ("f1", "binary"): "f1",
    ("f1", "multiclass"): "f1_macro",
    ("rmse", "regression"): "root_mean_squared_error",
    ("mae", "regression"): "mean_absolute_error",
}


def autogluon_python(venv: Path = VENV) -> Path | None:
    """The venv's interpreter once ``scripts/autogluon_env.sh`` has finished, else ``None``."""
    python = venv / "bin" / "python"
    return python if python.exists() and (venv / ".installed").exists() else None


def venv_versions(venv: Path = VENV) -> dict[str, str]:
    """Versions of the packages that matter, read from the venv's ``*.dist-info`` folders."""
    wanted = ("autogluon_tabular", "torch", "lightgbm", "catboost", "xgboost_cpu", "fastai",
              "pandas", "scikit_learn")
    found: dict[str, str] = {}
    for info in sorted(venv.glob("lib/python*/site-packages/*.dist-info")):
        name, _, version = info.name.removesuffix(".dist-info").partition("-")
        if name.lower() in wanted:
            found[name.lower().replace("_", "-")] = version
    return found


def autogluon_metric(metric: str, task_type: str) -> str:
    """AutoGluon's ``eval_metric`` name for graftml's ``metric`` on a ``task_type`` task."""
    if metric in SAME_NAME:
        return metric
    try:
        return BY_TASK_TYPE[(metric, task_type)]
    except KeyError:
        raise ValueError(f"no AutoGluon metric for {metric!r} on a {task_type} task") from None


def worker_command(python: Path, split: Split, budget_s: float, preset: str, out_csv: Path,
                   cores: int) -> list[str]:
    """The worker's command line (its arguments in the order the worker reads them)."""
    return [str(python), str(WORKER), str(split.train_csv), str(split.test_csv), split.target,
            autogluon_metric(split.metric, split.task_type), split.task_type, f"{budget_s:g}",
            preset, str(out_csv), "--num-cpus", str(cores)]


def run_autogluon(split: Split, budget_s: float, preset: str, cores: int,
                  venv: Path = VENV) -> Outcome:
    """AutoGluon with ``preset`` on ``split``'s files; the worker's CSV is the outcome."""
    python = autogluon_python(venv)
    if python is None:
        return Outcome(None, 0.0, {}, BUILD_HINT)
    out_csv = split.folder / f"autogluon-{preset}.csv"
    # the worker's own process; keep its BLAS/OpenMP threads to the cores it was given
    env = {**os.environ, "OMP_NUM_THREADS": str(cores), "PYTHONWARNINGS": "ignore"}
    env.pop("PYTHONPATH", None)  # nothing from the main venv may leak into AutoGluon's
    finished = run_timed(worker_command(python, split, budget_s, preset, out_csv, cores),
                         cwd=split.folder, timeout_s=kill_after_s(budget_s), env=env)
    detail: dict[str, Any] = {"returncode": finished.returncode, "preset": preset}
    if finished.timed_out:
        return Outcome(None, finished.wall_s, detail,
                       f"killed after {finished.wall_s:.0f} s (budget {budget_s:g} s)")
    if finished.returncode != 0 or not out_csv.exists():
        return Outcome(None, finished.wall_s, detail,
                       f"AutoGluon worker exited {finished.returncode}: {finished.tail()}")
    info = Path(f"{out_csv}.json")
    if info.exists():
        detail.update(json.loads(info.read_text()))
    return Outcome(pd.read_csv(out_csv), finished.wall_s, detail)

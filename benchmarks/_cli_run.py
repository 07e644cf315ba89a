"""graftml as a user runs it: the ``graft run`` command, in a subprocess, on the two CSV files.

    graft run --data train.csv --target y --metric m --time B --test test.csv \\
        --seed S --run-dir <tmp>/graftml-run --quiet

The wall time is measured around the subprocess (Python start-up, imports, reading the CSV, the
search, the final fit, the report and writing ``best/predictions.csv``). The run folder is the
one given with ``--run-dir``; should it lack ``result.json``, the ``run folder:`` line of the
command's output names it. ``result.json`` keys that an older graftml does not write (``bagged``,
``folds``, ``final_fit``, ``warning``) are recorded as ``None``: unknown.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks._split import Outcome, Split

ROOT = Path(__file__).resolve().parents[1]
RESULT_KEYS = ("refit", "bagged", "folds", "final_fit", "warning", "n_nodes", "n_scored",
               "n_pruned", "overhead_ms",
               "valid_score", "test_score", "elapsed_s", "best_node_id", "threshold")
RUN_FOLDER = re.compile(r"run folder:\s*(\S+)")
#: a run is killed past this many budgets (plus start-up slack): a hung system, not a slow one
KILL_FACTOR, KILL_SLACK_S = 2.0, 120.0


@dataclass(frozen=True)
class Finished:
    """A finished (or killed) subprocess: exit status, wall seconds and its output."""

    returncode: int
    wall_s: float
    stdout: str
    stderr: str
    timed_out: bool = False

    def tail(self, chars: int = 600) -> str:
        """The end of stderr (else stdout), for an error message."""
        text = (self.stderr.strip() or self.stdout.strip())
        return text[-chars:]


def kill_after_s(budget_s: float) -> float:
    """Seconds after which a run of budget ``budget_s`` is killed."""
    return KILL_FACTOR * budget_s + KILL_SLACK_S


def run_timed(command: list[str], *, cwd: Path, timeout_s: float,
              env: dict[str, str] | None = None) -> Finished:
    """Run ``command`` in its own process group; kill the whole group past ``timeout_s``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the system's own workers go with it
        stdout, stderr = process.communicate()
        timed_out = True
    return Finished(process.returncode, time.perf_counter() - started, stdout, stderr,
                    timed_out)


def graft_executable() -> Path:
    """``graft`` next to this interpreter (the venv running the benchmark), else the repo's."""
    for candidate in (Path(sys.executable).parent / "graft", ROOT / ".venv" / "bin" / "graft"):
        if candidate.exists():
            return candidate
    found = shutil.which("graft")
    if found is None:
        raise FileNotFoundError("no `graft` command: run `make` (it builds .venv) first")
    return Path(found)


def graft_command(split: Split, budget_s: float, run_dir: Path,
                  extra: tuple[str, ...] = ()) -> list[str]:
    """The ``graft run`` command line for ``split``; ``extra`` are more flags (``--set k=v``)."""
    return [str(graft_executable()), "run", "--data", str(split.train_csv),
            "--target", split.target, "--metric", split.metric, "--time", f"{budget_s:g}",
            "--test", str(split.test_csv), "--seed", str(split.seed),
            "--run-dir", str(run_dir), "--quiet", *extra]


def find_run_dir(expected: Path, stdout: str) -> Path | None:
    """The run folder: ``expected`` when it holds ``result.json``, else the one printed."""
    if (expected / "result.json").exists():
        return expected
    match = RUN_FOLDER.search(stdout)
    if match and (Path(match.group(1)) / "result.json").exists():
        return Path(match.group(1))
    return None


def result_detail(run_dir: Path) -> dict[str, Any]:
    """The keys of ``result.json`` the report uses (``None`` where graftml does not write one)."""
    result = json.loads((run_dir / "result.json").read_text())
    return {key: result.get(key) for key in RESULT_KEYS}


def run_graftml_cli(split: Split, budget_s: float, extra: tuple[str, ...] = ()) -> Outcome:
    """``graft run`` on ``split``'s files; its ``best/predictions.csv`` is the outcome."""
    expected = split.folder / "graftml-run"
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}  # one unwrapped line per message
    finished = run_timed(graft_command(split, budget_s, expected, extra), cwd=split.folder,
                         timeout_s=kill_after_s(budget_s), env=env)
    detail: dict[str, Any] = {"returncode": finished.returncode}
    if finished.timed_out:
        return Outcome(None, finished.wall_s, detail,
                       f"killed after {finished.wall_s:.0f} s (budget {budget_s:g} s)")
    run_dir = find_run_dir(expected, finished.stdout)
    if run_dir is None:
        return Outcome(None, finished.wall_s, detail,
                       f"graft run exited {finished.returncode} without result.json: "
                       f"{finished.tail()}")
    detail.update(result_detail(run_dir), run_dir=str(run_dir))
    predictions_csv = run_dir / "best" / "predictions.csv"
    if not predictions_csv.exists():
        return Outcome(None, finished.wall_s, detail,
                       f"graft run exited {finished.returncode} without best/predictions.csv: "
                       f"{finished.tail()}")
    return Outcome(pd.read_csv(predictions_csv), finished.wall_s, detail)

"""graftml (no LLM) vs FLAML at the same wall budget, on the same splits and seeds.

    python benchmarks/automl_vs_flaml.py                  # 10 datasets x 3 seeds x 120 s each
    python benchmarks/automl_vs_flaml.py --quick          # smoke test: 2 datasets, 1 seed, 10 s
    python benchmarks/automl_vs_flaml.py --datasets cells,ames --budget 60 --out results.json
    python benchmarks/automl_vs_flaml.py --list           # the datasets, their sizes and metrics

For each (dataset, seed) the table is split once by ``graftml.data.prepare`` (train / valid /
hold-out test). graftml gets the task and does the very same split itself; FLAML gets train+valid
(the rows graftml searches on). Both are scored on the same hold-out with graftml's metric
functions. The process is pinned to ``--cores`` CPUs and the systems run one after the other,
never together (their order alternates with the seed). Wall time: graftml is timed around
``graftml.run()`` (so it also pays for loading and splitting the data and for scoring the
hold-out); FLAML around ``AutoML.fit()`` (including its final retrain).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file: import `benchmarks.*` from the repository root, and keep this folder off
    # sys.path so that its datasets.py cannot shadow the top-level `datasets` package.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import gc
import importlib.util
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks._common import console, hardware_info, overrun_pct, pin_cores
from benchmarks._flaml import run_flaml
from benchmarks._report import LABELS, RunRow, results_table, summarize, summary_lines
from benchmarks.datasets import QUICK, REGISTRY, BenchDataset, select, task_source
from graftml.budget import Budget
from graftml.data import Task, TaskData, prepare

SYSTEMS = ("graftml", "flaml")
QUICK_BUDGET_S = 10.0


@dataclass(frozen=True)
class BenchConfig:
    """One benchmark invocation's settings."""

    budget_s: float
    seeds: list[int]
    systems: tuple[str, ...]
    cores: int
    runs_dir: Path
    data_dir: Path
    flaml_estimators: list[str] | str = "auto"


@dataclass(frozen=True)
class Measured:
    """What one system returned for one (dataset, seed)."""

    test_score: float | None
    wall_s: float
    detail: dict[str, Any] = field(default_factory=dict)


def graftml_available() -> bool:
    """Whether the graftml SDK entry point (``graftml.run``) is installed."""
    return importlib.util.find_spec("graftml.runner") is not None


def run_graftml(task: Task, td: TaskData, cfg: BenchConfig) -> Measured:
    """graftml's own search on ``task`` (it splits the data exactly as ``td`` was split)."""
    import graftml

    run_dir = cfg.runs_dir / task.name
    started = time.perf_counter()
    result = graftml.run(task, run_dir=run_dir, workers=cfg.cores, quiet=True)
    wall_s = time.perf_counter() - started
    detail = {
        "valid_score": result.valid_score, "elapsed_s": result.elapsed_s,
        "n_nodes": result.n_nodes, "overhead_ms": result.overhead_ms,
        "best_node_id": result.best_node_id, "run_dir": str(result.run_dir),
    }
    return Measured(result.test_score, wall_s, detail)


def run_flaml_system(task: Task, td: TaskData, cfg: BenchConfig) -> Measured:
    """FLAML on train+valid of ``td`` with the same budget, cores and seed."""
    outcome = run_flaml(td, budget_s=cfg.budget_s, seed=task.seed, n_jobs=cfg.cores,
                        estimators=cfg.flaml_estimators)
    detail = {"best_estimator": outcome.best_estimator, "best_config": outcome.best_config}
    return Measured(outcome.test_score, outcome.wall_s, detail)


RUNNERS: dict[str, Callable[[Task, TaskData, BenchConfig], Measured]] = {
    "graftml": run_graftml,
    "flaml": run_flaml_system,
}


def make_task(dataset: BenchDataset, seed: int, cfg: BenchConfig) -> Task:
    """The task both systems get for ``dataset`` and ``seed``."""
    return Task(
        data=task_source(dataset, cfg.data_dir), target=dataset.target, metric=dataset.metric,
        seed=seed, budget=Budget(wall_s=cfg.budget_s), name=f"{dataset.name}-seed{seed}",
    )


def measure(system: str, dataset: str, task: Task, td: TaskData, cfg: BenchConfig) -> RunRow:
    """Run one system once; a failure becomes an ``error`` row, never a crash of the benchmark."""
    row = RunRow(dataset=dataset, system=system, seed=task.seed, task_type=td.task_type,
                 metric=td.metric, budget_s=cfg.budget_s)
    try:
        measured = RUNNERS[system](task, td, cfg)
    except Exception as exc:  # a benchmark reports a failed run and goes on with the rest
        row.status, row.error = "error", f"{type(exc).__name__}: {exc}"
        return row
    finally:
        gc.collect()
    row.test_score, row.wall_s, row.detail = measured.test_score, measured.wall_s, measured.detail
    row.overrun_pct = overrun_pct(measured.wall_s, cfg.budget_s)
    row.status = "ok" if measured.test_score is not None else "no_score"
    return row


def run_all(datasets: list[BenchDataset], cfg: BenchConfig, out: Console,
            on_row: Callable[[list[RunRow]], None]) -> list[RunRow]:
    """Every system on every (dataset, seed), one run at a time; ``on_row`` sees each new row."""
    rows: list[RunRow] = []
    total = len(datasets) * len(cfg.seeds) * len(cfg.systems)
    for dataset in datasets:
        for seed in cfg.seeds:
            task = make_task(dataset, seed, cfg)
            td = prepare(task)
            # alternate who goes first, so that neither always meets a cold or a warm machine
            order = cfg.systems if seed % 2 == 0 else cfg.systems[::-1]
            for system in order:
                rows.append(measure(system, dataset.name, task, td, cfg))
                out.print(f"[{len(rows)}/{total}] {progress_line(rows[-1])}")
                on_row(rows)
    return rows


def progress_line(row: RunRow) -> str:
    """One line per finished run."""
    head = f"{row.dataset} seed {row.seed} {LABELS[row.system]}:"
    if row.status == "error":
        return f"{head} [red]error[/red] {row.error[:300]}"
    score = "no score" if row.test_score is None else f"{row.metric} {row.test_score:.5g}"
    return f"{head} {score} in {row.wall_s:.1f} s ({row.overrun_pct:+.1f}% vs budget)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, help="wall seconds per run (default 120)")
    parser.add_argument("--seeds", type=int, help="number of seeds, 0..N-1 (default 3)")
    parser.add_argument("--datasets", help=f"comma-separated subset of: {', '.join(REGISTRY)}")
    parser.add_argument("--out", type=Path, help="write every raw run row (and more) as JSON")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: {QUICK_BUDGET_S:g} s, {', '.join(QUICK)}, one seed")
    parser.add_argument("--cores", type=int, default=2,
                        help="CPUs the process is pinned to; FLAML n_jobs and graftml workers")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="which systems to run (default graftml,flaml)")
    parser.add_argument("--flaml-estimators", default="auto",
                        help="FLAML estimator_list, comma-separated (default: FLAML's own)")
    parser.add_argument("--runs-dir", type=Path,
                        help="keep graftml's run folders here (default: a temporary folder)")
    parser.add_argument("--list", action="store_true", help="list the datasets and exit")
    return parser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Flags, with ``--quick`` defaults filled in and names checked."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.budget = args.budget if args.budget is not None else (
        QUICK_BUDGET_S if args.quick else 120.0)
    args.seeds = args.seeds if args.seeds is not None else (1 if args.quick else 3)
    args.datasets = args.datasets or (",".join(QUICK) if args.quick else None)
    args.systems = tuple(s.strip().lower() for s in args.systems.split(",") if s.strip())
    if args.budget <= 0 or args.seeds < 1 or args.cores < 1:
        parser.error("--budget, --seeds and --cores must be positive")
    if not args.systems or not set(args.systems) <= set(SYSTEMS):
        parser.error(f"--systems: choose from {', '.join(SYSTEMS)}, not {args.systems}")
    try:
        args.dataset_list = select(args.datasets)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def available_systems(systems: tuple[str, ...], out: Console) -> tuple[str, ...]:
    """``systems`` less graftml, with a note, while its SDK entry point is missing."""
    if "graftml" in systems and not graftml_available():
        out.print("[yellow]graftml.run is not available yet: running FLAML only[/yellow]")
        return tuple(s for s in systems if s != "graftml")
    return systems


def estimator_list(spec: str) -> list[str] | str:
    """``"auto"`` (FLAML's default portfolio) or the named FLAML estimators."""
    names = [name.strip() for name in spec.split(",") if name.strip()]
    return "auto" if names in ([], ["auto"]) else names


def list_datasets(out: Console, data_dir: Path) -> None:
    """Print the registry with each dataset's size, task type and metric."""
    table = Table(title="Benchmark datasets (rows: labelled rows; split 64/16/20 train/valid/test)")
    for header in ("name", "source", "target", "rows", "features", "task", "classes", "metric",
                   "note"):
        table.add_column(header)
    for d in REGISTRY.values():
        td = prepare(Task(data=task_source(d, data_dir), target=d.target, metric=d.metric))
        rows = len(td.X_train) + len(td.X_valid) + len(td.X_test)
        table.add_row(d.name, d.source, d.target, str(rows), str(td.X_train.shape[1]),
                      td.task_type, str(td.n_classes or "-"), d.metric, d.note)
    out.print(table)


def write_json(path: Path, cfg: BenchConfig, hardware: dict[str, str],
               rows: list[RunRow]) -> None:
    """Every raw row, plus the settings, the hardware and the per-dataset summary."""
    summaries = summarize(rows, cfg.systems)
    payload = {
        "config": {**asdict(cfg), "runs_dir": str(cfg.runs_dir), "data_dir": str(cfg.data_dir)},
        "hardware": hardware,
        "finished_at": datetime.now().isoformat(timespec="seconds"),
        "rows": [asdict(r) for r in rows],
        "summary": [asdict(s) for s in summaries],
        "headline": summary_lines(summaries, cfg.systems, cfg.budget_s),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, default=str))


def save_rows(path: Path | None, cfg: BenchConfig, hardware: dict[str, str],
              rows: list[RunRow]) -> None:
    """Rewrite ``--out`` after every run, so that an interrupted benchmark keeps its rows."""
    if path is not None:
        write_json(path, cfg, hardware, rows)


def build_config(args: argparse.Namespace, tmp: Path, out: Console) -> BenchConfig:
    """The settings of this invocation; graftml's run folders go to ``--runs-dir`` or ``tmp``."""
    stamp = datetime.now().strftime("bench-%Y%m%d-%H%M%S")
    return BenchConfig(
        budget_s=args.budget, seeds=list(range(args.seeds)),
        systems=available_systems(args.systems, out), cores=args.cores,
        runs_dir=args.runs_dir / stamp if args.runs_dir else tmp / "runs",
        data_dir=tmp / "data", flaml_estimators=estimator_list(args.flaml_estimators),
    )


def report(rows: list[RunRow], cfg: BenchConfig, hardware: dict[str, str], out: Console) -> None:
    """The table, the headline lines and the hardware."""
    summaries = summarize(rows, cfg.systems)
    out.print(results_table(summaries, cfg.systems, budget_s=cfg.budget_s,
                            n_seeds=len(cfg.seeds), cores=cfg.cores))
    for line in summary_lines(summaries, cfg.systems, cfg.budget_s):
        out.print(line)
    out.print("hardware:")
    for key, value in hardware.items():
        out.print(f"  {key:<13}{value}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when any run failed."""
    args = parse_args(argv)
    out = console()
    with tempfile.TemporaryDirectory(prefix="graftml-bench-") as tmp:
        if args.list:
            list_datasets(out, Path(tmp) / "data")
            return 0
        hardware = hardware_info(pin_cores(args.cores))
        cfg = build_config(args, Path(tmp), out)
        datasets: list[BenchDataset] = args.dataset_list
        minutes = len(datasets) * len(cfg.seeds) * len(cfg.systems) * cfg.budget_s / 60
        out.print(f"{len(datasets)} datasets x {len(cfg.seeds)} seeds x {len(cfg.systems)} "
                  f"systems x {cfg.budget_s:g} s: at least {minutes:.1f} min")
        rows = run_all(datasets, cfg, out, partial(save_rows, args.out, cfg, hardware))
    report(rows, cfg, hardware, out)
    return 1 if any(r.status == "error" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

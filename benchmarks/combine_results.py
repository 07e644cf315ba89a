"""Report several runs of ``automl_vs_flaml.py`` as one (e.g. seeds added with ``--first-seed``).

    python benchmarks/combine_results.py benchmarks/results/automl_3way.json \\
        benchmarks/results/automl_3way_seed1_small.json [--datasets a,b,c]

Rows are read from each file's ``rows``; only the datasets every file covers are kept unless
``--datasets`` names them, and a (dataset, system, seed) measured twice is an error. The tables
are the benchmark's own: per-dataset mean ± std, normalized score, paired wins and a Wilcoxon test.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import json
from typing import Any

from benchmarks._common import console
from benchmarks._report import (
    RunRow,
    dataset_table,
    fits_line,
    paired_table,
    summarize,
    systems_table,
)


def load_rows(paths: list[Path], datasets: set[str] | None) -> tuple[list[RunRow], dict[str, Any]]:
    """Every row of every file (of ``datasets``, else of the datasets all files share)."""
    files = [json.loads(p.read_text()) for p in paths]
    per_file = [[RunRow(**row) for row in f["rows"]] for f in files]
    shared = set.intersection(*({r.dataset for r in rows} for rows in per_file))
    keep = datasets or shared
    rows = [r for rows in per_file for r in rows if r.dataset in keep]
    keys = [(r.dataset, r.system, r.seed) for r in rows]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise SystemExit(f"measured twice: {sorted(duplicates)}; give files with other seeds")
    return rows, files[0]["config"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="--out JSON files of the benchmark")
    parser.add_argument("--datasets", help="comma-separated datasets to keep")
    args = parser.parse_args(argv)
    wanted = set(args.datasets.split(",")) if args.datasets else None
    rows, config = load_rows(args.files, wanted)
    systems = tuple(dict.fromkeys(r.system for r in rows))
    seeds = sorted({r.seed for r in rows})
    out = console()
    out.print(dataset_table(summarize(rows, systems), systems, budget_s=config["budget_s"],
                            n_seeds=len(seeds), cores=config["cores"]))
    out.print(systems_table(rows, systems))
    pairs = paired_table(rows, systems)
    if pairs is not None:
        out.print(pairs)
    line = fits_line(rows)
    if line:
        out.print(line)
    out.print(f"seeds {seeds}; files: {', '.join(str(p) for p in args.files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

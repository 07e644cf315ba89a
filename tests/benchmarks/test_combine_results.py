"""Combining benchmark runs: seeds from several files, shared datasets, no double counting."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from benchmarks._report import RunRow
from benchmarks.combine_results import load_rows, main


def write(path: Path, seed: int, datasets: tuple[str, ...]) -> Path:
    rows = [RunRow(dataset=d, system=s, seed=seed, task_type="regression", metric="rmse",
                   budget_s=60.0, test_score=1.0 + i, wall_s=60.0)
            for d in datasets for i, s in enumerate(("graftml", "flaml"))]
    path.write_text(json.dumps({"config": {"budget_s": 60.0, "cores": 2},
                                "rows": [asdict(r) for r in rows]}))
    return path


def test_rows_of_the_datasets_every_file_covers_are_kept(tmp_path: Path) -> None:
    first = write(tmp_path / "a.json", 0, ("x", "y"))
    second = write(tmp_path / "b.json", 1, ("x",))
    rows, config = load_rows([first, second], None)
    assert {(r.dataset, r.seed) for r in rows} == {("x", 0), ("x", 1)}
    assert config["budget_s"] == 60.0
    assert main([str(first), str(second)]) == 0


def test_a_seed_measured_twice_is_refused(tmp_path: Path) -> None:
    first = write(tmp_path / "a.json", 0, ("x",))
    again = write(tmp_path / "b.json", 0, ("x",))
    with pytest.raises(SystemExit, match="measured twice"):
        load_rows([first, again], None)

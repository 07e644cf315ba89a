"""Permutation importances of the final pick: a real run, one sandboxed job, inside the budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from graftml.app.sdk import run
from graftml.config import validate


def test_the_final_pick_relies_most_on_the_feature_that_drives_the_target(
        tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 5))
    frame = pd.DataFrame(X, columns=["signal", "weak", "noise_a", "noise_b", "noise_c"])
    frame["y"] = (2.0 * X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=600) > 0).astype(int)
    frame.to_csv(tmp_path / "train.csv", index=False)
    wall_s = 20.0  # single models only: an ensemble's importance job refits every member
    cfg = validate({"name": "importance", "budget": {"wall_s": wall_s},
                    "searcher": {"operators": ["draft", "improve", "tune"]},
                    "task": {"data": str(tmp_path / "train.csv"), "target": "y",
                             "metric": "roc_auc"}})
    result = run(cfg, run_dir=tmp_path / "run", quiet=True)
    assert next(iter(result.importances)) == "signal", result.importances
    assert set(result.importances) == {"signal", "weak", "noise_a", "noise_b", "noise_c"}
    assert result.importances["signal"] > 0.1 > abs(result.importances["noise_a"])
    assert "feature importances" in (result.run_dir / "report.html").read_text()
    assert result.elapsed_s <= wall_s * 1.03


def test_no_importances_when_turned_off(tmp_path: Path) -> None:
    cfg = validate({"name": "off", "budget": {"wall_s": 8}, "importance": False,
                    "task": {"data": "iris", "target": "target"}})
    result = run(cfg, run_dir=tmp_path / "run", quiet=True)
    assert result.importances == {} and result.importances_note == "off"
    assert "no importances: off" in (result.run_dir / "report.html").read_text()

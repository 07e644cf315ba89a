"""Every portfolio pipeline renders to a standalone module that fits and predicts correctly."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graftml.agents.builtin import render_pipeline
from graftml.agents.builtin.pipeline_template import column_roles
from graftml.agents.builtin.portfolio import CANDIDATES
from graftml.candidate import job_script
from graftml.data.metrics import get_metric

RunCode = Callable[..., dict[str, np.ndarray]]
ALLOWED_IMPORTS = {"__future__", "importlib", "os", "warnings", "typing", "numpy", "pandas",
                   "sklearn", "threadpoolctl", "lightgbm", "xgboost", "catboost"}


def _specs(table: Any) -> list[dict[str, Any]]:
    """Every configuration of the pool (a relearned order may draft any of them)."""
    return [entry.spec(table.task_type, len(table.train), table.train.shape[1] - 1)
            for entry in CANDIDATES]


def _check_shapes(out: dict[str, np.ndarray], table: Any) -> None:
    for split, frame in table.predict.items():
        pred = out[split]
        want = (len(frame), table.n_classes) if table.n_classes else (len(frame),)
        assert pred.shape == want, split
        assert np.all(np.isfinite(pred)), split
        if table.n_classes:
            np.testing.assert_allclose(pred.sum(axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("index", range(len(CANDIDATES)))
@pytest.mark.parametrize("name", ["breast_cancer", "wine", "diabetes", "mixed"])
def test_portfolio_pipeline_fits_and_predicts_every_split(
        name: str, index: int, tables: dict[str, Any], run_code_on: RunCode) -> None:
    table = tables[name]
    code = render_pipeline(_specs(table)[index])
    out = run_code_on(code, table)
    _check_shapes(out, table)


def test_rendered_module_imports_only_the_allowed_libraries(tables: dict[str, Any]) -> None:
    for spec in _specs(tables["mixed"]):
        tree = ast.parse(render_pipeline(spec))
        names = {alias.name.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module.split(".")[0] for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and node.module}
        assert names <= ALLOWED_IMPORTS


def test_rendered_module_carries_the_spec_literal(tables: dict[str, Any]) -> None:
    spec = _specs(tables["wine"])[0]
    namespace: dict[str, Any] = {}
    exec(render_pipeline(spec), namespace)
    assert namespace["SPEC"] == spec


def test_default_lightgbm_is_strong_on_breast_cancer(tables: dict[str, Any],
                                                     run_code_on: RunCode) -> None:
    table = tables["breast_cancer"]
    out = run_code_on(render_pipeline(_specs(table)[0]), table)
    assert get_metric("roc_auc")(table.labels["test"], out["test"]) > 0.97


@pytest.mark.parametrize("kind", ["lightgbm", "catboost", "xgboost", "linear"])
def test_classes_missing_from_train_get_zero_columns(kind: str, tables: dict[str, Any],
                                                     run_code_on: RunCode) -> None:
    table = tables["wine"]
    table = replace(table, train=table.train[table.train["y"] != 1])
    names = [entry.name for entry in CANDIDATES]
    out = run_code_on(render_pipeline(_specs(table)[names.index(kind)]), table)
    assert out["test"].shape[1] == 3
    assert np.all(out["test"][:, 1] == 0.0)


def test_single_class_train_predicts_that_class(tables: dict[str, Any],
                                                run_code_on: RunCode) -> None:
    table = tables["wine"]
    table = replace(table, train=table.train[table.train["y"] == 2])
    out = run_code_on(render_pipeline(_specs(table)[0]), table)
    assert np.all(out["valid"][:, 2] == 1.0)


def test_column_roles_cover_every_dtype(tables: dict[str, Any]) -> None:
    roles = column_roles(tables["mixed"].train.drop(columns="y"))
    assert roles == {"x": "numeric", "z": "numeric", "color": "categorical",
                     "city": "categorical", "flag": "numeric", "when": "datetime",
                     "note": "text", "row_id": "drop"}


def test_rendered_pipeline_runs_as_a_sandboxed_job(tmp_path: Path, tables: dict[str, Any]) -> None:
    table = tables["mixed"]
    table.train.to_parquet(tmp_path / "train.parquet")
    paths = {}
    for split, frame in table.predict.items():
        frame.to_parquet(tmp_path / f"{split}.parquet")
        paths[split] = str(tmp_path / f"{split}.parquet")
    job = {"train": str(tmp_path / "train.parquet"), "target": "y", "predict": paths,
           "info": {**table.info(), "fidelity": 1.0}}
    (tmp_path / "job.json").write_text(json.dumps(job))
    (tmp_path / "candidate.py").write_text(job_script(render_pipeline(_specs(table)[0])))
    done = subprocess.run([sys.executable, "candidate.py", "job.json"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    pred = np.load(tmp_path / "pred_test.npy")
    assert pred.shape == (len(table.predict["test"]), 2)
    assert get_metric("roc_auc")(table.labels["test"], pred) > 0.6

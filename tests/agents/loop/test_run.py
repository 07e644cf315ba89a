"""End-to-end runs: real sandboxed subprocesses, real built-in operators, real Optuna storage."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import graftml
from graftml.app.sdk import load_nodes, run
from graftml.budget import Budget
from graftml.candidate import Candidate
from graftml.config import validate
from graftml.journal import read_events
from graftml.operators import Operator, OperatorContext
from graftml.types import NodeStatus, Proposal


def small_config(tmp_path: Path, wall_s: float = 20, **extra: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "name": "t", "task": {"data": "breast_cancer", "target": "target", "metric": "roc_auc"},
        "budget": {"wall_s": wall_s}, "executor": {"workers": 2, "timeout_s": 60},
        "runs_dir": str(tmp_path / "runs"),
    }
    raw.update(extra)
    return raw


def test_sdk_run_writes_every_artifact_and_honours_the_wall_budget(tmp_path: Path) -> None:
    task = graftml.Task(data="breast_cancer", target="target", metric="roc_auc", seed=1)
    result = graftml.run(task, budget=Budget(wall_s=20), run_dir=tmp_path / "run", workers=2,
                         quiet=True)
    assert result.best_node_id is not None
    assert result.valid_score is not None and result.valid_score > 0.95
    assert result.test_score is not None and result.test_score > 0.95
    assert result.elapsed_s <= 20 * 1.05
    root = result.run_dir
    for name in ("run.yaml", "journal.jsonl", "ledger.jsonl", "leaderboard.csv", "report.html",
                 "result.json", "best/pipeline.py", "best/node.json"):
        assert (root / name).exists(), name
    nodes = load_nodes(root)
    assert len(nodes) == result.n_nodes >= 4
    assert {n.operator for n in nodes.values()} >= {"draft"}
    assert all(n.status != NodeStatus.RUNNING for n in nodes.values())
    assert result.overhead_ms < 200


def test_exported_pipeline_retrains_and_predicts_standalone(tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    frame = pd.read_csv(_penguins_csv(tmp_path))
    frame.iloc[:250].to_csv(data, index=False)
    test = tmp_path / "test.csv"
    frame.iloc[250:].drop(columns=["species"]).to_csv(test, index=False)
    raw = small_config(tmp_path, wall_s=15)
    raw["task"] = {"data": str(data), "target": "species", "metric": "accuracy",
                   "test_data": str(test)}
    result = run(validate(raw), quiet=True)
    predictions = pd.read_csv(result.run_dir / "best" / "predictions.csv")
    assert len(predictions) == len(frame) - 250
    assert set(predictions["species"]) <= {"Adelie", "Chinstrap", "Gentoo"}
    out = tmp_path / "standalone.csv"
    subprocess.run([sys.executable, str(result.run_dir / "best" / "pipeline.py"), "--train",
                    str(data), "--predict", str(test), "--out", str(out)], check=True,
                   capture_output=True, timeout=120)
    standalone = pd.read_csv(out)
    agreement = np.mean(standalone["species"].to_numpy() == predictions["species"].to_numpy())
    assert agreement > 0.9


def test_binary_f1_gets_a_validation_threshold_used_by_every_prediction(tmp_path: Path) -> None:
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=1200, n_features=8, weights=[0.85], flip_y=0.05,
                               random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)]).assign(y=y)
    data, test = tmp_path / "train.csv", tmp_path / "test.csv"
    frame.iloc[:1000].to_csv(data, index=False)
    frame.iloc[1000:].drop(columns=["y"]).to_csv(test, index=False)
    raw = small_config(tmp_path, wall_s=12)
    raw["task"] = {"data": str(data), "target": "y", "metric": "f1", "test_data": str(test)}
    result = run(validate(raw), quiet=True)
    t = result.threshold
    assert t is not None and 0.0 < t < 1.0
    assert json.loads((result.run_dir / "result.json").read_text())["threshold"] == t
    predictions = pd.read_csv(result.run_dir / "best" / "predictions.csv")
    np.testing.assert_array_equal(predictions["y"], (predictions["proba_1"] >= t).astype(int))
    out = tmp_path / "standalone.csv"
    subprocess.run([sys.executable, str(result.run_dir / "best" / "pipeline.py"), "--train",
                    str(data), "--predict", str(test), "--out", str(out)], check=True,
                   capture_output=True, timeout=120)
    standalone = pd.read_csv(out)
    np.testing.assert_array_equal(standalone["y"],
                                  (standalone["proba_1"] >= round(t, 6)).astype(int))


def _penguins_csv(tmp_path: Path) -> Path:
    import palmerpenguins

    path = tmp_path / "penguins.csv"
    palmerpenguins.load_penguins().sample(frac=1.0, random_state=0).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("searcher", ["mcts", "merge"])
def test_other_searchers_complete_a_run(tmp_path: Path, searcher: str) -> None:
    raw = small_config(tmp_path, wall_s=12, searcher={"kind": searcher})
    raw["task"] = {"data": "wine", "target": "target", "metric": "accuracy"}
    result = run(validate(raw), quiet=True)
    assert result.best_node_id is not None and result.n_nodes >= 3


class LoopingFirstDraft(Operator):
    """Writes a candidate that loops forever for draft 0, delegates the rest."""

    name = "draft"

    def __init__(self, inner: Operator) -> None:
        self.inner = inner

    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        if proposal.params.get("draft_index") == 0:
            return Candidate(code="def fit_predict(*args):\n    while True:\n        pass\n",
                             description="infinite loop")
        return self.inner.build(proposal, ctx)


def test_hostile_candidate_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    """A node whose code loops forever times out as data; the search keeps going."""
    from graftml.agents.builtin import builtin_operators

    raw = small_config(tmp_path, wall_s=15, executor={"workers": 2, "timeout_s": 3})
    hostile = LoopingFirstDraft(builtin_operators(0)["draft"])
    result = run(validate(raw), quiet=True, operators={"draft": hostile})
    nodes = load_nodes(result.run_dir)
    assert nodes["n0000"].status == NodeStatus.TIMEOUT
    assert result.best_node_id is not None and result.best_node_id != "n0000"
    finishes = [e for e in read_events(result.run_dir / "journal.jsonl")
                if e["event"] == "finish"]
    assert len(finishes) == len(nodes)
    assert json.loads((result.run_dir / "result.json").read_text())["n_nodes"] == len(nodes)


class SlowDraft(Operator):
    """Drafts that take 2 s to build (as a large stacking merge may): the loop waits on them."""

    name = "draft"

    def __init__(self, inner: Operator) -> None:
        self.inner = inner

    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        time.sleep(2.0)
        return self.inner.build(proposal, ctx)


def test_a_build_that_would_overrun_the_budget_is_not_started(tmp_path: Path) -> None:
    from graftml.agents.builtin import builtin_operators

    wall_s = 7.0  # builds start at ~0.5, 2.5, 4.5 s; the third would end past the deadline
    raw = small_config(tmp_path, wall_s=wall_s, importance=False)
    result = run(validate(raw), quiet=True,
                 operators={"draft": SlowDraft(builtin_operators(0)["draft"])})
    assert result.elapsed_s <= wall_s * 1.03
    stopped = [n for n in load_nodes(result.run_dir).values()
               if n.error == "stopped: building it would overrun the search budget"]
    assert len(stopped) == 1 and stopped[0].status == NodeStatus.KILLED

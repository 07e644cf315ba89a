"""How often the LLM operators deliver on the local models, and what a success costs in tokens.

    python benchmarks/agent_operators.py --quick          # 3 repeats, structured level, 2 models
    python benchmarks/agent_operators.py --repeats 5 --levels structured,code --out ops.json

Scenario (fixed seed): breast_cancer split 50/25/25 into train / valid / test; three finished
portfolio pipelines (lightgbm, extra_trees, linear: their validation predictions saved) and one
catboost that timed out. Each operator (draft; improve of the best node; debug of the failed one;
merge of the three) is asked ``repeats`` times with different proposal ids, hence different
sampling seeds. SmolLM2 gets chat messages; Gemma 3 (a base model) gets completion prompts.

A success is a node the LLM built (not the built-in fallback) that runs and scores on validation:
pipelines run in-process on the train table; a merge is scored from its blended predictions.
Tokens per success = every token the operator spent (retries and failures included) / successes.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import json
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from rich.table import Table
from sklearn.datasets import load_breast_cancer

from benchmarks._common import console, hardware_info
from graftml.agents.builtin import builtin_operators, make_spec, render_pipeline
from graftml.agents.llm import close_operators, make_llm_operators
from graftml.budget import Budget, Ledger
from graftml.candidate import Candidate
from graftml.config import LLMOperatorConfig
from graftml.data.metrics import Metric, get_metric
from graftml.llm import LLMBackend
from graftml.llm.metered import make_backend
from graftml.llm.registry import get_model
from graftml.operators import OperatorContext
from graftml.types import Node, NodeStatus, Proposal

MODELS = ("smollm2", "gemma3-270m")
OPERATORS = ("draft", "improve", "debug", "merge")
TARGET = "target"


class Store:
    """Saved predictions of the scenario's finished nodes."""

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], np.ndarray] = {}

    def load(self, node_id: str, split: str) -> np.ndarray | None:
        return self.saved.get((node_id, split))


@dataclass
class Scenario:
    """The task, its finished nodes and the proposal each operator is asked to build."""

    ctx: OperatorContext
    train: pd.DataFrame
    valid: pd.DataFrame
    parents: dict[str, tuple[str, ...]]


def fit_predict(code: str, train: pd.DataFrame, valid: pd.DataFrame, seed: int) -> np.ndarray:
    """Run a candidate module in-process; its validation predictions."""
    namespace: dict[str, Any] = {"__name__": "candidate"}
    exec(compile(code, "<candidate>", "exec"), namespace)
    info = {"task_type": "binary", "n_classes": 2, "seed": seed, "threads": 1}
    out = namespace["fit_predict"](train.copy(), TARGET, {"valid": valid.copy()}, info)
    return np.asarray(out["valid"], dtype=float)


def scenario(seed: int, run_dir: Path) -> Scenario:
    """breast_cancer with three finished pipelines (n0-n2) and a timed-out one (n3)."""
    frame = load_breast_cancer(as_frame=True).frame.sample(frac=1.0, random_state=seed)
    half, three_quarters = len(frame) // 2, 3 * len(frame) // 4
    train, valid = frame.iloc[:half], frame.iloc[half:three_quarters]
    y_valid = valid[TARGET].to_numpy()
    features = valid.drop(columns=TARGET)
    metric, store, nodes = get_metric("roc_auc"), Store(), {}
    for i, kind in enumerate(("lightgbm", "extra_trees", "linear")):
        spec = make_spec(kind, "binary", len(train), features.shape[1])
        code = render_pipeline(spec)
        preds = fit_predict(code, train, features, seed)
        store.saved[f"n{i}", "valid"] = preds
        nodes[f"n{i}"] = Node(id=f"n{i}", operator="draft", status=NodeStatus.OK, spec=spec,
                              code=code, score=metric(y_valid, preds), description=f"draft {kind}")
    slow = make_spec("catboost", "binary", len(train), features.shape[1])
    nodes["n3"] = Node(id="n3", operator="draft", status=NodeStatus.TIMEOUT, spec=slow,
                       code=render_pipeline(slow), error="timed out after 60 s",
                       description="draft catboost")
    ctx = OperatorContext(
        task_type="binary", n_classes=2, metric=metric, target=TARGET,
        feature_types=dict.fromkeys(map(str, features.columns), "numeric"), n_rows=len(train),
        seed=seed, run_dir=run_dir, nodes=nodes, predictions=store, y_valid=y_valid)
    best = max(("n0", "n1", "n2"), key=lambda i: nodes[i].score or 0.0)
    parents = {"draft": (), "improve": (best,), "debug": ("n3",), "merge": ("n0", "n1", "n2")}
    return Scenario(ctx, train, features, parents)


def evaluate(candidate: Candidate, sc: Scenario, metric: Metric) -> float | None:
    """The candidate's validation score, or None when it does not run or score."""
    try:
        if candidate.predictions is not None:
            preds = candidate.predictions["valid"]
        else:
            preds = fit_predict(candidate.code, sc.train, sc.valid, sc.ctx.seed)
        return metric(np.asarray(sc.ctx.y_valid), preds)
    except Exception:  # a candidate that fails is data here, whatever it raises
        return None


@dataclass
class Row:
    """One (model, level, operator) cell of the table."""

    model: str
    level: str
    operator: str
    attempts: int = 0
    successes: int = 0
    llm_built: int = 0
    tokens: int = 0
    seconds: float = 0.0
    scores: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def measure(model: str, level: str, operator: str, repeats: int, sc: Scenario,
            backends: Mapping[str, LLMBackend] | None = None) -> Row:
    """Ask one operator ``repeats`` times; count successes and tokens."""
    row, ledger = Row(model, level, operator), Ledger(Budget())
    config = LLMOperatorConfig(model=model, level=level,  # type: ignore[arg-type]
                               max_tokens=512 if level == "code" else 128)
    ops = make_llm_operators({operator: config}, builtin_operators(sc.ctx.seed), ledger,
                             sc.ctx.run_dir / f"{model}-{level}", backends=backends)
    try:
        for rep in range(repeats):
            proposal = Proposal(f"{operator}-{rep}", operator, sc.parents[operator],
                                {"draft_index": 0})
            t0 = time.perf_counter()
            candidate = ops[operator].build(proposal, sc.ctx)
            row.seconds += time.perf_counter() - t0
            row.attempts += 1
            if candidate.params.get("model") != model:
                row.failures.append(candidate.description[:120])
                continue
            row.llm_built += 1
            score = evaluate(candidate, sc, sc.ctx.metric)
            if score is not None:
                row.successes += 1
                row.scores.append(score)
    finally:
        close_operators(ops)
    row.tokens = ledger.spent.tokens
    return row


def table(rows: Sequence[Row]) -> Table:
    out = Table(title="LLM operators on local models (structured = JSON action under a grammar)")
    for column in ("model", "prompt", "level", "operator", "success", "valid answer",
                   "tokens / success", "s / build", "mean score"):
        out.add_column(column, justify="left" if column in ("model", "operator") else "right")
    for r in rows:
        prompt = "completion" if r.model.startswith("gemma") else "chat"
        per = f"{r.tokens / r.successes:.0f}" if r.successes else "-"
        mean = f"{np.mean(r.scores):.4f}" if r.scores else "-"
        out.add_row(r.model, prompt, r.level, r.operator, f"{r.successes}/{r.attempts}",
                    f"{r.llm_built}/{r.attempts}", per, f"{r.seconds / max(1, r.attempts):.1f}",
                    mean)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats, structured level")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--levels", default="structured")
    parser.add_argument("--operators", default=",".join(OPERATORS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="also write the rows as JSON")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else args.repeats
    levels = ["structured"] if args.quick else args.levels.split(",")
    show = console()
    for key, value in hardware_info(sorted(os.sched_getaffinity(0))).items():
        show.print(f"{key:>13}: {value}")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        sc = scenario(args.seed, Path(tmp))
        for model in args.models.split(","):
            backend = make_backend(get_model(model))  # loaded once, shared by every row
            try:
                for level in levels:
                    rows.extend(measure(model, level, operator, repeats, sc, {model: backend})
                                for operator in args.operators.split(","))
            finally:
                backend.close()
    show.print(table(rows))
    if args.out:
        args.out.write_text(json.dumps([asdict(r) for r in rows], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Cross-validated (bagged) runs: CV selection, every labelled row in the final model, OOF stacking.

Real runs: sandboxed jobs, built-in operators. Tables are synthetic with a large labelled test
table (``test_data``) that measures how good a pick really is.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from graftml.app.sdk import RunResult, load_nodes, run
from graftml.config import validate
from graftml.data.metrics import get_metric
from graftml.types import Node


def linear_table(n: int, seed: int) -> pd.DataFrame:
    """A noisy linear signal on 3 of 8 features: a linear model is right, trees overfit."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8))
    logit = X[:, 0] - 0.8 * X[:, 1] + 0.5 * X[:, 2]
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
    frame["y"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def additive_table(n: int, seed: int) -> pd.DataFrame:
    """A linear signal spread over ten features plus interactions: linear models see the first
    and trees of 480 rows mostly the second, so a stacker on both beats either."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 14))
    logit = (0.9 * X[:, :10] @ np.linspace(1.0, 0.3, 10) + 2.0 * np.sign(X[:, 10] * X[:, 11])
             + 1.5 * (np.abs(X[:, 12]) > 1) - 0.5)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(14)])
    frame["y"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def run_on(tmp_path: Path, train: pd.DataFrame, test: pd.DataFrame, name: str,
           wall_s: float = 120, **task: object) -> RunResult:
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    raw = {"name": name, "task": {"data": str(tmp_path / "train.csv"), "target": "y",
                                  "metric": "roc_auc", "test_data": str(tmp_path / "test.csv"),
                                  **task},
           "budget": {"wall_s": wall_s}, "executor": {"workers": 2}}
    if "operators" in task:
        raw["searcher"] = {"operators": raw["task"].pop("operators")}  # type: ignore[attr-defined]
    return run(validate(raw), run_dir=tmp_path / name, quiet=True)


def test_on_a_small_table_cv_picks_a_better_pipeline_than_one_split(tmp_path: Path) -> None:
    train, test = linear_table(240, seed=0), linear_table(4000, seed=1000)
    drafts = {"operators": ["draft"], "seed": 0}  # the nine portfolio drafts, then stop
    split = run_on(tmp_path, train, test, "split", folds=1, **drafts)
    bagged = run_on(tmp_path, train, test, "cv", **drafts)
    assert bagged.bagged and bagged.folds == 8 and not split.bagged
    assert split.user_score is not None and bagged.user_score is not None
    # one split of 48 validation rows picks an overfitting tree model; 8-fold CV the linear one
    assert bagged.user_score > split.user_score + 0.02, (bagged.user_score, split.user_score)


def test_an_unbagged_pick_is_always_refit_on_every_search_row(tmp_path: Path) -> None:
    train, test = linear_table(400, seed=2), linear_table(500, seed=3)
    result = run_on(tmp_path, train, test, "refit", wall_s=12, folds=1)
    assert result.refit and result.warning is None
    assert result.final_fit == "refit on all 400 search rows"  # test_data given: no hold-out
    saved = json.loads((result.run_dir / "result.json").read_text())
    assert saved["refit"] is True and saved["bagged"] is False


def test_a_bagged_pick_needs_no_refit_and_says_what_it_was_fit_on(tmp_path: Path) -> None:
    train, test = linear_table(400, seed=2), linear_table(500, seed=3)
    result = run_on(tmp_path, train, test, "bagged", wall_s=12)
    assert result.bagged and not result.refit and result.warning is None
    assert result.final_fit == "mean of 8 fold models, each fit on 7/8 of the 400 search rows"
    assert result.test_score is None  # every labelled row went into the search
    assert (result.run_dir / "best" / "predictions.csv").exists()


def test_oof_stacking_beats_its_best_base_model(tmp_path: Path) -> None:
    """Also the end-to-end check that refining and merging matter: the pick is no draft."""
    test = additive_table(4000, seed=1)
    result = run_on(tmp_path, additive_table(600, seed=0), test, "stack", wall_s=40)
    auc, y = get_metric("roc_auc"), test["y"].to_numpy()
    nodes = load_nodes(result.run_dir)

    def real_auc(node: Node) -> float:
        return auc(y, np.load(result.run_dir / "nodes" / node.id / "pred_user_test.npy"))

    ok = [n for n in nodes.values() if n.score is not None]
    stacks = [n for n in ok if (n.spec or {}).get("method") == "stack"]
    bases = [n for n in ok if n.operator != "merge"]
    assert stacks, "no stacker was fit"
    best_stack = max(stacks, key=lambda n: n.score or 0.0)  # chosen on OOF, as the search does
    best_base = max(bases, key=lambda n: n.score or 0.0)
    assert real_auc(best_stack) > real_auc(best_base) + 0.005  # on 4,000 unseen rows
    assert real_auc(best_stack) > max(real_auc(n) for n in bases)
    # the searcher's other operators ran, and the final pick beats every draft on unseen rows
    assert {"improve", "tune", "merge"} <= {n.operator for n in ok}
    drafts = [n for n in ok if n.operator == "draft"]
    pick = nodes[result.best_node_id or ""]
    assert pick.operator != "draft" and real_auc(pick) > max(real_auc(n) for n in drafts)

"""Early-metric score prediction: a line through (cheap score, final score) pairs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graftml.agents.loop.early_stop import CHEAP_SCORE, ScorePredictor, best_single_model
from graftml.app.sdk import load_nodes, run
from graftml.config import validate
from graftml.data.metrics import get_metric
from graftml.types import Node, NodeStatus


def trained(pairs: list[tuple[float, float]], **kwargs: float) -> ScorePredictor:
    predictor = ScorePredictor(**kwargs)  # type: ignore[arg-type]
    for cheap, final in pairs:
        predictor.observe(cheap, final)
    return predictor


LINE = [(0.60 + 0.05 * i, 0.65 + 0.05 * i + (0.005 if i % 2 else -0.005)) for i in range(8)]


def test_the_line_predicts_the_final_score_and_its_spread() -> None:
    predicted = trained(LINE).predict(0.70)
    assert predicted is not None
    assert predicted[0] == pytest.approx(0.75, abs=0.01) and 0 < predicted[1] < 0.01


def test_nothing_is_hopeless_before_enough_pairs() -> None:
    assert trained(LINE[:5]).predict(0.6) is None
    assert not trained(LINE[:5]).hopeless(0.0, best_final=0.99)


def test_a_node_whose_optimistic_prediction_stays_below_the_best_is_hopeless() -> None:
    predictor = trained(LINE)
    assert predictor.hopeless(0.60, best_final=0.90)  # predicted ~0.65
    assert not predictor.hopeless(0.94, best_final=0.90)  # predicted ~0.99


def test_a_wide_spread_gives_the_benefit_of_the_doubt() -> None:
    noisy = [(0.6 + 0.05 * i, 0.65 + 0.05 * i + (0.2 if i % 2 else -0.2)) for i in range(8)]
    assert not trained(noisy, z=1.0).hopeless(0.60, best_final=0.80)
    assert trained(noisy, z=0.0).hopeless(0.60, best_final=0.80)


def test_cheap_scores_that_do_not_vary_predict_nothing() -> None:
    assert trained([(0.7, 0.8 + 0.01 * i) for i in range(8)]).predict(0.7) is None


def test_a_resumed_run_rebuilds_its_pairs_in_the_metric_direction() -> None:
    rmse = get_metric("rmse")
    nodes = [Node(id=f"n{i}", operator="draft", status=NodeStatus.OK, score=2.0 + i,
                  metrics={CHEAP_SCORE: 3.0 + i}) for i in range(7)]
    nodes.append(Node(id="n9", operator="draft", status=NodeStatus.PRUNED,
                      metrics={CHEAP_SCORE: 9.0}))
    predictor = ScorePredictor.from_nodes(nodes, rmse)
    assert predictor.cheap == [-3.0 - i for i in range(7)]  # higher is better once oriented
    assert predictor.final == [-2.0 - i for i in range(7)]


def test_the_bar_is_the_best_single_model_not_an_ensemble() -> None:
    auc = get_metric("roc_auc")
    nodes = [Node(id="a", operator="draft", status=NodeStatus.OK, score=0.8),
             Node(id="m", operator="merge", status=NodeStatus.OK, score=0.9,
                  spec={"model": "ensemble"}),
             Node(id="f", operator="draft", status=NodeStatus.ERROR)]
    assert best_single_model(nodes, auc) == 0.8
    assert best_single_model([], auc) is None


def test_a_real_run_stops_hopeless_nodes_after_their_first_fold(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(800, 6))
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    frame["y"] = (X[:, 0] + np.sign(X[:, 1] * X[:, 2]) + rng.normal(size=800) > 0).astype(int)
    frame.to_csv(tmp_path / "train.csv", index=False)
    cfg = validate({"name": "early", "task": {"data": str(tmp_path / "train.csv"), "target": "y",
                                              "metric": "roc_auc", "folds": 4},
                    "budget": {"wall_s": 25}, "executor": {"workers": 2},
                    "cheap_eval": {"min_rows": 100, "early_stop_min_pairs": 4}})
    result = run(cfg, run_dir=tmp_path / "run", quiet=True)
    nodes = load_nodes(result.run_dir).values()
    stopped = [n for n in nodes if n.error.startswith("pruned: predicted")]
    assert stopped and all(n.status == NodeStatus.PRUNED for n in stopped)
    assert all("predicted_score" in n.metrics and CHEAP_SCORE in n.metrics for n in stopped)
    assert result.n_pruned >= len(stopped) and result.n_scored > 0
    assert result.valid_score is not None and result.valid_score > 0.8

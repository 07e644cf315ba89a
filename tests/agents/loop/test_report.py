"""The leaderboard a person reads: variants grouped, families summarised."""

from __future__ import annotations

from graftml.agents.loop.report import families, leaderboard
from graftml.data.metrics import get_metric
from graftml.types import Node, NodeStatus


def node(node_id: str, kind: str, score: float | None, status: NodeStatus = NodeStatus.OK,
         job_s: float = 1.0, spread: float | None = None) -> Node:
    return Node(id=node_id, operator="improve", status=status, score=score,
                spec={"model": kind}, code=f"# {node_id}", cost={"job_s": job_s},
                metrics={} if spread is None else {"cv_std": spread})


NODES = {n.id: n for n in (
    node("a", "linear", 0.93146, spread=0.01), node("b", "linear", 0.931461),
    node("c", "linear", 0.931459), node("d", "catboost", 0.95, spread=0.02),
    node("e", "catboost", 0.94), node("f", "knn", None, NodeStatus.ERROR, job_s=3.0))}


def test_variants_of_one_family_with_the_same_score_are_one_row() -> None:
    board = leaderboard(NODES, get_metric("roc_auc"))
    assert [(r["node"], r["copies"]) for r in board] == [("d", 1), ("e", 1), ("b", 3)]
    assert board[0]["cv_std"] == 0.02 and board[0]["family"] == "catboost"


def test_the_best_row_of_a_minimised_metric_comes_first() -> None:
    board = leaderboard(NODES, get_metric("rmse"))
    assert board[0]["family"] == "linear" and board[-1]["node"] == "d"


def test_families_count_failures_and_time_and_keep_their_best() -> None:
    rows = {r["family"]: r for r in families(NODES, get_metric("roc_auc"))}
    assert rows["catboost"]["best"] == 0.95 and rows["catboost"]["nodes"] == 2
    assert rows["knn"] == {"family": "knn", "nodes": 1, "failed": 1, "job_s": 3.0, "best": None}
    assert [r["family"] for r in families(NODES, get_metric("roc_auc"))][-1] == "knn"

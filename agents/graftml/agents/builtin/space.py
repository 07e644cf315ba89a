"""The built-in pipeline space: a spec is ``{"model": kind, "params": {...}, "prep": {...}}``.

``params`` are the model's constructor arguments (seed and threads are added at run time);
``prep`` drives the column-wise preprocessing of :mod:`~graftml.agents.builtin.pipeline_template`.
Defaults are sized to the data: no early stopping, so tree counts and leaf sizes follow the rows.
"""

from __future__ import annotations

import copy
import math
import zlib
from typing import Any

from graftml.operators import OperatorContext
from graftml.types import Node

KINDS = ("lightgbm", "catboost", "xgboost", "hist_gb", "random_forest", "extra_trees", "linear",
         "knn")
NATIVE_CATEGORICAL = frozenset({"lightgbm", "xgboost", "catboost", "hist_gb"})
NEEDS_DENSE_NUMERIC = frozenset({"random_forest", "extra_trees", "linear", "knn"})
CATEGORICAL_MODES = ("auto", "onehot", "ordinal", "native")
PREP_DEFAULTS: dict[str, Any] = {"categorical": "auto", "max_onehot": 10, "impute": None,
                                 "scale": False, "text": "hash"}
PREP_KEYS = frozenset({*PREP_DEFAULTS, "text_features", "max_train_rows"})

#: role -> parameter name, per kind: lets mutations act on any kind without a case per kind.
ROLES: dict[str, dict[str, str]] = {
    "lightgbm": {"learning_rate": "learning_rate", "trees": "n_estimators",
                 "capacity": "num_leaves", "l2": "reg_lambda", "min_leaf": "min_child_samples",
                 "colsample": "colsample_bytree"},
    "xgboost": {"learning_rate": "learning_rate", "trees": "n_estimators",
                "capacity": "max_depth", "l2": "reg_lambda", "min_leaf": "min_child_weight",
                "colsample": "colsample_bytree"},
    "catboost": {"learning_rate": "learning_rate", "trees": "iterations", "capacity": "depth",
                 "l2": "l2_leaf_reg"},
    "hist_gb": {"learning_rate": "learning_rate", "trees": "max_iter",
                "capacity": "max_leaf_nodes", "l2": "l2_regularization",
                "min_leaf": "min_samples_leaf"},
    "random_forest": {"trees": "n_estimators", "min_leaf": "min_samples_leaf",
                      "colsample": "max_features"},
    "extra_trees": {"trees": "n_estimators", "min_leaf": "min_samples_leaf",
                    "colsample": "max_features"},
    "linear": {"l2": "alpha", "inverse_l2": "C"},
    "knn": {"neighbors": "n_neighbors"},
}


def _clip(value: float, low: float, high: float) -> int:
    return int(min(max(value, low), high))


def default_params(kind: str, task_type: str, n_rows: int, n_features: int) -> dict[str, Any]:
    """Strong early-stopping-free defaults for ``kind``, sized to the training table."""
    classify = task_type != "regression"
    rounds = _clip(n_rows / 15, 150, 500)  # more data supports more rounds at a fixed rate
    min_leaf = _clip(n_rows / 200, 5, 20)
    leaves = 31 if n_rows >= 3000 else 15
    column_fraction = round(min(1.0, max(0.1, 1 / math.sqrt(max(n_features, 1)))), 3)
    table: dict[str, dict[str, Any]] = {
        "lightgbm": {"n_estimators": rounds, "learning_rate": 0.05, "num_leaves": leaves,
                     "min_child_samples": min_leaf, "subsample": 0.8, "subsample_freq": 1,
                     "colsample_bytree": 0.8, "reg_lambda": 1.0, "reg_alpha": 0.0},
        # 128 borders and one-hot up to 10 levels: 2-3x faster than CatBoost's defaults here
        "catboost": {"iterations": rounds, "learning_rate": 0.08, "depth": 6,
                     "l2_leaf_reg": 3.0, "border_count": 128, "one_hot_max_size": 10},
        "xgboost": {"n_estimators": rounds, "learning_rate": 0.05, "max_depth": 6,
                    "min_child_weight": 1.0, "subsample": 0.8, "colsample_bytree": 0.8,
                    "reg_lambda": 1.0, "reg_alpha": 0.0},
        "hist_gb": {"max_iter": rounds, "learning_rate": 0.06, "max_leaf_nodes": leaves,
                    "min_samples_leaf": min_leaf, "l2_regularization": 1.0},
        # regression forests otherwise try every column per split and grow to single rows:
        # a column fraction and 2-row leaves keep them near 3 s on 5k rows
        "random_forest": {"n_estimators": 200, "min_samples_leaf": 1 if classify else 2,
                          "max_features": column_fraction if classify else 0.33},
        "extra_trees": {"n_estimators": 300 if classify else 200,
                        "min_samples_leaf": 1 if classify else 2,
                        "max_features": column_fraction if classify else 0.7},
        "linear": {"C": 1.0} if classify else {"alpha": 1.0},
        "knn": {"n_neighbors": _clip(math.sqrt(n_rows) / 2, 5, 30), "weights": "distance"},
    }
    return dict(table[kind])


def default_prep(kind: str) -> dict[str, Any]:
    """Preprocessing each kind is strong with: native categoricals where the library has them."""
    if kind in NATIVE_CATEGORICAL:
        return {**PREP_DEFAULTS, "categorical": "native"}
    if kind in ("linear", "knn"):
        return {**PREP_DEFAULTS, "categorical": "onehot", "max_onehot": 20, "impute": "median",
                "scale": True}
    return {**PREP_DEFAULTS, "impute": "median"}


def make_spec(kind: str, task_type: str, n_rows: int, n_features: int) -> dict[str, Any]:
    """The default spec of ``kind`` for a task."""
    spec = {"model": kind, "params": default_params(kind, task_type, n_rows, n_features),
            "prep": default_prep(kind)}
    return normalize(spec)


def normalize(spec: dict[str, Any]) -> dict[str, Any]:
    """A validated copy of ``spec`` whose prep the model kind supports.

    Raises:
        ValueError: unknown model kind, prep key or categorical mode.
    """
    kind = spec.get("model")
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; choose one of: {', '.join(KINDS)}")
    out = {"model": kind, "params": copy.deepcopy(dict(spec.get("params", {}))),
           "prep": {**PREP_DEFAULTS, **copy.deepcopy(dict(spec.get("prep", {})))}}
    prep = out["prep"]
    unknown = set(prep) - PREP_KEYS
    if unknown:
        raise ValueError(f"unknown prep keys {sorted(unknown)}; valid: {sorted(PREP_KEYS)}")
    if prep["categorical"] not in CATEGORICAL_MODES:
        raise ValueError(f"prep categorical {prep['categorical']!r} is not one of "
                         f"{', '.join(CATEGORICAL_MODES)}")
    if prep["categorical"] == "native" and kind not in NATIVE_CATEGORICAL:
        prep["categorical"] = "auto"  # the model has no categorical support of its own
    if kind in NEEDS_DENSE_NUMERIC:
        prep["impute"] = prep["impute"] or "median"  # these estimators reject NaN
    if kind in ("linear", "knn"):
        prep["scale"] = True  # distances and penalties assume comparable scales
    return out


def structured_parent(ctx: OperatorContext, node_id: str) -> dict[str, Any]:
    """The normalized spec of a parent node from the built-in space.

    An ensemble (a merge node) stands for its best-scoring structured member, found through
    nested ensembles, so that improving or tuning the best node still works when it is a merge.

    Raises:
        ValueError: the node is unknown, free-form (spec None), or an ensemble of such nodes.
    """
    node = ctx.nodes.get(node_id)
    if node is None:
        raise ValueError(f"unknown parent node {node_id!r}")
    member = best_structured_member(ctx, node)
    if member is None or member.spec is None:
        raise ValueError(f"parent {node_id!r} is not a structured pipeline")
    return normalize(member.spec)


def best_structured_member(ctx: OperatorContext, node: Node) -> Node | None:
    """``node`` itself when structured, else its best-scoring structured ancestor (or None)."""
    best: Node | None = None
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if current.id in seen:
            continue
        seen.add(current.id)
        if current.spec is not None and current.spec.get("model") in KINDS:
            if current is node:
                return node
            if best is None or _oriented(ctx, current) > _oriented(ctx, best):
                best = current
        elif current.operator == "merge":
            stack.extend(ctx.nodes[p] for p in current.parent_ids if p in ctx.nodes)
    return best


def _oriented(ctx: OperatorContext, node: Node) -> float:
    return ctx.metric.oriented(node.score) if node.score is not None else -math.inf


def known_specs(ctx: OperatorContext) -> list[dict[str, Any]]:
    """The normalized specs of every node so far (an identical pipeline gives the same score)."""
    specs = []
    for node in ctx.nodes.values():
        if node.spec is not None and node.spec.get("model") in KINDS:
            try:
                specs.append(normalize(node.spec))
            except ValueError:
                continue
    return specs


def proposal_seed(operator_seed: int, ctx: OperatorContext, proposal_id: str) -> int:
    """A seed for one proposal, stable across processes (``hash`` of a str is salted)."""
    return zlib.crc32(f"{operator_seed}:{ctx.seed}:{proposal_id}".encode())


def n_features(ctx: OperatorContext) -> int:
    """Input columns of the task (the target excluded)."""
    return len([c for c in ctx.feature_types if c != ctx.target]) or 1

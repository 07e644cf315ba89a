"""A graftml pipeline: column-wise preprocessing and one model, both described by ``SPEC``.

This file is the template of every built-in candidate: graftml renders it with the pipeline's
``SPEC`` literal, so the module is self-contained (numpy, pandas, scikit-learn and the chosen
boosting library only) and runs as a job or as an exported script.
"""

from __future__ import annotations

import importlib
import os
import warnings
from typing import Any

import numpy as np
import pandas as pd

# Idle OpenMP threads spin by default: on a busy 2-core machine LightGBM, XGBoost and
# HistGradientBoosting at 2 threads ran 20-50x slower than at 1. Sleeping threads avoid it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

SPEC: dict[str, Any] = {"model": "hist_gb", "params": {}, "prep": {}}  # graftml:spec

#: kind -> (module, classifier class, regressor class)
MODELS = {
    "lightgbm": ("lightgbm", "LGBMClassifier", "LGBMRegressor"),
    "xgboost": ("xgboost", "XGBClassifier", "XGBRegressor"),
    "catboost": ("catboost", "CatBoostClassifier", "CatBoostRegressor"),
    "hist_gb": ("sklearn.ensemble", "HistGradientBoostingClassifier",
                "HistGradientBoostingRegressor"),
    "random_forest": ("sklearn.ensemble", "RandomForestClassifier", "RandomForestRegressor"),
    "extra_trees": ("sklearn.ensemble", "ExtraTreesClassifier", "ExtraTreesRegressor"),
    "linear": ("sklearn.linear_model", "LogisticRegression", "Ridge"),
    "knn": ("sklearn.neighbors", "KNeighborsClassifier", "KNeighborsRegressor"),
}
NATIVE_CATEGORICAL = ("lightgbm", "xgboost", "catboost", "hist_gb")
MAX_NATIVE_LEVELS = 250  # HistGradientBoosting accepts at most 255 categories per column


def fit_predict(train: pd.DataFrame, target: str, predict: dict[str, pd.DataFrame],
                info: dict[str, Any]) -> dict[str, np.ndarray]:
    """Fit the pipeline on ``train`` and predict every table of ``predict``."""
    return run_pipeline(SPEC, train, target, predict, info)


def run_pipeline(spec: dict[str, Any], train: pd.DataFrame, target: str,
                 predict: dict[str, pd.DataFrame], info: dict[str, Any]) -> dict[str, np.ndarray]:
    """Preprocess, fit ``spec["model"]``, return probabilities (all n_classes) or values."""
    # threadpoolctl ships with scikit-learn (no stubs); it caps OpenMP and BLAS threads
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    prep = spec.get("prep", {})
    seed, threads = int(info.get("seed", 0)), int(info.get("threads", 1))
    train = _limit_rows(train, prep.get("max_train_rows"), seed)
    y = train[target].to_numpy()
    prep_state = Prep(prep, spec["model"]).fit(train.drop(columns=target))
    X = prep_state.transform(train.drop(columns=target))
    classify = info["task_type"] != "regression"
    with threadpool_limits(limits=threads), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # library chatter belongs to nobody's log
        model, present = _fit(spec, X, y.astype(int) if classify else y, classify, seed, threads)
        return {name: _predict(model, present, prep_state.transform(frame), classify,
                               int(info.get("n_classes", 0)))
                for name, frame in predict.items()}


def _limit_rows(train: pd.DataFrame, max_rows: int | None, seed: int) -> pd.DataFrame:
    if max_rows is None or len(train) <= max_rows:
        return train
    return train.sample(n=int(max_rows), random_state=seed)


def _fit(spec: dict[str, Any], X: pd.DataFrame, y: np.ndarray, classify: bool, seed: int,
         threads: int) -> tuple[Any, np.ndarray]:
    """Fit the model; classes are re-encoded to those present (a subsample may lack some)."""
    present = np.unique(y) if classify else np.zeros(0)
    if classify and len(present) < 2:
        return None, present
    if classify:
        y = np.searchsorted(present, y)
    module, classifier, regressor = MODELS[spec["model"]]
    cls = getattr(importlib.import_module(module), classifier if classify else regressor)
    kwargs = {**runtime_kwargs(spec["model"], seed, threads, classify), **spec.get("params", {})}
    if spec["model"] == "knn":  # a subsample may hold fewer rows than neighbours
        kwargs["n_neighbors"] = min(int(kwargs.get("n_neighbors", 5)), len(X))
    model = cls(**kwargs)
    if spec["model"] == "catboost":
        cat_features = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        model.fit(X, y, cat_features=cat_features)
    else:
        model.fit(X, y)
    return model, present


def runtime_kwargs(kind: str, seed: int, threads: int, classify: bool) -> dict[str, Any]:
    """Seed, threads and quietness: what a spec does not choose."""
    quiet: dict[str, dict[str, Any]] = {
        "lightgbm": {"random_state": seed, "n_jobs": threads, "verbose": -1},
        "xgboost": {"random_state": seed, "n_jobs": threads, "verbosity": 0,
                    "tree_method": "hist", "enable_categorical": True},
        "catboost": {"random_seed": seed, "thread_count": threads, "verbose": 0,
                     "allow_writing_files": False},
        "hist_gb": {"random_state": seed, "early_stopping": False},
        "random_forest": {"random_state": seed, "n_jobs": threads},
        "extra_trees": {"random_state": seed, "n_jobs": threads},
        "linear": {"max_iter": 2000} if classify else {},
        "knn": {"n_jobs": threads},
    }
    return quiet[kind]


def _predict(model: Any, present: np.ndarray, X: pd.DataFrame, classify: bool,
             n_classes: int) -> np.ndarray:
    if not classify:
        return np.asarray(model.predict(X), dtype=float)
    proba = np.zeros((len(X), max(n_classes, int(present.max()) + 1)))
    if model is None:
        proba[:, present] = 1.0
    else:
        proba[:, present] = model.predict_proba(X)
    return proba


def column_roles(frame: pd.DataFrame) -> dict[str, str]:
    """Column -> numeric | datetime | categorical | text | drop, from dtypes and values."""
    roles: dict[str, str] = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            roles[col] = "numeric"
        elif pd.api.types.is_datetime64_any_dtype(values):
            roles[col] = "datetime"
        else:
            roles[col] = _string_role(values.dropna().astype(str))
    return roles


def _string_role(values: pd.Series) -> str:
    if values.empty:
        return "drop"
    if _parse_dates(values.head(50)).notna().mean() > 0.9:
        return "datetime"  # ISO dates read from CSV arrive as strings
    unique_ratio = values.nunique() / len(values)
    if unique_ratio > 0.3 and values.str.count(" ").mean() >= 2:
        return "text"  # several words per value and rarely repeated: free text
    if unique_ratio > 0.95 and len(values) > 50:
        return "drop"  # an identifier: as many levels as rows carries nothing to generalise
    return "categorical"


class Prep:
    """Learns column roles, category levels, medians and scales on train; applies them anywhere.

    ``prep`` keys: ``categorical`` (auto | onehot | ordinal | native), ``max_onehot`` (levels
    kept per one-hot column), ``impute`` (median | None), ``scale`` (bool), ``text`` (drop | hash),
    ``text_features`` (hash width).
    """

    def __init__(self, prep: dict[str, Any], kind: str) -> None:
        self.prep, self.kind = prep, kind
        self.roles: dict[str, str] = {}
        self.levels: dict[str, list[str]] = {}
        self.missing: list[str] = []
        self.fill: pd.Series = pd.Series(dtype=float)
        self.center: pd.Series = pd.Series(dtype=float)
        self.spread: pd.Series = pd.Series(dtype=float)

    def fit(self, frame: pd.DataFrame) -> Prep:
        self.roles = column_roles(frame)
        for col, role in self.roles.items():
            if role == "categorical":
                self.levels[col] = list(frame[col].dropna().astype(str).value_counts().index)
        numeric = self._numeric(frame)
        self.fill = numeric.median().fillna(0.0)
        self.missing = [c for c in numeric.columns if numeric[c].isna().any()]
        filled = numeric.fillna(self.fill) if self.prep.get("impute") else numeric
        self.center, self.spread = filled.mean(), filled.std().replace(0.0, 1.0).fillna(1.0)
        return self

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        numeric = self._numeric(frame)
        if self.prep.get("impute"):
            flags = numeric[self.missing].isna().astype(float).add_suffix("__missing")
            numeric = pd.concat([numeric.fillna(self.fill), flags], axis=1)
        if self.prep.get("scale"):
            numeric[self.center.index] = (numeric[self.center.index] - self.center) / self.spread
        blocks = [numeric, *(self._categorical(frame[c], c) for c in self.levels)]
        out = pd.concat(blocks, axis=1)
        if out.shape[1] == 0:
            out["none"] = 0.0  # no usable column: a constant keeps every model fittable
        out.columns = [f"f{i}" for i in range(out.shape[1])]  # LightGBM rejects JSON characters
        return out

    def _numeric(self, frame: pd.DataFrame) -> pd.DataFrame:
        parts: list[pd.DataFrame] = []
        for col, role in self.roles.items():
            if role == "numeric":
                parts.append(frame[[col]].astype(float))
            elif role == "datetime":
                parts.append(_datetime_parts(frame[col]))
            elif role == "text" and self.prep.get("text") == "hash":
                parts.append(self._hashed(frame[col]))
        index = pd.DataFrame(index=frame.index)
        numeric = pd.concat([index, *parts], axis=1).astype(float)
        return numeric.replace([np.inf, -np.inf], np.nan)  # scikit-learn rejects infinities

    def _hashed(self, values: pd.Series) -> pd.DataFrame:
        from sklearn.feature_extraction.text import HashingVectorizer

        width = int(self.prep.get("text_features", 16))
        hasher = HashingVectorizer(n_features=width, alternate_sign=False)
        dense = hasher.transform(values.fillna("").astype(str)).toarray()
        return pd.DataFrame(dense, index=values.index).add_prefix(f"{values.name}__hash")

    def _categorical(self, values: pd.Series, col: str) -> pd.DataFrame:
        text = values.astype(str).where(values.notna())
        levels = self.levels[col]
        mode = self.prep.get("categorical", "auto")
        if mode == "auto":
            mode = "onehot" if len(levels) <= int(self.prep.get("max_onehot", 10)) else "ordinal"
        if mode == "native" and self.kind == "catboost":
            return pd.DataFrame({col: text.fillna("__missing__")}, index=values.index)
        if mode == "native" and self.kind in NATIVE_CATEGORICAL:
            kept = levels[:MAX_NATIVE_LEVELS]
            return pd.DataFrame({col: pd.Categorical(text, categories=kept)}, index=values.index)
        if mode == "onehot":
            kept = levels[: int(self.prep.get("max_onehot", 10))]
            return pd.DataFrame({f"{col}={v}": (text == v).astype(float) for v in kept},
                                index=values.index)
        codes = pd.Categorical(text, categories=levels).codes.astype(float)
        return pd.DataFrame({col: codes}, index=values.index)  # unseen and missing: -1


def _parse_dates(values: pd.Series) -> pd.Series:
    """Datetimes (naive, UTC for zoned input); unparseable values become NaT."""
    if pd.api.types.is_datetime64_any_dtype(values):
        stamp = values
    else:
        stamp = pd.to_datetime(values.astype(str), format="ISO8601", errors="coerce", utc=True)
    return stamp.dt.tz_convert(None) if stamp.dt.tz is not None else stamp


def _datetime_parts(values: pd.Series) -> pd.DataFrame:
    stamp = _parse_dates(values)
    parts = {"year": stamp.dt.year, "month": stamp.dt.month, "day": stamp.dt.day,
             "weekday": stamp.dt.day_of_week, "hour": stamp.dt.hour,
             "days": (stamp - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0}
    return pd.DataFrame({f"{values.name}__{k}": v for k, v in parts.items()}, index=values.index)

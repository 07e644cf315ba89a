"""Optuna search spaces of the built-in model kinds (names are the models' parameters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import optuna


@dataclass(frozen=True)
class Dimension:
    """One tuned parameter: a numeric range (``log``, ``integer``) or a set of ``choices``."""

    name: str
    low: float = 0.0
    high: float = 1.0
    log: bool = False
    integer: bool = False
    choices: tuple[Any, ...] = ()

    def clip(self, value: Any) -> Any:
        """``value`` moved inside this dimension (None when it cannot be, e.g. a foreign string)."""
        if self.choices:
            return value if value in self.choices else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        inside = min(max(value, self.low), self.high)
        return round(inside) if self.integer else float(inside)

    def suggest(self, trial: optuna.Trial) -> Any:
        if self.choices:
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.integer:
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)


def _int(name: str, low: int, high: int, log: bool = True) -> Dimension:
    return Dimension(name, low, high, log=log, integer=True)


def _log(name: str, low: float, high: float) -> Dimension:
    return Dimension(name, low, high, log=True)


_RATE = _log("learning_rate", 0.01, 0.3)
_ROWS, _COLS = Dimension("subsample", 0.5, 1.0), Dimension("colsample_bytree", 0.3, 1.0)
_BAGGING = (_int("n_estimators", 50, 500), Dimension("max_features", 0.05, 1.0),
            _int("min_samples_leaf", 1, 20))

# Ranges cap the cost of one trial: at most ~1000 boosting rounds.
SPACES: dict[str, tuple[Dimension, ...]] = {
    "lightgbm": (_int("n_estimators", 50, 1000), _RATE, _int("num_leaves", 4, 128),
                 _int("min_child_samples", 2, 100), _ROWS, _COLS, _log("reg_lambda", 1e-3, 30.0),
                 _log("reg_alpha", 1e-3, 10.0)),
    "xgboost": (_int("n_estimators", 50, 1000), _RATE, _int("max_depth", 2, 10, log=False),
                _log("min_child_weight", 1e-2, 30.0), _ROWS, _COLS, _log("reg_lambda", 1e-3, 30.0),
                _log("reg_alpha", 1e-3, 10.0)),
    "catboost": (_int("iterations", 50, 1000), _RATE, _int("depth", 3, 8, log=False),
                 _log("l2_leaf_reg", 0.1, 30.0)),
    "hist_gb": (_int("max_iter", 50, 1000), _RATE, _int("max_leaf_nodes", 4, 128),
                _int("min_samples_leaf", 2, 100), _log("l2_regularization", 1e-3, 30.0)),
    "random_forest": _BAGGING,
    "extra_trees": _BAGGING,
    "knn": (_int("n_neighbors", 1, 50), Dimension("weights", choices=("uniform", "distance"))),
}


def search_space(kind: str, task_type: str) -> tuple[Dimension, ...]:
    """The dimensions tuned for ``kind`` (linear: C for classifiers, alpha for Ridge)."""
    if kind == "linear":
        name = "alpha" if task_type == "regression" else "C"
        return (_log(name, 1e-3, 1e3),)
    return SPACES[kind]


def clip_to_space(params: dict[str, Any], space: tuple[Dimension, ...]) -> dict[str, Any]:
    """The tuned subset of ``params``, moved inside the space (Optuna warns on fixed values
    outside it); parameters it cannot place are left to the sampler."""
    clipped = {d.name: d.clip(params[d.name]) for d in space if d.name in params}
    return {k: v for k, v in clipped.items() if v is not None}


def suggest(trial: optuna.Trial, space: tuple[Dimension, ...]) -> dict[str, Any]:
    """Ask ``trial`` for every dimension of ``space``."""
    return {d.name: d.suggest(trial) for d in space}

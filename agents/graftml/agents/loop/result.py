"""What a finished (or resumed) AutoML run returns: scores, the final fit, the leaderboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RunResult:
    """What :func:`run` and :func:`resume` return."""

    run_dir: Path
    metric: str
    direction: str
    best_node_id: str | None
    valid_score: float | None
    test_score: float | None
    elapsed_s: float
    n_nodes: int
    overhead_ms: float
    n_scored: int = 0  # single models fully scored (ensembles not counted)
    n_pruned: int = 0  # stopped after a cheap first fit
    refit: bool = False
    bagged: bool = False  # the pick predicts as the mean of its fold models
    folds: int = 1
    final_fit: str = ""  # which rows the final model was fit on
    warning: str | None = None
    user_predictions: Path | None = None
    user_score: float | None = None
    threshold: float | None = None  # binary decision threshold fitted on validation (F1, ...)
    leaderboard: list[dict[str, Any]] = field(default_factory=list)
    name: str = ""  # the run config's name
    importances: dict[str, float] = field(default_factory=dict)  # oriented score drop per feature
    importances_note: str = ""  # why there are none

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["run_dir"] = str(self.run_dir)
        d["user_predictions"] = str(self.user_predictions) if self.user_predictions else None
        return d

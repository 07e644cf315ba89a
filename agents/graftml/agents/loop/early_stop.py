"""Early-metric score prediction: stop a candidate whose cheap first fit says it cannot compete.

KompeteAI-style. Every node that ran a cheap first fit (its first fold when bagging, a subsample
otherwise) and then its full fit leaves a pair (cheap score, final score), oriented so that higher
is better. A least-squares line through those pairs predicts a new node's final score from its
cheap score; the residual spread says how far to trust it. A node is hopeless when even its
optimistic prediction (mean + ``z`` residual standard deviations) stays below the best final
score among single models, and it is then recorded as pruned without its remaining folds.

Ensembles are left out of the bar: a model weaker than the best ensemble can still be a useful
member, and ensembles never run a cheap fit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from graftml.data.metrics import Metric
from graftml.types import Node, NodeStatus

#: the node metric that holds a node's cheap first-fit score (in the metric's own direction)
CHEAP_SCORE = "low_fidelity_score"


@dataclass
class ScorePredictor:
    """Predicts final scores from cheap first-fit scores (all oriented higher-is-better).

    Attributes:
        min_pairs: pairs needed before any node is judged hopeless.
        z: how many residual standard deviations of optimism a node is given.
    """

    min_pairs: int = 6
    z: float = 1.0
    cheap: list[float] = field(default_factory=list)
    final: list[float] = field(default_factory=list)

    def observe(self, cheap: float, final: float) -> None:
        """Called when a node that ran a cheap fit has finished its full fit."""
        self.cheap.append(cheap)
        self.final.append(final)

    def predict(self, cheap: float) -> tuple[float, float] | None:
        """(predicted final score, residual standard deviation), or ``None`` while too few
        pairs (or cheap scores that do not vary) make a line meaningless."""
        if len(self.cheap) < self.min_pairs:
            return None
        x, y = np.asarray(self.cheap), np.asarray(self.final)
        if float(np.ptp(x)) == 0.0:
            return None
        slope, intercept = np.polyfit(x, y, 1)
        residuals = y - (slope * x + intercept)
        spread = float(np.sqrt(np.sum(residuals**2) / max(1, len(x) - 2)))
        return float(slope * cheap + intercept), spread

    def hopeless(self, cheap: float, best_final: float | None) -> bool:
        """True when the optimistic prediction for ``cheap`` stays below ``best_final``."""
        predicted = self.predict(cheap)
        if predicted is None or best_final is None:
            return False
        mean, spread = predicted
        return mean + self.z * spread < best_final

    @classmethod
    def from_nodes(cls, nodes: Iterable[Node], metric: Metric, min_pairs: int = 6,
                   z: float = 1.0) -> ScorePredictor:
        """A predictor that has observed every finished node of a (resumed) run."""
        predictor = cls(min_pairs=min_pairs, z=z)
        for node in nodes:
            if node.score is not None and CHEAP_SCORE in node.metrics:
                predictor.observe(metric.oriented(node.metrics[CHEAP_SCORE]),
                                  metric.oriented(node.score))
        return predictor


def best_single_model(nodes: Iterable[Node], metric: Metric) -> float | None:
    """The best oriented final score among finished nodes that are not ensembles."""
    scores = [metric.oriented(n.score) for n in nodes
              if n.status == NodeStatus.OK and n.score is not None
              and (n.spec or {}).get("model") != "ensemble"]
    return max(scores) if scores else None

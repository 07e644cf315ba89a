"""Evolutionary search over a population of the best nodes: merge, crossover, mutate."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import combinations
from typing import Literal

from pydantic import Field

from graftml.config import SearcherSettings
from graftml.errors import ConfigError
from graftml.operators import Role
from graftml.search._base import OPERATORS, Operators, TreeSearcher, check_range
from graftml.search._tree import Choice, TreeNode

#: default move weights; ``mutate`` is improve or tune of a tournament winner
DEFAULT_WEIGHTS: Mapping[str, float] = {"merge": 1.0, "crossover": 2.0, "mutate": 2.0}
_MOVE_ROLES = {"merge": Role.COMBINE, "crossover": Role.PAIR, "mutate": Role.REFINE}


class MergeSettings(SearcherSettings):
    """The ``searcher`` section of ``kind: merge``."""

    kind: Literal["merge"] = "merge"
    population: int = Field(8, ge=2)


class MergeSearcher(TreeSearcher):
    """Evolutionary searcher: drafts, then moves on the population of the top ``population``
    ok nodes.

    Each step after the drafts draws from the seeded rng: with probability ``debug_prob`` it
    debugs the oldest failed leaf below ``max_debug_depth``; otherwise it picks a move with
    probability proportional to ``weights`` (moves whose operators are disabled are dropped):

    * ``merge``: ensemble (operators of role ``combine``) of the top
      ``min(merge_k, population size)`` nodes (at least two; never the same parent set twice);
    * ``crossover``: two tournament winners (role ``pair``; never the same unordered pair twice);
    * ``mutate``: a refine operator (``improve``, ``tune``, ...; each first with equal odds) of a
      tournament winner.

    A tournament samples ``tournament_size`` population members and keeps the best. When the
    drawn move is impossible, the other moves follow, then debugging, so a step proposes
    something whenever anything is possible.

    Args:
        num_drafts: how many drafts open the search.
        seed: seed of the searcher's rng.
        operators: enabled operators (names, or names with their roles); one must draft.
        max_debug_depth: debug chains longer than this are abandoned.
        population: how many of the best ok nodes may be parents.
        weights: relative weight of each move among ``merge``, ``crossover``, ``mutate``.
        tournament_size: population members sampled per tournament.
        merge_k: most nodes in one merge.
        debug_prob: probability that a step debugs (when something is debuggable).
    """

    kind = "merge"
    Settings = MergeSettings

    def __init__(self, num_drafts: int, seed: int = 0, operators: Operators = OPERATORS,
                 max_debug_depth: int = 3, population: int = 8,
                 weights: Mapping[str, float] = DEFAULT_WEIGHTS, tournament_size: int = 3,
                 merge_k: int = 5, debug_prob: float = 0.1) -> None:
        super().__init__(num_drafts, seed, operators, max_debug_depth)
        check_range("population", population, 1)
        check_range("tournament_size", tournament_size, 1)
        check_range("merge_k", merge_k, 2)
        check_range("debug_prob", debug_prob, 0.0, 1.0)
        self.population = population
        self.weights = _validate_weights(weights)
        self.tournament_size = tournament_size
        self.merge_k = merge_k
        self.debug_prob = debug_prob

    def _choices(self) -> Iterator[Choice]:
        debug_first = self._rng.random() < self.debug_prob
        if debug_first:
            yield from self._debug_choices()
        population = self._tree.ranked_ok()[: self.population]
        moves = [move for move, weight in self.weights.items()
                 if weight > 0 and self.of_role(_MOVE_ROLES[move])]
        if population and moves:
            drawn = self._rng.choices(moves, [self.weights[move] for move in moves])[0]
            for move in [drawn, *(m for m in moves if m != drawn)]:
                yield from self._move_choices(move, population)
        if not debug_first:
            yield from self._debug_choices()

    def _move_choices(self, move: str, population: list[TreeNode]) -> Iterator[Choice]:
        if move == "merge":
            top = population[: self.merge_k]
            if len(top) >= 2:
                for operator in self.of_role(Role.COMBINE):
                    yield Choice(operator, tuple(node.id for node in top), {"k": len(top)})
        elif move == "crossover" and len(population) >= 2:
            first = self._tournament(population)
            second = self._tournament([node for node in population if node is not first])
            pairs = [(first, second), *combinations(population, 2)]  # then any fresh pair
            for operator in self.of_role(Role.PAIR):
                for a, b in pairs:
                    yield Choice(operator, (a.id, b.id))
        elif move == "mutate":
            winner = self._tournament(population)
            refine = self.of_role(Role.REFINE)
            # one draw picks which refine operator goes first (of two: the second when < 0.5)
            shift = len(refine) - 1 - int(self._rng.random() * len(refine))
            order = refine[shift:] + refine[:shift]
            for node in [winner, *population]:
                for operator in order:
                    yield Choice(operator, (node.id,))

    def _tournament(self, population: list[TreeNode]) -> TreeNode:
        """The best of ``tournament_size`` members drawn without replacement."""
        size = min(self.tournament_size, len(population))
        return population[min(self._rng.sample(range(len(population)), size))]


def _validate_weights(weights: Mapping[str, float]) -> dict[str, float]:
    unknown = sorted(set(weights) - set(_MOVE_ROLES))
    if unknown or any(w < 0 for w in weights.values()) or not any(weights.values()):
        raise ConfigError(f"MergeSearcher weights {dict(weights)} invalid: keys must be among "
                          f"{sorted(_MOVE_ROLES)}, values >= 0, at least one > 0")
    return {move: float(weights.get(move, 0.0)) for move in _MOVE_ROLES}

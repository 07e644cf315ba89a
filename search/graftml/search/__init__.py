"""Ask/tell searchers over the candidate tree.

* :class:`GreedySearcher`: AIDE-style greedy (debug buggy leaves, refine the best, merge top-k);
* :class:`MCTSSearcher`: UCT with progressive widening and virtual loss for parallel workers;
* :class:`MergeSearcher`: evolutionary (merge, crossover, mutate a population of the best).

All are pure, deterministic state machines (see :class:`graftml.searcher.Searcher`);
:func:`make_searcher` builds one by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graftml.errors import ConfigError
from graftml.search.greedy import GreedySearcher
from graftml.search.mcts import MCTSSearcher
from graftml.search.merge import MergeSearcher
from graftml.searcher import Searcher

_KINDS: dict[str, Callable[..., Searcher]] = {
    "greedy": GreedySearcher,
    "mcts": MCTSSearcher,
    "merge": MergeSearcher,
}

__all__ = ["GreedySearcher", "MCTSSearcher", "MergeSearcher", "make_searcher"]


def make_searcher(kind: str, **kwargs: Any) -> Searcher:
    """Build the searcher named ``kind`` with its constructor keywords.

    Args:
        kind: one of ``greedy``, ``mcts``, ``merge``.
        **kwargs: passed to the constructor (``num_drafts`` is required).

    Returns:
        A fresh searcher.

    Raises:
        ConfigError: ``kind`` is unknown, or a keyword is invalid for that searcher.
    """
    if kind not in _KINDS:
        raise ConfigError(f"unknown searcher kind {kind!r}; valid: {sorted(_KINDS)}")
    try:
        return _KINDS[kind](**kwargs)
    except TypeError as exc:  # an unknown or missing keyword
        raise ConfigError(f"searcher {kind!r}: {exc}") from exc

"""Ask/tell searchers over the candidate tree.

* :class:`GreedySearcher`: AIDE-style greedy (debug buggy leaves, refine the best, merge top-k);
* :class:`MCTSSearcher`: UCT with progressive widening and virtual loss for parallel workers;
* :class:`MergeSearcher`: evolutionary (merge, crossover, mutate a population of the best).

All are pure, deterministic state machines (see :class:`graftml.searcher.Searcher`), registered
as entry points of the ``graftml.searchers`` group; :func:`make_searcher` builds any registered
searcher by name. A new searcher subclasses :class:`TreeSearcher` (it implements
``_choices``, yielding :class:`Choice` objects best first) and declares an entry point.
"""

from __future__ import annotations

from typing import Any

from graftml.errors import ConfigError
from graftml.plugins import SEARCHERS
from graftml.search._base import TreeSearcher
from graftml.search._tree import Choice, TreeNode
from graftml.search.greedy import GreedySearcher
from graftml.search.mcts import MCTSSearcher
from graftml.search.merge import MergeSearcher
from graftml.searcher import Searcher

__all__ = ["Choice", "GreedySearcher", "MCTSSearcher", "MergeSearcher", "TreeNode", "TreeSearcher",
           "make_searcher"]


def make_searcher(kind: str, **kwargs: Any) -> Searcher:
    """Build the searcher registered as ``kind`` with its constructor keywords.

    Args:
        kind: a registered searcher (``greedy``, ``mcts``, ``merge``, or a plugin's).
        **kwargs: passed to the constructor (``num_drafts`` is required).

    Returns:
        A fresh searcher.

    Raises:
        ConfigError: ``kind`` is unknown, or a keyword is invalid for that searcher.
    """
    cls = SEARCHERS.get(kind)
    try:
        searcher: Searcher = cls(**kwargs)
    except TypeError as exc:  # an unknown or missing keyword
        raise ConfigError(f"searcher {kind!r}: {exc}") from None
    return searcher

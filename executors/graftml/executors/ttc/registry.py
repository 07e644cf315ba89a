"""Strategies and scorers by name.

Strategies and scorers are plugins (entry point groups ``graftml.strategies`` and
``graftml.scorers``; graftml's own are declared in its ``pyproject.toml``). A strategy is a
function ``(TTCRequest, LLMBackend, Ledger | None) -> TTCResult``; a scorer a class built with no
argument, or with the reference answer when its ``needs_reference`` is true.
"""

from __future__ import annotations

from graftml.errors import ConfigError
from graftml.plugins import SCORERS, STRATEGIES
from graftml.ttc.contract import Scorer, Strategy
from graftml.ttc.types import TTCError

__all__ = ["SCORERS", "STRATEGIES", "Strategy", "get_strategy", "make_scorer"]

def get_strategy(name: str) -> Strategy:
    """The strategy registered as ``name``.

    Raises:
        TTCError: unknown name (the message lists the valid ones).
    """
    try:
        strategy: Strategy = STRATEGIES.get(name)
    except ConfigError as exc:
        raise TTCError(str(exc)) from None
    return strategy


def make_scorer(name: str, reference: str | None = None) -> Scorer:
    """The scorer registered as ``name``; ``exact_match`` needs the ``reference`` answer.

    Raises:
        TTCError: unknown name, or a reference-based scorer (an oracle) without a reference.
    """
    try:
        cls = SCORERS.get(name)
    except ConfigError as exc:
        raise TTCError(str(exc)) from None
    if not getattr(cls, "needs_reference", False):
        scorer: Scorer = cls()
        return scorer
    if reference is None:
        raise TTCError(f"scorer {name} is an oracle: give the reference answer")
    scorer = cls(reference)
    return scorer

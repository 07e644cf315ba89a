"""Fixtures shared by the searcher tests."""

from __future__ import annotations

import pytest

KINDS = ("greedy", "mcts", "merge")


@pytest.fixture(params=KINDS)
def searcher_kind(request: pytest.FixtureRequest) -> str:
    """Each searcher kind in turn."""
    kind: str = request.param
    return kind

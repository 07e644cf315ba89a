"""A third-party graftml plugin in one file: a searcher and an operator.

Its distribution metadata (``graftml_toy-0.1.dist-info``) declares them as entry points, which is
all graftml needs to offer ``--searcher toy`` and to propose ``polish`` wherever a refine
operator fits; no graftml file changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Literal

from graftml.agents.builtin import ImproveOperator
from graftml.config import SearcherSettings
from graftml.operators import Role
from graftml.search import Choice, TreeSearcher


class ToySettings(SearcherSettings):
    """The ``searcher`` section of ``kind: toy``."""

    kind: Literal["toy"] = "toy"
    width: int = 2  # how many of the best nodes are refined


class ToySearcher(TreeSearcher):
    """Refine the ``width`` best nodes with every refine operator in turn; else debug."""

    kind = "toy"
    Settings = ToySettings

    def __init__(self, num_drafts: int, seed: int = 0,
                 operators: Sequence[str] | Mapping[str, Role] = ("draft", "improve"),
                 max_debug_depth: int = 3, width: int = 2) -> None:
        super().__init__(num_drafts, seed, operators, max_debug_depth)
        self.width = width

    def _choices(self) -> Iterator[Choice]:
        for node in self._tree.ranked_ok()[: self.width]:
            for operator in self.of_role(Role.REFINE):
                yield Choice(operator, (node.id,))
        yield from self._debug_choices()


class PolishOperator(ImproveOperator):
    """``polish``: a refine operator (the built-in improve under another name)."""

    name = "polish"
    role = Role.REFINE

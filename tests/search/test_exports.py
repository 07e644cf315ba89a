"""graftml.search exports every searcher, and make_searcher builds each by name."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import graftml.search
from graftml.errors import ConfigError
from graftml.search import make_searcher
from graftml.searcher import Searcher


def public_searchers() -> set[str]:
    """Searcher classes defined in the public (non-underscore) modules of graftml.search."""
    names = set()
    for info in pkgutil.iter_modules(graftml.search.__path__, "graftml.search."):
        if info.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        names |= {name for name, value in vars(module).items()
                  if inspect.isclass(value) and issubclass(value, Searcher)
                  and value.__module__ == info.name}
    return names


def test_all_is_sorted() -> None:
    assert graftml.search.__all__ == sorted(graftml.search.__all__)


def test_all_lists_every_public_searcher_and_what_a_new_one_builds_on() -> None:
    base = {"make_searcher", "TreeSearcher", "Choice", "TreeNode"}
    assert set(graftml.search.__all__) == public_searchers() | base


def test_every_public_searcher_is_registered_with_its_settings() -> None:
    from graftml.config import SearcherSettings
    from graftml.plugins import SEARCHERS

    for name in public_searchers():
        cls = getattr(graftml.search, name)
        assert SEARCHERS.get(cls.kind) is cls
        assert issubclass(cls.Settings, SearcherSettings)
        assert cls.Settings().kind == cls.kind


def test_make_searcher_builds_each_kind(searcher_kind: str) -> None:
    searcher = make_searcher(searcher_kind, num_drafts=2, seed=1)
    assert searcher.kind == searcher_kind


def test_unknown_kind_names_the_valid_kinds() -> None:
    with pytest.raises(ConfigError, match="valid: greedy, mcts, merge"):
        make_searcher("random", num_drafts=2)


def test_unknown_keyword_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="merge_every"):
        make_searcher("mcts", num_drafts=2, merge_every=3)

"""Every graftml searcher passes the shipped searcher contract suite."""

from __future__ import annotations

import functools

import pytest

from graftml.search import make_searcher as build_searcher
from graftml.testing.searchers import SearcherContract, SearcherFactory, searcher_factory


class TestSearcherContract(SearcherContract):
    @pytest.fixture
    def make_searcher(self, searcher_kind: str) -> SearcherFactory:
        return searcher_factory(functools.partial(build_searcher, searcher_kind))

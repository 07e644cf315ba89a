"""The plugin registries: entry points found on the path, broken plugins, names, conflicts."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest

from graftml.errors import ConfigError
from graftml.plugins import SEARCHERS, Registry
from graftml.search import GreedySearcher


def install(root: Path, name: str, entry_points: str, module: str = "") -> None:
    """A distribution as pip leaves it: a module and a ``.dist-info`` with entry points."""
    info = root / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    if module:
        (root / f"{name}.py").write_text(textwrap.dedent(module))


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_a_plugin_on_the_path_is_found_with_its_source(site: Path) -> None:
    install(site, "annealing", "[graftml.searchers]\nanneal = annealing:Anneal\n",
            "class Anneal:\n    kind = 'anneal'\n")
    registry = Registry("searchers", "searcher")
    assert "anneal" in registry.names() and "anneal" in registry.kinds()
    assert registry.get("anneal").kind == "anneal"
    assert registry.source("anneal") == "annealing:Anneal (annealing)"
    assert {"greedy", "mcts", "merge"} <= set(registry.kinds())


def test_a_broken_plugin_says_why_and_spares_the_others(site: Path) -> None:
    install(site, "broken", "[graftml.searchers]\nbad = broken_missing:Nope\n")
    registry = Registry("searchers", "searcher")
    assert "bad" not in registry.kinds() and "greedy" in registry.kinds()
    with pytest.raises(ConfigError, match=r"searcher 'bad' could not be loaded: "
                                          r"broken_missing:Nope \(broken\): ModuleNotFound"):
        registry.get("bad")


def test_a_third_party_cannot_shadow_a_built_in_kind(site: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    install(site, "shadow", "[graftml.searchers]\ngreedy = shadow:Other\n",
            "class Other:\n    pass\n")
    with caplog.at_level(logging.WARNING, logger="graftml.plugins"):
        assert Registry("searchers", "searcher").get("greedy") is GreedySearcher
    assert "shadow:Other (shadow) ignored" in caplog.text


def test_an_unknown_kind_lists_the_valid_ones_and_the_group() -> None:
    with pytest.raises(ConfigError, match=r"unknown searcher 'x'; valid: greedy, mcts, merge.*"
                                          r"'graftml.searchers'"):
        SEARCHERS.get("x")


def test_registering_from_code_refuses_a_taken_name() -> None:
    class Mine:
        pass

    SEARCHERS.register("mine", Mine)
    try:
        SEARCHERS.register("mine", Mine)  # the same object again: fine
        assert SEARCHERS.get("mine") is Mine and SEARCHERS.source("mine") == "code"
        with pytest.raises(ConfigError, match="'greedy' is already registered by"):
            SEARCHERS.register("greedy", Mine)
    finally:
        SEARCHERS.unregister("mine")
    assert "mine" not in SEARCHERS.kinds()


def test_an_unknown_family_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown plugin family"):
        Registry("samplers", "sampler")


def test_an_operator_takes_the_role_of_its_name_unless_it_declares_one() -> None:
    from graftml.agents.builtin import DraftOperator
    from graftml.operators import Operator, Role, role_of

    class Wrapper(Operator):
        def build(self, proposal, ctx):  # type: ignore[no-untyped-def]
            raise NotImplementedError

    assert role_of("draft", Wrapper()) == Role.DRAFT  # a wrapper named "draft" drafts
    assert role_of("anything", DraftOperator()) == Role.DRAFT
    with pytest.raises(ConfigError, match=r"operator 'polish' \(Wrapper\) has no role; set"):
        role_of("polish", Wrapper())

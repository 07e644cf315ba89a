"""Rendering: literals that read well and round-trip, marked lines filled exactly once."""

from __future__ import annotations

import ast

import pytest

from graftml.agents.builtin.render import fill, literal


@pytest.mark.parametrize("value", [
    {"a": [1, 2.5, None, True], "b": {"c": "d"}},
    ["def f():\n    return '''x'''\n", "ends in a quote\n'", "back\\slash\n", "é\n", ""],
    {"long": list(range(40))},
])
def test_literal_round_trips(value: object) -> None:
    assert ast.literal_eval(literal(value)) == value


def test_multiline_code_becomes_a_readable_block() -> None:
    assert literal(["x = 1\ny = 2\n"]).splitlines()[1] == "    r'''x = 1"


def test_fill_replaces_the_marked_line() -> None:
    source = 'A: int = 0  # graftml:a\nB = 1\n'
    assert fill(source, {"a": 5}) == "A: int = 5\nB = 1\n"


def test_fill_rejects_a_value_without_a_marked_line() -> None:
    with pytest.raises(KeyError, match="no marked literal"):
        fill("A: int = 0  # graftml:a\n", {"a": 1, "b": 2})

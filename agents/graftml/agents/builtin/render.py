"""Spec -> code: fill a template module's marked literals so each candidate stands alone.

A template is a real module of this package (linted and type-checked like the rest); lines
ending in ``# graftml:<name>`` hold a literal that rendering replaces with the candidate's value.
"""

from __future__ import annotations

import ast
import json
import re
from importlib import resources
from typing import Any

from graftml.agents.builtin.space import normalize
from graftml.candidate import Candidate

_MARKED = re.compile(r"^(?P<head>[A-Z_]+: [^=]+) = .*  # graftml:(?P<name>\w+)$", re.MULTILINE)


def template_source(module: str) -> str:
    """The source text of a template module of this package (e.g. ``"pipeline_template"``)."""
    return resources.files("graftml.agents.builtin").joinpath(f"{module}.py").read_text()


def literal(value: Any, indent: int = 0) -> str:
    """Python source for a JSON-like ``value``, laid out for reading.

    Containers that fit stay on one line, others get one item per line; multi-line strings
    (member modules) become raw triple-quoted blocks when that round-trips exactly.
    """
    if isinstance(value, str):
        return _string_literal(value)
    if not isinstance(value, dict | list | tuple):
        return repr(value)
    items = ([f"{literal(k)}: {literal(v, indent + 4)}" for k, v in value.items()]
             if isinstance(value, dict) else [literal(v, indent + 4) for v in value])
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    flat = f"{opening}{', '.join(items)}{closing}"
    if len(flat) + indent <= 80 and "\n" not in flat:
        return flat
    pad = " " * (indent + 4)
    return f"{opening}\n" + "".join(f"{pad}{item},\n" for item in items) + " " * indent + closing


def _string_literal(text: str) -> str:
    if "\n" in text:
        block = f"r'''{text}'''"
        try:
            if ast.literal_eval(block) == text:
                return block
        except SyntaxError:
            pass
    return json.dumps(text) if text.isascii() else repr(text)


def fill(source: str, values: dict[str, Any]) -> str:
    """Replace every marked literal with ``values[name]``; all names must be used.

    Raises:
        KeyError: a marked name has no value, or a value has no marked line.
    """
    used: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        used.add(name)
        return f"{match.group('head')} = {literal(values[name])}"

    out = _MARKED.sub(replace, source)
    if used != set(values):
        raise KeyError(f"template has no marked literal for {sorted(set(values) - used)}")
    return out


def render_pipeline(spec: dict[str, Any]) -> str:
    """The standalone module of a built-in pipeline."""
    return fill(template_source("pipeline_template"), {"spec": normalize(spec)})


def describe(spec: dict[str, Any]) -> str:
    """A short leaderboard label: the kind and its main parameters."""
    shown = ", ".join(f"{k}={v}" for k, v in list(spec.get("params", {}).items())[:4])
    return f"{spec['model']}({shown})"


def pipeline_candidate(spec: dict[str, Any], description: str,
                       params: dict[str, Any] | None = None) -> Candidate:
    """A job candidate for ``spec`` (normalized first)."""
    spec = normalize(spec)
    return Candidate(code=render_pipeline(spec), description=description, spec=spec,
                     params=dict(params or {}))

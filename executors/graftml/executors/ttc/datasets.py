"""Evaluation sets with checkable answers, generated deterministically (no download).

* ``arithmetic``: one-operation sums, differences and small products; integer answers.
* ``word_problems``: one- and two-step story problems; integer answers.
* ``multiple_choice``: four-option items (arithmetic, the largest number, the next term of a
  sequence, the odd word out); the answer is a letter.

Each set is a pool drawn from a fixed seed and split once into ``dev`` (few-shot examples,
tuning) and ``heldout`` (reported numbers); the two never share a question.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from graftml.executors.ttc.multiple_choice import multiple_choice_item
from graftml.executors.ttc.word_problems import word_problem
from graftml.ttc.types import TTCError

__all__ = ["DATASETS", "SPLITS", "Dataset", "Item", "load_dataset"]

Split = Literal["dev", "heldout"]
SPLITS: tuple[Split, ...] = ("dev", "heldout")
_POOL_SEED = 20250101
_DEV_SIZE, _HELDOUT_SIZE = 100, 200


@dataclass(frozen=True)
class Item:
    """One question with its reference ``answer`` and a one-line worked ``solution``."""

    id: str
    question: str
    answer: str
    solution: str


@dataclass(frozen=True)
class Dataset:
    """A split of one evaluation set; ``answer_format`` tells the extractor what to look for."""

    name: str  # a built-in set's name, or the path of an eval file
    split: Split | Literal["file"]  # "file": a whole file (its own items are never examples)
    answer_format: Literal["integer", "choice", "text"]
    items: tuple[Item, ...]


def arithmetic_item(rng: random.Random) -> tuple[str, str, str]:
    """(question, answer, solution) of one arithmetic item."""
    op = rng.choice("+-*")
    if op == "*":
        a, b = rng.randint(2, 12), rng.randint(2, 9)
        value = a * b
    else:
        a, b = rng.randint(11, 89), rng.randint(2, 49)
        a, b = (max(a, b), min(a, b)) if op == "-" else (a, b)
        value = a + b if op == "+" else a - b
    symbol = {"+": "+", "-": "-", "*": "×"}[op]
    return f"What is {a} {symbol} {b}?", str(value), f"{a} {symbol} {b} = {value}."


_GENERATORS: dict[str, tuple[Literal["integer", "choice"],
                             Callable[[random.Random], tuple[str, str, str]]]] = {
    "arithmetic": ("integer", arithmetic_item),
    "word_problems": ("integer", word_problem),
    "multiple_choice": ("choice", multiple_choice_item),
}
DATASETS = tuple(sorted(_GENERATORS))


def load_dataset(name: str, split: Split = "heldout", limit: int | None = None) -> Dataset:
    """The ``split`` of evaluation set ``name`` (its first ``limit`` items when given); a
    ``name`` ending in ``.jsonl`` is a file, read whole (:mod:`graftml.executors.ttc.eval_files`).

    Raises:
        TTCError: unknown name or split, or a ``limit`` below 1.
    """
    from graftml.executors.ttc.eval_files import is_eval_file, load_eval_file

    if is_eval_file(name):
        return load_eval_file(Path(name), limit)
    if name not in _GENERATORS:
        raise TTCError(f"unknown dataset {name!r}; valid: {', '.join(DATASETS)}, or a "
                       "JSON-lines file (name.jsonl)")
    if split not in SPLITS:
        raise TTCError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}")
    if limit is not None and limit < 1:
        raise TTCError(f"limit must be >= 1, got {limit}")
    answer_format, generate = _GENERATORS[name]
    pool = _pool(name, generate)
    items = pool[:_DEV_SIZE] if split == "dev" else pool[_DEV_SIZE:]
    return Dataset(name, split, answer_format, tuple(items[:limit]))


def _pool(name: str, generate: Callable[[random.Random], tuple[str, str, str]]) -> list[Item]:
    rng = random.Random(f"{name}:{_POOL_SEED}")
    seen: set[str] = set()
    items: list[Item] = []
    while len(items) < _DEV_SIZE + _HELDOUT_SIZE:
        question, answer, solution = generate(rng)
        if question in seen:
            continue
        seen.add(question)
        split = "dev" if len(items) < _DEV_SIZE else "heldout"
        items.append(Item(f"{name}/{split}/{len(items):03d}", question, answer, solution))
    return items

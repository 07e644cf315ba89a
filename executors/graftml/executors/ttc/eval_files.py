"""Evaluation items from a JSON-lines file: GSM8K's format, or ``prompt``/``answer``.

One object per line. GSM8K rows are ``{"question": ..., "answer": "<worked solution>\\n#### N"}``:
the reference is the number after ``####`` (thousands separators dropped) and the solution is
the text before it without GSM8K's ``<<48/2=24>>`` calculator notes. Other rows are
``{"prompt": ..., "answer": ...}`` (``question`` is accepted for ``prompt``). When every
reference is a number the set is scored as numbers (``answer_format`` ``integer``, which also
reads decimals), else as short text.

A file is evaluated whole and never shows its own items as few-shot examples, so keep a
development file and a held-out file apart (GSM8K: ``train.jsonl`` to develop prompts and
settings on, ``test.jsonl`` to report).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from graftml.executors.ttc.datasets import Dataset, Item
from graftml.executors.ttc.extract import is_number, normalize_answer
from graftml.ttc.types import TTCError

__all__ = ["is_eval_file", "load_eval_file"]

_CALCULATOR_NOTE = re.compile(r"<<[^<>]*>>")


def is_eval_file(name: str) -> bool:
    """True when ``name`` names a JSON-lines file rather than a built-in set."""
    return name.endswith((".jsonl", ".json")) or "/" in name


def load_eval_file(path: Path, limit: int | None = None) -> Dataset:
    """The items of ``path`` (its first ``limit`` when given), split ``file``.

    Raises:
        TTCError: a missing or empty file, a line that is not a JSON object, or a row without a
            question/prompt or an answer (the message names the file and line).
    """
    if limit is not None and limit < 1:
        raise TTCError(f"limit must be >= 1, got {limit}")
    if not path.is_file():
        raise TTCError(f"eval file {path} not found; give a .jsonl file with one "
                       '{"question": ..., "answer": ...} object per line')
    items: list[Item] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                items.append(_item(path, number, line))
            if limit is not None and len(items) >= limit:
                break
    if not items:
        raise TTCError(f"eval file {path} has no rows")
    numeric = all(is_number(item.answer) for item in items)
    return Dataset(str(path), "file", "integer" if numeric else "text", tuple(items))


def _item(path: Path, number: int, line: str) -> Item:
    where = f"{path}:{number}"
    try:
        row: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise TTCError(f"{where}: not JSON ({exc.msg}); the file needs one object per line"
                       ) from None
    if not isinstance(row, dict):
        raise TTCError(f"{where}: a row must be a JSON object, got {type(row).__name__}")
    question = row.get("question", row.get("prompt"))
    if not isinstance(question, str) or not question.strip():
        raise TTCError(f"{where}: the row has no `question` (or `prompt`); keys: "
                       f"{sorted(row)}")
    if "answer" not in row or not str(row["answer"]).strip():
        raise TTCError(f"{where}: the row has no `answer`; add the reference answer")
    answer, solution = _reference(str(row["answer"]))
    return Item(f"{path.stem}/{number:05d}", question.strip(), answer, solution)


def _reference(answer: str) -> tuple[str, str]:
    """(reference answer, worked solution) of an ``answer`` field."""
    worked, marker, final = answer.rpartition("####")
    if not marker:
        return normalize_answer(answer), ""
    solution = " ".join(_CALCULATOR_NOTE.sub("", worked).split())
    return normalize_answer(final), solution

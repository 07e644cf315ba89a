"""Final-answer extraction from free text: integers, choice letters, short text, code.

Each extractor prefers the most explicit marker and falls back to weaker ones: a LaTeX
``\\boxed{...}`` (nested braces kept), then GSM8K's ``#### X``, then "the answer is X" /
"Answer: X" (the last one), then the last number (or a lone/parenthesised letter, or the last
line). Extracted answers are normalised (``"1,200.0"`` → ``"1200"``) so that votes over equal
answers add up.
"""

from __future__ import annotations

import re

from graftml.ttc.types import AnswerFormat, TTCError

__all__ = ["extract_answer", "extract_choice", "extract_code", "extract_integer",
           "extract_text", "is_number", "normalize_answer"]

_BOXED_OPEN = "\\boxed{"
_HASHES = re.compile(r"####\s*(.+)")
_NUMBER_TEXT = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUMBER = re.compile(r"(?<![\w.])" + _NUMBER_TEXT)
_WHOLE_NUMBER = re.compile(_NUMBER_TEXT)
_ANSWER_IS = re.compile(r"answer\s*(?:is|:|=)\s*:?\s*(.+)", re.IGNORECASE)
_CHOICE_AFTER_ANSWER = re.compile(
    r"(?:answer|option|choice)\s*(?:is|:|=)?\s*:?\s*\(?([A-Z])\b(?![a-z'])\)?", re.IGNORECASE)
_PAREN_LETTER = re.compile(r"\(([A-Z])\)")
_LINE_LETTER = re.compile(r"^\s*([A-Z])\s*[).:]", re.MULTILINE)
_FENCE = re.compile(r"```[\w+-]*\n(.*?)(?:```|\Z)", re.DOTALL)


def normalize_answer(answer: str) -> str:
    """Canonical form for comparing and voting: numbers without separators or ``.0``,
    other text stripped of surrounding space/quotes/final period and case-folded."""
    text = answer.strip().strip("$*`\"'").strip()
    text = text.removesuffix(".").strip()
    if is_number(text):
        value = float(text.replace(",", ""))
        return str(int(value)) if value.is_integer() else repr(value)
    return " ".join(text.split()).casefold()


def is_number(text: str) -> bool:
    """True when ``text`` is one number (sign, thousands separators and decimals allowed)."""
    return _WHOLE_NUMBER.fullmatch(text) is not None


def extract_integer(text: str) -> str | None:
    """The final number: the first one in the last boxed or "answer is" span, else the last
    number of the text."""
    for marked in (_last_boxed(text), _after_last_hashes(text), _after_last_answer_is(text)):
        if marked is not None and (numbers := _NUMBER.findall(marked)):
            return normalize_answer(numbers[0])
    numbers = _NUMBER.findall(text)
    return normalize_answer(numbers[-1]) if numbers else None


def extract_choice(text: str, letters: str = "ABCD") -> str | None:
    """The chosen option letter (upper case) among ``letters``, or None."""
    boxed = _last_boxed(text)
    if boxed is not None and boxed.strip(" ()").upper() in letters:
        return boxed.strip(" ()").upper()
    for pattern, flags_upper in ((_CHOICE_AFTER_ANSWER, True), (_PAREN_LETTER, False),
                                 (_LINE_LETTER, False)):
        found: list[str] = [m.upper() if flags_upper else m for m in pattern.findall(text)]
        found = [m for m in found if m in letters]
        if found:
            return found[-1]
    lone = text.strip().strip(".)(*").strip()
    return lone if len(lone) == 1 and lone in letters else None


def extract_text(text: str) -> str | None:
    """A short free-text answer: after the last "answer is" (to the end of its line), else the
    boxed content, else the last non-empty line."""
    boxed = _last_boxed(text)
    if boxed is not None:
        return normalize_answer(boxed)
    after = _after_last_answer_is(text)
    if after is not None:
        return normalize_answer(after.splitlines()[0]) or None
    lines = [line for line in text.splitlines() if line.strip()]
    return normalize_answer(lines[-1]) if lines else None


def extract_code(text: str) -> str | None:
    """The last fenced code block (an unclosed fence runs to the end), else the whole text."""
    blocks = _FENCE.findall(text)
    code = blocks[-1] if blocks else text
    return code if code.strip() else None


def extract_answer(text: str, answer_format: AnswerFormat = "auto") -> str | None:
    """The final answer of ``text`` in ``answer_format``.

    ``auto`` takes a boxed or "answer is" answer as text (a number when it is one), else the last
    number, else the last line. Returns None when nothing answer-like is found.

    Raises:
        TTCError: unknown ``answer_format``.
    """
    if answer_format == "integer":
        return extract_integer(text)
    if answer_format == "choice":
        return extract_choice(text)
    if answer_format == "text":
        return extract_text(text)
    if answer_format == "code":
        return extract_code(text)
    if answer_format == "auto":
        return _extract_auto(text)
    raise TTCError(f"unknown answer_format {answer_format!r}; valid: auto, integer, choice, "
                   "text, code")


def _extract_auto(text: str) -> str | None:
    marked = _last_boxed(text) or _after_last_hashes(text) or _after_last_answer_is(text)
    first_line = marked.strip().splitlines()[0] if marked and marked.strip() else ""
    if first_line:
        leading = _NUMBER.match(first_line.lstrip("$ "))
        return normalize_answer(leading.group(0) if leading else first_line)
    return extract_integer(text) or extract_text(text)


def _last_boxed(text: str) -> str | None:
    """The content of the last ``\\boxed{...}`` (nested braces kept; an answer cut off inside
    the box gives what was written)."""
    start = text.rfind(_BOXED_OPEN)
    if start < 0:
        return None
    depth, begin = 0, start + len(_BOXED_OPEN)
    for position in range(begin, len(text)):
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        if depth < 0:
            return text[begin:position]
    return text[begin:]


def _after_last_hashes(text: str) -> str | None:
    """The text after GSM8K's final-answer mark ``####``, when the model copied the format."""
    found = _HASHES.findall(text)
    return found[-1] if found else None


def _after_last_answer_is(text: str) -> str | None:
    """The text after the last "answer is"/"answer:" marker (markers may be chained)."""
    start, found = 0, None
    while (match := _ANSWER_IS.search(text, start)) is not None:
        found, start = match.group(1), match.start(1)
    return found

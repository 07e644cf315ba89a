"""Final-answer extraction: markers, fallbacks and normalisation."""

from __future__ import annotations

import pytest

from graftml.executors.ttc import TTCError, extract_answer, normalize_answer
from graftml.executors.ttc.extract import (
    extract_choice,
    extract_code,
    extract_integer,
    extract_text,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("64 + 22 = 86. The answer is 86.", "86"),
    ("The answer is 12, not 13.", "12"),
    ("First 3, then 4, so 7", "7"),
    ("\\boxed{42} and later 17", "42"),
    ("answer: -5", "-5"),
    ("Answer = 1,200 apples", "1200"),
    ("The answer is $3.00.", "3"),
    ("The answer is 2.5", "2.5"),
    ("10-3 leaves 7", "7"),
    ("the value 10-3", "3"),
    ("The answer is 5. Wait, the answer is 6.", "6"),
    ("Answer: The answer is 9", "9"),
    ("x5 y7", None),
    ("no digits here", None),
    ("", None),
    # the forms GSM8K answers take from instruction-tuned models
    ("She makes 9 * 2 = $18.\n\\[\n\\boxed{18}\n\\]", "18"),
    ("So the total is \\boxed{\\$1,080}.", "1080"),
    ("\\boxed{18 \\text{ dollars}} per day", "18"),
    ("\\boxed{\\text{18}}", "18"),
    ("The profit is \\(\\boxed{70000}\\).", "70000"),
    ("Total: 3 * 2 = 6\n#### 6", "6"),
    ("#### 1,250\nThat is all.", "1250"),
    ("The answer is 12.50 dollars.", "12.5"),
    ("It takes 3 bolts, so \\boxed{3} bolts. Check: 2 + 1 = 3 \\boxed{", "3"),
])
def test_extract_integer(text: str, expected: str | None) -> None:
    assert extract_integer(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("The answer is B.", "B"),
    ("the answer is (c)", "C"),
    ("Answer: D", "D"),
    ("I pick option A", "A"),
    ("\\boxed{(B)}", "B"),
    ("It must be (C) because...", "C"),
    ("B) 42\nbecause it is largest", "B"),
    ("A", "A"),
    (" c. ", None),
    ("A cat is an animal", None),
    ("The answer is E.", None),
    ("nothing", None),
])
def test_extract_choice(text: str, expected: str | None) -> None:
    assert extract_choice(text) == expected


def test_extract_choice_takes_the_last_stated_answer() -> None:
    assert extract_choice("The answer is A. No wait, the answer is C.") == "C"


@pytest.mark.parametrize(("text", "expected"), [
    ("The capital is big. The answer is Paris.", "paris"),
    ("Thinking...\nLyon", "lyon"),
    ("\\boxed{Blue Whale}", "blue whale"),
    ("   \n", None),
])
def test_extract_text(text: str, expected: str | None) -> None:
    assert extract_text(text) == expected


def test_extract_code_takes_the_last_fenced_block() -> None:
    text = "First:\n```python\nx = 1\n```\nBetter:\n```python\ndef f():\n    return 2\n```\n"
    assert extract_code(text) == "def f():\n    return 2\n"


def test_extract_code_runs_an_unclosed_fence_to_the_end_and_falls_back_to_the_text() -> None:
    assert extract_code("```py\nprint(1)\n") == "print(1)\n"
    assert extract_code("print(2)") == "print(2)"
    assert extract_code("  ") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("The answer is 86.", "86"),
    ("The answer is 12 apples", "12"),
    ("The answer is Paris.", "paris"),
    ("so it is 7", "7"),
    ("Paris", "paris"),
])
def test_auto_format_prefers_marked_answers_then_numbers(text: str, expected: str) -> None:
    assert extract_answer(text) == expected


def test_each_format_dispatches_and_an_unknown_one_is_an_error() -> None:
    assert extract_answer("The answer is B", "choice") == "B"
    assert extract_answer("The answer is 3", "integer") == "3"
    with pytest.raises(TTCError, match="unknown answer_format 'roman'; valid: auto"):
        extract_answer("x", "roman")  # type: ignore[arg-type]


@pytest.mark.parametrize(("raw", "expected"), [
    ("1,200", "1200"), ("12.0", "12"), ("-0", "0"), (" 7. ", "7"), ("$5", "5"),
    ("  Hello   World. ", "hello world"), ("'B'", "b"), ("2.50", "2.5"),
])
def test_normalize_answer(raw: str, expected: str) -> None:
    assert normalize_answer(raw) == expected

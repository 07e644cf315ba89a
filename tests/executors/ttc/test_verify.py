"""Verification by execution: code answers run with tests in the real sandbox."""

from __future__ import annotations

from pathlib import Path

from graftml.executors.ttc import ExecutionVerifier, TTCRequest, best_of_n
from graftml.llm import ScriptedBackend

from .conftest import toy_spec

ANSWERS = [
    "```python\ndef add(a, b):\n    return a - b\n```",
    "Here you go:\n```python\ndef add(a, b):\n    return a + b\n```",
    "```python\nimport sys\nsys.exit(3)\n```",
    "```python\nwhile True:\n    pass\n```",
]


def test_the_candidate_whose_code_passes_the_tests_wins(tmp_path: Path) -> None:
    verifier = ExecutionVerifier("assert add(2, 3) == 5\nassert add(-1, 1) == 0",
                                 timeout_s=2.0, workdir=tmp_path)
    result = best_of_n(TTCRequest(prompt="Write add(a, b).", n=4, answer_format="code",
                                  scorer=verifier, model=toy_spec()), ScriptedBackend(ANSWERS))
    assert [c.score for c in result.candidates] == [0.0, 1.0, 0.0, 0.0]
    assert result.chosen == 1 and "return a + b" in (result.answer or "")
    assert list(tmp_path.iterdir()) == []  # the runs' folders are removed

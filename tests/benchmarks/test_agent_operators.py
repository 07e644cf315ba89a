"""The LLM-operator benchmark's scenario and counting, with scripted answers (no model)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.agent_operators import measure, scenario, table
from graftml.llm import ScriptedBackend


def test_a_scripted_merge_and_a_failing_draft_are_counted(tmp_path: Path) -> None:
    sc = scenario(0, tmp_path)
    merges = ScriptedBackend(['{"members": ["n0", "n2"], "method": "caruana"}'] * 2,
                             model="smollm2")
    merge = measure("smollm2", "structured", "merge", 2, sc, {"smollm2": merges})
    draft = measure("smollm2", "structured", "draft", 1, sc,
                    {"smollm2": ScriptedBackend(["no", "json"], model="smollm2")})
    assert (merge.successes, merge.llm_built, merge.attempts) == (2, 2, 2)
    assert merge.tokens > 0 and all(s > 0.9 for s in merge.scores)
    assert (draft.successes, draft.llm_built) == (0, 0)
    assert draft.failures[0].startswith("[llm failed: no valid answer in 2 attempts")
    assert table([merge, draft]).row_count == 2

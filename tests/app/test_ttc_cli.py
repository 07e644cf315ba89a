"""``graft ttc`` through the real entry point, on the real SmolLM2 (a few tokens)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graftml.app.cli import main


def test_answer_mode_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ttc", "--model", "smollm2", "--strategy", "self_consistency", "--n", "2",
                 "--prompt", "What is 2 + 2?", "--max-tokens", "5", "--json"])
    out = capsys.readouterr().out.strip()
    payload = json.loads(out)
    assert code == 0 and "\n" not in out
    assert (payload["strategy"], payload["model"]) == ("self_consistency", "smollm2")
    assert len(payload["candidates"]) == 2 and payload["calls"] == 2
    assert payload["usage"]["total"] == payload["cost"]["total_tokens"] > 0
    assert payload["cost"]["flops"] > 0 and "votes" in payload and "answer" in payload


def test_a_cascade_escalates_to_a_second_loaded_model(
        capsys: pytest.CaptureFixture[str]) -> None:
    """With agreement 1.0 two samples must agree, else the second model answers."""
    code = main(["ttc", "--model", "smollm2", "--strategy", "cascade", "--n", "2",
                 "--strong-model", "smollm2", "--strong-n", "1", "--agreement", "1.0",
                 "--prompt", "Name a colour.", "--max-tokens", "5", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0 and payload["strategy"] == "cascade"
    escalated = payload["extra"]["escalated"]
    assert len(payload["candidates"]) == (3 if escalated else 2)
    assert payload["calls"] == len(payload["candidates"])


@pytest.mark.parametrize(("argv", "message"), [
    (["--n", "0", "--strategy", "self_consistency"], "n must be >= 1, got 0"),
    (["--n", "4", "--strategy", "self_consistency", "--temperature", "0"],
     "identical samples"),
    (["--strategy", "tree"], "unknown strategy 'tree'"),
    (["--model", "gemma3-270m", "--speculative", "eagle"], "not 'eagle'"),
    (["--model", "nope"], "unknown model 'nope'"),
    (["--strategy", "cascade", "--agreement", "1.5"], "agreement in (0, 1]"),
])
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                          argv: list[str], message: str) -> None:
    code = main(["ttc", "--prompt", "What is 2 + 2?", "--max-tokens", "4", *argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("graft: error: ") and "\n" not in err
    assert message in err


def test_eval_writes_a_table_runs_and_a_plot(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ttc", "eval", "arithmetic", "--models", "smollm2",
                 "--strategies", "single,self_consistency", "--n", "1,2", "--seeds", "1",
                 "--limit", "2", "--max-tokens", "6", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "self_consistency" in out and "tokens/item" in out
    rows = [json.loads(line) for line in (tmp_path / "runs.jsonl").read_text().splitlines()]
    assert {(r["strategy"], r["n"]) for r in rows} == {
        ("single", 1), ("self_consistency", 1), ("self_consistency", 2)}
    assert all(r["items"] == 2 for r in rows)
    assert (tmp_path / "accuracy_vs_cost.png").read_bytes()[:4] == b"\x89PNG"


def test_eval_without_a_dataset_says_how(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ttc", "eval"]) == 2
    assert "give one dataset: `graft ttc eval arithmetic|word_problems|" in capsys.readouterr().err

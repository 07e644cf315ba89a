"""``graft ttc bank build`` then ``graft ttc eval --bank``: replaying SmolLM2's samples from the
file gives what a live eval of the same problems and seeds gives (real llama.cpp)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graftml.app.cli import main

GSM8K_HEAD = Path(__file__).parents[1] / "executors" / "ttc" / "data" / "gsm8k_test_head5.jsonl"
COMMON = ["--data", str(GSM8K_HEAD), "--limit", "2", "--models", "smollm2", "--seeds", "1",
          "--max-tokens", "24"]


def runs(folder: Path) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in (folder / "runs.jsonl").read_text().splitlines()]
    for row in rows:
        row["cost"] = {k: v for k, v in row["cost"].items() if k != "latency_s"}  # type: ignore[union-attr]
    return rows


def test_a_bank_replays_what_a_live_eval_draws(tmp_path: Path) -> None:
    bank = tmp_path / "bank.jsonl"
    assert main(["ttc", "bank", "build", *COMMON, "--n", "2", "--out", str(bank)]) == 0
    sweep = ["ttc", "eval", *COMMON, "--strategies",
             "single,self_consistency,early_stopping_self_consistency,adaptive_consistency",
             "--n", "1,2"]
    assert main([*sweep, "--bank", str(bank), "--out", str(tmp_path / "replayed")]) == 0
    assert main([*sweep, "--out", str(tmp_path / "live")]) == 0
    assert runs(tmp_path / "replayed") == runs(tmp_path / "live")


def test_eval_beyond_the_banks_samples_names_the_fix(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    bank = tmp_path / "bank.jsonl"
    assert main(["ttc", "bank", "build", *COMMON, "--n", "1", "--out", str(bank)]) == 0
    assert main(["ttc", "eval", *COMMON, "--strategies", "self_consistency", "--n", "4",
                 "--bank", str(bank), "--out", str(tmp_path / "o")]) != 0
    assert "build it with `graft ttc bank build`" in capsys.readouterr().err

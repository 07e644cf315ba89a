"""The sweep's bookkeeping with ScriptedBackend: accuracy per run, costs per item, outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graftml.executors.ttc import TTCError
from graftml.executors.ttc.datasets import load_dataset
from graftml.executors.ttc.evaluate import EvalConfig, evaluate
from graftml.executors.ttc.report import format_table, summarize, write_outputs
from graftml.llm import GenerationRequest, ScriptedBackend
from graftml.ttc import AdaptiveOptions

from .conftest import toy_spec

ITEMS = load_dataset("arithmetic", "heldout", limit=2).items


def oracle_for_first_item(request: GenerationRequest, index: int) -> str:
    """Right on the first held-out item, wrong on the second."""
    content = (request.messages or ({"content": ""},))[-1]["content"]
    right = content == ITEMS[0].question
    return f"The answer is {ITEMS[0].answer if right else -1}."


def test_accuracy_and_per_item_costs_are_summed_per_run(tmp_path: Path) -> None:
    spec = toy_spec()
    config = EvalConfig(dataset="arithmetic", models=("toy",), strategies=(
        "single", "self_consistency"), ns=(1, 2), seeds=2, limit=2)
    rows = evaluate(config, {"toy": ScriptedBackend(oracle_for_first_item)}, {"toy": spec})
    assert {(r.strategy, r.n, r.seed) for r in rows} == {
        (s, n, seed) for s, n in (("single", 1), ("self_consistency", 1),
                                  ("self_consistency", 2)) for seed in (0, 1)}
    assert all((r.items, r.correct, r.accuracy) == (2, 1, 0.5) for r in rows)
    assert all(r.answers == (ITEMS[0].answer, "-1") for r in rows)
    summaries = summarize(rows)
    by_key = {(s.strategy, s.n): s for s in summaries}
    assert by_key[("self_consistency", 2)].completion_tokens == 2 * by_key[
        ("single", 1)].completion_tokens
    assert by_key[("single", 1)].accuracy_std == 0.0
    assert "self_consistency" in format_table(summaries)
    write_outputs(rows, tmp_path)
    assert len((tmp_path / "runs.jsonl").read_text().splitlines()) == 6
    assert len(json.loads((tmp_path / "summary.json").read_text())) == 3
    assert (tmp_path / "accuracy_vs_cost.png").stat().st_size > 0


def test_bad_sweeps_are_refused_before_any_work() -> None:
    backend = ScriptedBackend([])
    for config, message in [
        (EvalConfig(dataset="arithmetic", models=("toy",), ns=(0,)), "every n and seeds"),
        (EvalConfig(dataset="arithmetic", models=("toy",), strategies=("mcts",)),
         "unknown strategy"),
        (EvalConfig(dataset="trivia", models=("toy",)), "unknown dataset"),
        (EvalConfig(dataset="arithmetic", models=("other",)), "no backend for model 'other'"),
    ]:
        with pytest.raises(TTCError, match=message):
            evaluate(config, {"toy": backend}, {"toy": toy_spec()})
    assert backend.requests == []


def test_each_problem_ticks_the_progress_up_to_the_total() -> None:
    ticks: list[tuple[int, int]] = []
    config = EvalConfig(dataset="arithmetic", models=("toy",), strategies=("single",),
                        ns=(1,), seeds=2, limit=3)
    evaluate(config, {"toy": ScriptedBackend(oracle_for_first_item)}, {"toy": toy_spec()},
             on_item=lambda done, total: ticks.append((done, total)))
    assert ticks == [(done, 6) for done in range(1, 7)]


def test_request_fields_set_a_strategys_options_and_seed_stride_the_draws() -> None:
    """ESC stops at its first unanimous window: two samples by default, four when the request
    fields say so; the second seed's samples start at ``seed_stride``."""
    seeds: list[int] = []

    def same_answer(request: GenerationRequest, index: int) -> str:
        seeds.append(request.seed or 0)
        return "The answer is 7."

    def run(**changes: Any) -> list[int]:
        seeds.clear()
        config = EvalConfig(dataset="arithmetic", models=("toy",), strategies=(
            "early_stopping_self_consistency",), ns=(4,), seeds=2, limit=1, **changes)
        evaluate(config, {"toy": ScriptedBackend(same_answer)}, {"toy": toy_spec()})
        return sorted(set(seeds))

    assert run() == [0, 1, 1000, 1001]
    assert run(request_fields={"adaptive": AdaptiveOptions(window=4)}) == [
        0, 1, 2, 3, 1000, 1001, 1002, 1003]
    assert run(seed_stride=4) == [0, 1, 4, 5]

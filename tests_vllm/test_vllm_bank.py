"""A bank drawn ahead on a real vLLM engine (SmolLM2-135M, CPU): many problems per call, the
samples seeded as separate calls would be, and the replay of a strategy equal to a live run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from graftml.executors.ttc.bank_fill import fill_bank
from graftml.executors.ttc.bank_store import BankHeader, BankStore
from graftml.executors.ttc.evaluate import EvalConfig, evaluate
from graftml.executors.ttc.sample_bank import SampleBank
from graftml.files import file_sha256
from graftml.llm.registry import get_model
from graftml.llm.types import GenerationRequest
from graftml.llm.vllm_engine import VLLMEngineBackend

pytestmark = pytest.mark.timeout(600)

GSM8K_HEAD = Path(__file__).parents[1] / "tests" / "executors" / "ttc" / "data" / (
    "gsm8k_test_head5.jsonl")
MODEL = "smollm2-vllm"
CONFIG = EvalConfig(dataset=str(GSM8K_HEAD), models=(MODEL,),
                    strategies=("single", "self_consistency"), ns=(1, 3), seeds=1,
                    limit=3, max_tokens=24)


@pytest.fixture(scope="module")
def engine(smollm2_checkpoint: Path) -> Iterator[VLLMEngineBackend]:
    backend = VLLMEngineBackend(get_model(MODEL))
    yield backend
    backend.close()


def test_generate_many_returns_what_each_request_returns_alone(
        engine: VLLMEngineBackend) -> None:
    requests = [GenerationRequest(messages=({"role": "user", "content": question},), n=n,
                                  temperature=0.0 if n == 1 else 0.8, seed=5, max_tokens=12)
                for question, n in (("What is 2 + 2?", 1), ("Name a colour.", 3))]
    many = engine.generate_many(requests)
    alone = [engine.generate(r) for r in requests]
    assert [r.texts for r in many] == [r.texts for r in alone]
    assert [r.usage for r in many] == [r.usage for r in alone]
    assert sum(r.latency_s for r in many) > 0


def test_a_bank_drawn_ahead_replays_the_live_sweep(engine: VLLMEngineBackend,
                                                   tmp_path: Path) -> None:
    spec = get_model(MODEL)
    header = BankHeader(GSM8K_HEAD.name, file_sha256(GSM8K_HEAD), (MODEL,), 24, 0.7)
    store = BankStore(tmp_path / "bank.jsonl", header)
    assert fill_bank(CONFIG, SampleBank(engine, store, MODEL, spec), spec) == 3 * (1 + 3)
    store.close()
    replayed = evaluate(CONFIG, {}, {MODEL: spec},
                        stores={MODEL: BankStore(tmp_path / "bank.jsonl", header)})
    live = evaluate(CONFIG, {MODEL: engine}, {MODEL: spec})
    assert [(r.strategy, r.n, r.answers, r.cost.prompt_tokens, r.cost.completion_tokens,
             r.cost.calls) for r in replayed] == [
        (r.strategy, r.n, r.answers, r.cost.prompt_tokens, r.cost.completion_tokens,
         r.cost.calls) for r in live]


def test_the_samples_of_one_batched_call_are_those_of_seeded_single_calls(
        engine: VLLMEngineBackend) -> None:
    """vLLM seeds sample ``i`` of an ``n``-sample request ``seed + i``: what the bank keys on."""
    request = GenerationRequest(messages=({"role": "user", "content": "Name a fruit."},),
                                n=3, temperature=0.9, seed=11, max_tokens=10)
    batched = engine.generate(request).texts
    singles = [engine.generate(replace(request, n=1, seed=11 + i)).texts[0] for i in range(3)]
    assert batched == singles

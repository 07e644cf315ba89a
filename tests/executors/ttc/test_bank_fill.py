"""Drawing a bank ahead: a batched model's samples come in few calls, and replay equals live."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from graftml.executors.ttc.bank_fill import fill_bank
from graftml.executors.ttc.bank_store import BankHeader, BankStore
from graftml.executors.ttc.evaluate import EvalConfig, EvalRow, evaluate
from graftml.executors.ttc.sample_bank import SampleBank
from graftml.files import file_sha256
from graftml.llm.registry import Capabilities
from graftml.llm.types import GenerationRequest, GenerationResult, Usage
from graftml.testing.strategies import SeededBackend

GSM8K_HEAD = Path(__file__).parent / "data" / "gsm8k_test_head5.jsonl"
CONFIG = EvalConfig(dataset=str(GSM8K_HEAD), models=("seeded",),
                    strategies=("single", "self_consistency"), ns=(1, 4), seeds=2,
                    max_tokens=16)


class BatchedBackend(SeededBackend):
    """The seeded fake as vLLM draws: ``n`` samples in one call (prompt charged once), sample
    ``i`` seeded ``seed + i``, and many requests per ``generate_many`` call (recorded)."""

    def __init__(self) -> None:
        super().__init__()
        self.spec = self.spec.model_copy(update={"capabilities": Capabilities(
            logprobs=True, batched_n=True)})
        self.batches: list[list[tuple[int, int | None]]] = []

    def generate(self, request: GenerationRequest) -> GenerationResult:
        result = super().generate(request)
        prompt = result.usage.prompt_tokens // request.n
        return replace(result, usage=Usage(prompt, result.usage.completion_tokens), calls=1,
                       latency_s=0.01 * result.usage.completion_tokens)

    def generate_many(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        self.batches.append([(r.n, r.seed) for r in requests])
        return [self.generate(r) for r in requests]


def sampling_request(seed: int, n: int) -> GenerationRequest:
    return GenerationRequest(prompt="Tom has 3 apples.", n=n, temperature=0.7, seed=seed,
                             max_tokens=16, logprobs=True)


def test_fill_draws_each_prompts_missing_seeds_as_one_call_in_one_batch() -> None:
    backend = BatchedBackend()
    bank = SampleBank(backend)
    bank.generate(sampling_request(0, 2))  # seeds 0 and 1 drawn already
    requests = [sampling_request(0, 5), replace(sampling_request(0, 3), prompt="Ann has 2.")]
    assert bank.fill(requests) == 3 + 3
    assert backend.batches == [[(3, 2), (3, 0)]]
    assert bank.fill(requests) == 0 and len(backend.batches) == 1


def test_a_filled_batched_bank_replays_what_one_live_batched_call_returns() -> None:
    backend = BatchedBackend()
    bank = SampleBank(backend)
    bank.fill([sampling_request(7, 4)])
    live = backend.generate(sampling_request(7, 4))
    replayed = bank.generate(sampling_request(7, 4))
    assert replayed.completions == live.completions
    assert replayed.usage == live.usage  # the prompt once, as the batched call reports it
    assert replayed.calls == 1
    assert abs(replayed.latency_s - live.latency_s) < 1e-9  # the shares add up to the call


def test_fill_on_an_unbatched_model_draws_one_seeded_call_per_sample() -> None:
    class Counting(SeededBackend):
        calls = 0

        def generate(self, request: GenerationRequest) -> GenerationResult:
            Counting.calls += 1
            assert request.n == 1
            return super().generate(request)

    bank = SampleBank(Counting())
    assert bank.fill([sampling_request(0, 3)]) == 3 and Counting.calls == 3


def test_a_bank_drawn_ahead_answers_the_whole_sweep_from_the_file(tmp_path: Path) -> None:
    backend = BatchedBackend()
    spec = backend.spec
    header = BankHeader(GSM8K_HEAD.name, file_sha256(GSM8K_HEAD), ("seeded",), 16, 0.7)
    store = BankStore(tmp_path / "bank.jsonl", header)
    drawn = fill_bank(CONFIG, SampleBank(backend, store, "seeded", spec), spec,
                      problems_per_call=2)
    assert drawn == 5 * (1 + 4 * 2)  # greedy + 4 samples x 2 seeds per problem
    assert len(backend.batches) == 3  # problems 1-2, 3-4, 5
    store.close()
    replayed = evaluate(CONFIG, {}, {"seeded": spec},
                        stores={"seeded": BankStore(tmp_path / "bank.jsonl", header)})
    live = evaluate(CONFIG, {"seeded": BatchedBackend()}, {"seeded": spec})
    def seen(r: EvalRow) -> tuple[object, ...]:
        return (r.strategy, r.n, r.seed, r.answers, r.cost.prompt_tokens,
                r.cost.completion_tokens, r.cost.calls, round(r.cost.latency_s, 9))

    assert [seen(r) for r in replayed] == [seen(r) for r in live]

"""Every strategy on the real local models (llama.cpp, CPU), a few tokens each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from graftml.budget import Budget, Ledger
from graftml.executors.ttc import (
    BeamOptions,
    ForcingOptions,
    LLMJudgeScorer,
    MeanLogprobScorer,
    TTCError,
    TTCRequest,
    get_strategy,
    self_consistency,
)
from graftml.executors.ttc.local_tokenizer import count_prompt_tokens
from graftml.executors.ttc.sample_bank import SampleBank
from graftml.llm.llama_cpp_backend import LlamaCppBackend
from graftml.llm.llama_logprobs import LlamaCppLogprobBackend
from graftml.llm.registry import ModelSpec, get_model
from graftml.llm.types import GenerationRequest
from graftml.testing.backends import RecordingBackend

MODELS = ("smollm2", "gemma3-270m")


@pytest.fixture(scope="module")
def backends() -> Iterator[dict[str, LlamaCppLogprobBackend]]:
    loaded = {name: LlamaCppLogprobBackend(get_model(name)) for name in MODELS}
    yield loaded
    for backend in loaded.values():
        backend.close()


def question(spec: ModelSpec, **fields: object) -> TTCRequest:
    text = "What is 3 + 4?"
    base = (TTCRequest(messages=({"role": "user", "content": text},), model=spec)
            if spec.capabilities.chat else
            TTCRequest(prompt=f"Question: What is 1 + 1?\nAnswer: 2\n\nQuestion: {text}\nAnswer:",
                       model=spec, stop=("\n",)))
    return replace(base, max_tokens=6, **fields)  # type: ignore[arg-type]


STRATEGY_FIELDS: dict[str, dict[str, object]] = {
    "single": {},
    "best_of_n": {"n": 2, "scorer": MeanLogprobScorer()},
    "self_consistency": {"n": 2},
    "budget_forcing": {"forcing": ForcingOptions(thinking_tokens=6, answer_tokens=4)},
    "speculative": {"speculative": {"method": "prompt_lookup", "num_speculative_tokens": 2}},
    "beam_search": {"beam": BeamOptions(width=1, expansions=2, max_steps=2, step_tokens=4)},
}


@pytest.mark.parametrize("model", ["gemma3-270m"])  # smollm2: test_strategy_contract
@pytest.mark.parametrize("strategy", sorted(STRATEGY_FIELDS))
def test_every_strategy_runs_and_its_usage_is_what_the_backend_reported(
        backends: dict[str, LlamaCppLogprobBackend], model: str, strategy: str) -> None:
    recorder = RecordingBackend(backends[model])
    spec = get_model(model)
    result = get_strategy(strategy)(question(spec, **STRATEGY_FIELDS[strategy]), recorder, None)
    assert result.candidates and result.text
    reported = recorder.usage
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (
        reported.prompt_tokens, reported.completion_tokens)
    # budget forcing marks its thinking tokens (a part of the completion) as reasoning
    assert 0 <= result.usage.reasoning_tokens <= result.usage.completion_tokens
    assert (strategy == "budget_forcing") == (result.usage.reasoning_tokens > 0)
    assert result.calls == sum(r.calls for r in recorder.results)
    assert result.cost.latency_s == pytest.approx(sum(r.latency_s for r in recorder.results))
    assert result.cost.flops > 2 * spec.parameters * result.usage.total


@pytest.mark.parametrize("model", ["gemma3-270m"])  # smollm2: test_strategy_contract
def test_seeded_samples_reproduce(backends: dict[str, LlamaCppLogprobBackend],
                                  model: str) -> None:
    request = question(get_model(model), n=2, seed=3, temperature=1.0)
    first = self_consistency(request, backends[model])
    again = self_consistency(request, backends[model])
    assert [c.text for c in first.candidates] == [c.text for c in again.candidates]
    assert first.usage == again.usage


@pytest.mark.parametrize(("model", "fields", "message"), [
    ("gemma3-270m", {"prompt": "word " * 3000}, "exceeds the 2048-token context"),
    ("gemma3-270m", {"prompt": None, "messages": ({"role": "user", "content": "hi"},)},
     "base model without chat"),
    ("smollm2", {"speculative": {"method": "eagle"}}, "not 'eagle'"),
    ("smollm2", {"n": 3, "temperature": 0.0}, "identical samples"),
    ("smollm2", {"forcing": ForcingOptions(mode="native")}, "no thinking mode"),
])
def test_bad_input_costs_no_tokens(backends: dict[str, LlamaCppLogprobBackend], model: str,
                                   fields: dict[str, object], message: str) -> None:
    recorder, ledger = RecordingBackend(backends[model]), Ledger(Budget())
    strategy = "budget_forcing" if "forcing" in fields else "self_consistency"
    with pytest.raises(TTCError, match=message):
        get_strategy(strategy)(question(get_model(model), **fields), recorder, ledger)
    assert recorder.results == [] and ledger.spent.tokens == 0


def test_prompts_are_measured_with_the_model_tokenizer() -> None:
    spec = get_model("gemma3-270m")
    text = "Supercalifragilistic " * 50
    assert count_prompt_tokens(spec, text, None) < len(text) / 3


def test_fast_logprobs_match_llama_cpp_python(
        backends: dict[str, LlamaCppLogprobBackend]) -> None:
    spec = get_model("smollm2")
    request = GenerationRequest(prompt="One, two, three,", max_tokens=5, logprobs=True,
                                temperature=0.8, seed=2)
    slow = LlamaCppBackend(spec)
    try:
        expected = slow.generate(request).completions[0]
    finally:
        slow.close()
    got = backends["smollm2"].generate(request).completions[0]
    assert got.text == expected.text
    fast, reference = got.token_logprobs or (), expected.token_logprobs or ()
    assert len(fast) >= len(reference) - 1 > 0
    assert fast[:len(reference) - 1] == pytest.approx(reference[:len(fast)][:len(reference) - 1],
                                                      abs=1e-3)


def test_replayed_samples_equal_fresh_ones(backends: dict[str, LlamaCppLogprobBackend]) -> None:
    spec = get_model("smollm2")
    request = question(spec, n=2, seed=11)
    fresh = self_consistency(request, backends["smollm2"])
    bank = SampleBank(backends["smollm2"])
    get_strategy("best_of_n")(replace(request, n=3, scorer=MeanLogprobScorer()), bank, None)
    replayed = self_consistency(request, bank)
    assert bank.generated == 3
    assert [c.text for c in replayed.candidates] == [c.text for c in fresh.candidates]
    assert replayed.usage == fresh.usage


def test_a_model_judges_candidates_through_the_same_backend(
        backends: dict[str, LlamaCppLogprobBackend]) -> None:
    recorder = RecordingBackend(backends["smollm2"])
    request = question(get_model("smollm2"), n=2, scorer=LLMJudgeScorer(max_tokens=3))
    result = get_strategy("best_of_n")(request, recorder, None)
    assert len(recorder.results) == 3  # the samples, then one judge call per candidate
    assert all(c.score is not None and 0.0 <= c.score <= 1.0 for c in result.candidates)
    assert result.usage.completion_tokens == recorder.usage.completion_tokens

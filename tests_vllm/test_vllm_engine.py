"""The vllm_engine backend on a real in-process vLLM (CPU) with SmolLM2-135M.

One engine per module (plus one ngram-speculative engine, built on first use): an engine start
costs 30-100 s on 2 cores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from graftml.errors import LLMError
from graftml.llm.metered import make_backend
from graftml.llm.registry import get_model
from graftml.llm.types import GenerationRequest
from graftml.llm.vllm_engine import VLLMEngineBackend
from graftml.testing.backends import BackendContract
from graftml.testing.decoding import greedy_agreement

pytestmark = pytest.mark.timeout(600)

# Marks a thinking block for the budget logic; SmolLM2 is no reasoning model, so the tests open
# the block in the prompt themselves.
REASONING = {"reasoning_start_str": "<think>", "reasoning_end_str": "</think>"}
NGRAM = {"method": "ngram", "num_speculative_tokens": 4, "prompt_lookup_max": 4,
         "prompt_lookup_min": 2}
REPETITIVE = ("Repeat the list exactly: apple, banana, cherry, date, fig, grape, apple, banana, "
              "cherry, date, fig, grape, apple, banana, cherry, date, fig, grape, apple,")
PERSON = {"type": "object", "additionalProperties": False, "required": ["name", "age"],
          "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}


@pytest.fixture(scope="module")
def backend(smollm2_checkpoint: Path) -> Iterator[VLLMEngineBackend]:
    engine = VLLMEngineBackend(get_model("smollm2-vllm"), reasoning_config=REASONING)
    yield engine
    engine.close()


def chat(text: str, **kwargs: object) -> GenerationRequest:
    return GenerationRequest(messages=({"role": "user", "content": text},), **kwargs)  # type: ignore[arg-type]


def test_chat_returns_text_usage_and_latency(backend: VLLMEngineBackend) -> None:
    result = backend.generate(chat("What is the capital of France?", max_tokens=24))
    (completion,) = result.completions
    assert completion.text.strip()
    assert result.usage.prompt_tokens > 5
    assert result.usage.completion_tokens == completion.completion_tokens > 0
    assert result.latency_s > 0 and result.calls == 1 and result.model == "smollm2-vllm"


def test_completion_continues_the_prompt(backend: VLLMEngineBackend) -> None:
    result = backend.generate(GenerationRequest(prompt="The capital of France is", max_tokens=8))
    assert "Paris" in result.texts[0]


def test_n_samples_come_from_one_batched_request(backend: VLLMEngineBackend) -> None:
    single = backend.generate(chat("Name a color.", max_tokens=16))
    result = backend.generate(chat("Name a color.", n=4, temperature=1.0, seed=3, max_tokens=16))
    assert len(result.completions) == 4 and result.calls == 1
    assert result.usage.prompt_tokens == single.usage.prompt_tokens  # the prompt counts once
    assert result.usage.completion_tokens == sum(c.completion_tokens for c in result.completions)
    assert len(set(result.texts)) > 1


def test_seed_reproduces_samples_at_positive_temperature(backend: VLLMEngineBackend) -> None:
    request = chat("Tell me a fun fact.", n=2, temperature=0.9, seed=11, max_tokens=24)
    first, again = backend.generate(request), backend.generate(request)
    other = backend.generate(chat("Tell me a fun fact.", n=2, temperature=0.9, seed=12,
                                  max_tokens=24))
    assert first.texts == again.texts
    assert other.texts != first.texts


def test_json_schema_output_parses(backend: VLLMEngineBackend) -> None:
    result = backend.generate(chat("Describe a person as JSON.", n=2, temperature=0.7,
                                   max_tokens=64, json_schema=PERSON))
    for text in result.texts:
        person = json.loads(text)
        assert isinstance(person["name"], str) and isinstance(person["age"], int)


def test_logprobs_of_sampled_tokens(backend: VLLMEngineBackend) -> None:
    (completion,) = backend.generate(chat("Say hi.", max_tokens=8, logprobs=True)).completions
    assert completion.token_logprobs is not None
    assert len(completion.token_logprobs) == completion.completion_tokens
    assert all(lp <= 0 for lp in completion.token_logprobs)


def test_stop_strings_end_the_sample(backend: VLLMEngineBackend) -> None:
    result = backend.generate(GenerationRequest(prompt="1, 2, 3, 4,", max_tokens=32,
                                                stop=(" 7",)))
    assert "7" not in result.texts[0] and result.completions[0].finish_reason == "stop"


def test_context_overflow_is_a_one_line_llm_error(backend: VLLMEngineBackend) -> None:
    with pytest.raises(LLMError, match="longer than the context") as info:
        backend.generate(GenerationRequest(prompt="hello " * 3000, max_tokens=4))
    assert "\n" not in str(info.value)


def test_thinking_budget_forces_the_end_of_thinking(backend: VLLMEngineBackend) -> None:
    prompt = "Question: what is 17 * 23? Think step by step.\n<think>\n"
    free = backend.generate(GenerationRequest(prompt=prompt, max_tokens=40))
    capped = backend.generate(GenerationRequest(prompt=prompt, max_tokens=40, thinking_budget=5))
    assert "</think>" not in free.texts[0]
    thinking = capped.texts[0].split("</think>")[0]
    assert thinking != capped.texts[0]  # the end marker was forced
    assert len(thinking.split()) <= 5  # after at most the 5 budgeted tokens


def test_thinking_budget_needs_a_reasoning_config() -> None:
    plain = VLLMEngineBackend(get_model("smollm2-vllm"))
    with pytest.raises(LLMError, match="reasoning"):
        plain.generate(chat("hi", thinking_budget=16))


def test_ngram_speculative_output_parts_from_plain_decoding_only_at_a_near_tie(
        backend: VLLMEngineBackend) -> None:
    plain = backend.generate(GenerationRequest(prompt=REPETITIVE, max_tokens=64, logprobs=True))
    fast = backend.generate(GenerationRequest(prompt=REPETITIVE, max_tokens=64, speculative=NGRAM))
    agreement = greedy_agreement(plain.completions[0], fast.texts[0])
    assert agreement.agrees and agreement.agreed_tokens >= 16, agreement
    assert fast.extra["speculative"]["method"] == "ngram"


def test_prompt_lookup_is_ngram_on_the_same_engine(backend: VLLMEngineBackend) -> None:
    backend.generate(GenerationRequest(prompt=REPETITIVE, max_tokens=4, speculative=NGRAM))
    alias = {**NGRAM, "method": "prompt_lookup"}
    fast = backend.generate(GenerationRequest(prompt=REPETITIVE, max_tokens=16, speculative=alias))
    assert "engine_start_s" not in fast.extra  # no second engine was built
    assert fast.extra["speculative"]["method"] == "ngram"


def test_unsupported_speculative_method_is_refused(backend: VLLMEngineBackend) -> None:
    with pytest.raises(LLMError, match="ngram"):
        backend.generate(chat("hi", speculative={"method": "eagle"}))


def test_make_backend_builds_the_engine_backend_lazily() -> None:
    backend = make_backend(get_model("smollm2-vllm"))
    assert isinstance(backend, VLLMEngineBackend) and backend.model == "smollm2-vllm"
    backend.close()


def test_engine_settings_from_the_model_file_reach_vllm() -> None:
    spec = get_model("smollm2-vllm").model_copy(
        update={"model": "/unused", "engine": {"gpu_memory_utilization": 0.5, "seed": 7}})
    kwargs = VLLMEngineBackend(spec, enforce_eager=False)._build_kwargs(None)
    assert kwargs["gpu_memory_utilization"] == 0.5 and kwargs["seed"] == 7  # over the defaults
    assert kwargs["enforce_eager"] is False  # constructor keywords win over the file
    assert kwargs["model"] == "/unused"


class TestVLLMEngineContract(BackendContract):
    """The contract every backend passes, on the module's engine (its ``backend`` fixture)."""

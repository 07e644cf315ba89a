"""The openai_compatible backend over real HTTP against a real llama.cpp server."""

from __future__ import annotations

import json

import pytest

from graftml.budget import Budget, Ledger
from graftml.errors import BudgetExceeded, LLMError
from graftml.llm.metered import MeteredBackend
from graftml.llm.openai_compat import OpenAICompatibleBackend
from graftml.llm.registry import ModelSpec, get_model
from graftml.llm.server import LocalServer, free_port
from graftml.llm.types import GenerationRequest

CHAT = ({"role": "user", "content": "Name one colour."},)


def test_chat_returns_text_usage_and_latency(remote_spec: ModelSpec) -> None:
    backend = OpenAICompatibleBackend(remote_spec)
    result = backend.generate(GenerationRequest(messages=CHAT, max_tokens=8))
    assert result.texts[0].strip()
    assert result.usage.prompt_tokens > 5
    assert 0 < result.usage.completion_tokens <= 8
    assert result.latency_s > 0 and result.calls == 1


def test_n_samples_are_seeded_calls_and_reproducible(remote_spec: ModelSpec) -> None:
    backend = OpenAICompatibleBackend(remote_spec)
    request = GenerationRequest(messages=CHAT, n=3, temperature=1.0, seed=7, max_tokens=8)
    first, second = backend.generate(request), backend.generate(request)
    assert first.calls == 3 and len(first.texts) == 3
    assert first.texts == second.texts
    assert first.usage.completion_tokens == second.usage.completion_tokens


def test_json_schema_output_parses(remote_spec: ModelSpec) -> None:
    schema = {"type": "object", "properties": {"model": {"enum": ["lightgbm", "linear"]},
                                               "trees": {"type": "integer"}},
              "required": ["model", "trees"]}
    backend = OpenAICompatibleBackend(remote_spec)
    result = backend.generate(GenerationRequest(
        messages=({"role": "user", "content": "Choose a model and a tree count."},),
        json_schema=schema, max_tokens=40))
    action = json.loads(result.texts[0])
    assert action["model"] in ("lightgbm", "linear") and isinstance(action["trees"], int)


def test_completion_prompt_with_logprobs(remote_spec: ModelSpec) -> None:
    backend = OpenAICompatibleBackend(remote_spec)
    result = backend.generate(GenerationRequest(prompt="1, 2, 3, 4,", max_tokens=6,
                                                logprobs=True))
    logprobs = result.completions[0].token_logprobs
    assert logprobs is not None and len(logprobs) == result.usage.completion_tokens
    assert all(lp <= 0 for lp in logprobs)


def test_usage_charged_to_the_ledger_equals_what_the_server_reported(
        remote_spec: ModelSpec) -> None:
    ledger = Ledger(Budget(tokens=10_000))
    metered = MeteredBackend(OpenAICompatibleBackend(remote_spec), remote_spec, ledger)
    result = metered.generate(GenerationRequest(messages=CHAT, n=2, temperature=0.5,
                                                max_tokens=8), source="test")
    assert ledger.spent.tokens == result.usage.total > 0


def test_token_limit_refuses_the_call_before_it_is_sent(remote_spec: ModelSpec) -> None:
    ledger = Ledger(Budget(tokens=50))
    metered = MeteredBackend(OpenAICompatibleBackend(remote_spec), remote_spec, ledger)
    with pytest.raises(BudgetExceeded, match="tokens"):
        metered.generate(GenerationRequest(messages=CHAT, max_tokens=64))
    assert ledger.spent.tokens == 0


def test_unreachable_endpoint_is_a_one_line_llm_error(remote_spec: ModelSpec) -> None:
    dead = remote_spec.model_copy(update={"base_url": f"http://127.0.0.1:{free_port()}/v1"})
    with pytest.raises(LLMError, match="cannot reach") as info:
        OpenAICompatibleBackend(dead).generate(GenerationRequest(messages=CHAT, max_tokens=4))
    assert "\n" not in str(info.value)


def test_context_overflow_is_a_clear_error(remote_spec: ModelSpec) -> None:
    long_prompt = "word " * 5000
    with pytest.raises(LLMError, match=r"context|rejected"):
        OpenAICompatibleBackend(remote_spec).generate(
            GenerationRequest(prompt=long_prompt, max_tokens=4))


def test_a_wrong_api_key_is_a_one_line_error_naming_the_variable(
        remote_spec: ModelSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAFT_TEST_KEY", "wrong")
    with LocalServer(get_model("smollm2"), n_threads=1, api_key="right") as guarded:
        spec = remote_spec.model_copy(update={"base_url": guarded.base_url,
                                              "api_key_env": "GRAFT_TEST_KEY"})
        with pytest.raises(LLMError, match=r"rejected the API key; set \$GRAFT_TEST_KEY") as info:
            OpenAICompatibleBackend(spec).generate(GenerationRequest(messages=CHAT, max_tokens=4))
        monkeypatch.setenv("GRAFT_TEST_KEY", "right")
        assert OpenAICompatibleBackend(spec).generate(
            GenerationRequest(messages=CHAT, max_tokens=4)).usage.completion_tokens > 0
    assert "\n" not in str(info.value)

"""vLLM's OpenAI-compatible server (CPU) through graftml's openai_compatible backend, real HTTP."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graftml.llm.openai_compat import OpenAICompatibleBackend
from graftml.llm.registry import ModelSpec, get_model
from graftml.llm.types import GenerationRequest
from graftml.llm.vllm_server import VLLMServer

pytestmark = pytest.mark.timeout(600)

PERSON = {"type": "object", "additionalProperties": False, "required": ["name", "age"],
          "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}


@pytest.fixture(scope="module")
def server(smollm2_checkpoint: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[VLLMServer]:
    log = tmp_path_factory.mktemp("vllm-server") / "server.log"
    running = VLLMServer(get_model("smollm2-vllm-serve"), log=log).start()
    yield running
    running.stop()
    assert running.process is not None
    with pytest.raises(ProcessLookupError):  # API server, engine core and worker all gone
        os.killpg(running.process.pid, 0)


@pytest.fixture(scope="module")
def spec(server: VLLMServer) -> ModelSpec:
    return get_model("smollm2-vllm-serve").model_copy(
        update={"base_url": server.base_url, "max_retries": 0})


@pytest.fixture()
def backend(spec: ModelSpec) -> Iterator[OpenAICompatibleBackend]:
    client = OpenAICompatibleBackend(spec)
    yield client
    client.close()


def chat(text: str, **kwargs: object) -> GenerationRequest:
    return GenerationRequest(messages=({"role": "user", "content": text},), **kwargs)  # type: ignore[arg-type]


def test_server_serves_the_model_under_its_served_name(server: VLLMServer) -> None:
    assert server.served_model_name == "smollm2"


def test_chat_over_http_returns_text_and_usage(backend: OpenAICompatibleBackend) -> None:
    result = backend.generate(chat("What is the capital of France?", max_tokens=24))
    assert result.texts[0].strip()
    assert result.usage.prompt_tokens > 5 and result.usage.completion_tokens > 0
    assert result.calls == 1 and result.model == "smollm2"


def test_completion_over_http(backend: OpenAICompatibleBackend) -> None:
    result = backend.generate(GenerationRequest(prompt="The capital of France is", max_tokens=8))
    assert "Paris" in result.texts[0]


def test_n_choices_come_from_one_request(backend: OpenAICompatibleBackend) -> None:
    single = backend.generate(chat("Name a color.", max_tokens=12))
    result = backend.generate(chat("Name a color.", n=4, temperature=1.0, seed=5, max_tokens=12))
    assert len(result.completions) == 4 and result.calls == 1
    assert result.usage.prompt_tokens == single.usage.prompt_tokens  # counted once per request
    assert len(set(result.texts)) > 1


def test_json_schema_output_parses(backend: OpenAICompatibleBackend) -> None:
    result = backend.generate(chat("Describe a person as JSON.", n=2, temperature=0.7,
                                   max_tokens=64, json_schema=PERSON))
    for text in result.texts:
        person = json.loads(text)
        assert isinstance(person["name"], str) and isinstance(person["age"], int)


def test_seeded_samples_reproduce_over_http(backend: OpenAICompatibleBackend) -> None:
    request = chat("Tell me a fun fact.", n=2, temperature=0.9, seed=7, max_tokens=20)
    assert backend.generate(request).texts == backend.generate(request).texts


def test_a_model_the_server_does_not_serve_is_a_one_line_error(spec: ModelSpec) -> None:
    from graftml.errors import LLMError

    client = OpenAICompatibleBackend(spec.model_copy(update={"model": "not-served"}))
    try:
        with pytest.raises(LLMError, match="model not served there") as info:
            client.generate(chat("Hi", max_tokens=4))
    finally:
        client.close()
    assert "\n" not in str(info.value)

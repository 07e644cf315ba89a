"""Tests every LLM backend passes (:class:`BackendContract`), and a recording wrapper.

Subclass :class:`BackendContract` in a test module and give it a ``backend`` fixture (and
override :meth:`BackendContract.request` or :meth:`BackendContract.overflow_request` when the
model needs other prompts); each backend (openai_compatible over a real server, llama_cpp,
vllm_engine, scripted) then answers the same questions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from graftml.budget import Budget, Ledger
from graftml.errors import LLMError
from graftml.llm.base import LLMBackend
from graftml.llm.registry import Capabilities, ModelSpec
from graftml.llm.types import GenerationRequest, GenerationResult, Usage

__all__ = ["BackendContract", "RecordingBackend", "toy_spec"]


class BackendContract:
    """What every :class:`~graftml.llm.base.LLMBackend` must do; needs a ``backend`` fixture."""

    def request(self, **fields: Any) -> GenerationRequest:
        """The request the tests vary (a short chat turn the model can continue)."""
        base = GenerationRequest(
            messages=({"role": "user", "content": "Count from one to ten: one, two,"},),
            max_tokens=12, temperature=0.8, seed=3)
        return replace(base, **fields)

    def overflow_request(self) -> GenerationRequest:
        """A request whose prompt is longer than the model's context."""
        return self.request(messages=({"role": "user", "content": "word " * 40_000},))

    def test_n_samples_come_back(self, backend: LLMBackend) -> None:
        result = backend.generate(self.request(n=3))
        assert len(result.completions) == 3 and all(isinstance(t, str) for t in result.texts)

    def test_the_same_seed_gives_the_same_samples(self, backend: LLMBackend) -> None:
        request = self.request(n=2)
        assert backend.generate(request).texts == backend.generate(request).texts

    def test_usage_is_what_the_samples_used(self, backend: LLMBackend) -> None:
        result = backend.generate(self.request(n=2))
        per_sample = sum(c.completion_tokens for c in result.completions)
        assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
        assert per_sample in (0, result.usage.completion_tokens)  # 0: not reported per sample
        assert result.usage.completion_tokens <= 2 * 12

    def test_a_stop_string_ends_each_sample(self, backend: LLMBackend) -> None:
        result = backend.generate(self.request(n=2, stop=(",",)))
        assert all("," not in text for text in result.texts)

    def test_greedy_n_samples_come_back_or_are_a_one_line_error(
            self, backend: LLMBackend) -> None:
        try:
            result = backend.generate(self.request(n=2, temperature=0.0))
        except LLMError as exc:  # vLLM refuses n > 1 when greedy
            assert "\n" not in str(exc)
        else:
            assert len(result.completions) == 2

    def test_invalid_input_is_a_one_line_error_and_costs_nothing(
            self, backend: LLMBackend) -> None:
        from graftml.llm.metered import MeteredBackend

        spec = getattr(backend, "spec", None) or ModelSpec(name=backend.model,
                                                           provider="scripted")
        ledger = Ledger(Budget())
        with pytest.raises(LLMError) as caught:
            MeteredBackend(backend, spec, ledger).generate(self.overflow_request())
        assert "\n" not in str(caught.value)
        assert ledger.spent.tokens == 0


class RecordingBackend:
    """Passes every request to ``backend`` and keeps each result it returned.

    ``spec`` (the model's registry entry, when the wrapped backend has one) is passed through, so
    strategies resolve the same model. ``close`` does nothing: the wrapped backend is the
    caller's.
    """

    def __init__(self, backend: LLMBackend) -> None:
        self.backend, self.model = backend, backend.model
        self.spec: Any = getattr(backend, "spec", None)
        self.results: list[GenerationResult] = []

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Called for each request: forwards it and records the result."""
        result = self.backend.generate(request)
        self.results.append(result)
        return result

    def close(self) -> None:
        """Leaves the wrapped backend open."""
        return None

    @property
    def usage(self) -> Usage:
        """The sum of the usage of every recorded result."""
        total = Usage()
        for result in self.results:
            total = total + result.usage
        return total


def toy_spec(**changes: Any) -> ModelSpec:
    """A ``scripted`` model entry with cost-model constants, for logic tests without weights;
    ``changes`` override fields or capabilities (``logprobs=True``, ``chat=False``...)."""
    caps = {k: changes.pop(k) for k in list(changes) if k in Capabilities.model_fields}
    fields: dict[str, Any] = {"name": "toy", "provider": "scripted", "parameters": 1e6,
                              "kv_bytes_per_token": 1024, "context_length": 2048, **changes}
    return ModelSpec(capabilities=Capabilities(**caps), **fields)

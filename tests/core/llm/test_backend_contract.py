"""Every CPU backend passes :class:`graftml.testing.backends.BackendContract` (vLLM's engine
passes it in ``tests_vllm``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graftml.llm.llama_cpp_backend import LlamaCppBackend
from graftml.llm.metered import make_backend
from graftml.llm.openai_compat import OpenAICompatibleBackend
from graftml.llm.registry import ModelSpec
from graftml.testing.backends import BackendContract


class TestScripted(BackendContract):
    @pytest.fixture()
    def backend(self) -> Iterator[object]:
        spec = ModelSpec(name="parrot", provider="scripted", responses=("three, four",) * 20)
        backend = make_backend(spec)  # the one backend factory, as every other provider
        yield backend
        backend.close()


class TestLlamaCpp(BackendContract):
    @pytest.fixture()
    def backend(self, smollm2_local: LlamaCppBackend) -> LlamaCppBackend:
        return smollm2_local


class TestOpenAICompatible(BackendContract):
    """Over a real llama.cpp server on loopback."""

    @pytest.fixture()
    def backend(self, remote_spec: ModelSpec) -> Iterator[OpenAICompatibleBackend]:
        backend = OpenAICompatibleBackend(remote_spec)
        yield backend
        backend.close()

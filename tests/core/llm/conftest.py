"""A real llama.cpp server (SmolLM2 from its PyPI package) on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graftml.llm.llama_cpp_backend import LlamaCppBackend
from graftml.llm.registry import ModelSpec, get_model
from graftml.llm.server import LocalServer


@pytest.fixture(scope="session")
def smollm2_server() -> Iterator[LocalServer]:
    with LocalServer(get_model("smollm2"), n_threads=2) as server:
        yield server


@pytest.fixture()
def remote_spec(smollm2_server: LocalServer) -> ModelSpec:
    """SmolLM2 as an openai_compatible model behind the local server."""
    local = get_model("smollm2")
    caps = local.capabilities.model_copy(update={"json_format": "json_object"})
    return local.model_copy(update={"provider": "openai_compatible", "model": "smollm2",
                                    "base_url": smollm2_server.base_url, "capabilities": caps,
                                    "max_retries": 0, "timeout_s": 60})


@pytest.fixture(scope="session")
def smollm2_local() -> Iterator[LlamaCppBackend]:
    """SmolLM2 in-process (llama.cpp), shared by the modules that need one."""
    backend = LlamaCppBackend(get_model("smollm2"), n_threads=2)
    yield backend
    backend.close()

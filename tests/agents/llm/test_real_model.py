"""Real local models: SmolLM2 in-process and behind llama.cpp's server, Gemma by completion."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graftml.agents.builtin import builtin_operators, normalize
from graftml.agents.llm import close_operators, make_llm_operators
from graftml.app.sdk import load_nodes, run
from graftml.budget import Budget, Ledger
from graftml.config import LLMOperatorConfig, validate
from graftml.llm import GenerationRequest, GenerationResult, LLMBackend, Usage
from graftml.llm.metered import make_backend
from graftml.llm.openai_compat import OpenAICompatibleBackend
from graftml.llm.registry import ModelSpec, get_model
from graftml.llm.server import LocalServer
from graftml.operators import Operator, OperatorContext
from graftml.types import NodeStatus, Proposal


class Recording:
    """Wraps a backend: keeps the usage it reported, then runs ``after`` (e.g. kill a server)."""

    def __init__(self, inner: LLMBackend, after: Callable[[], None] = lambda: None) -> None:
        self.inner, self.after, self.model = inner, after, inner.model
        self.usage = Usage()
        self.calls = 0

    def generate(self, request: GenerationRequest) -> GenerationResult:
        result = self.inner.generate(request)
        self.usage, self.calls = self.usage + result.usage, self.calls + 1
        self.after()
        return result

    def close(self) -> None:
        self.inner.close()


def served(server: LocalServer) -> ModelSpec:
    """SmolLM2 as an openai_compatible model behind ``server``."""
    local = get_model("smollm2")
    caps = local.capabilities.model_copy(update={"json_format": "json_object"})
    return local.model_copy(update={"provider": "openai_compatible", "base_url": server.base_url,
                                    "model": "smollm2", "capabilities": caps, "max_retries": 0,
                                    "timeout_s": 60})


def draft_with(backend: Recording, model: str, ctx: OperatorContext, tmp_path: Path
               ) -> tuple[dict[str, Operator], Ledger]:
    ledger = Ledger(Budget())
    ops = make_llm_operators({"draft": LLMOperatorConfig(model=model, max_tokens=96)},
                             builtin_operators(), ledger, tmp_path, backends={model: backend})
    return ops, ledger


@pytest.mark.parametrize("model", ["smollm2", "gemma3-270m"])
def test_an_in_process_model_drafts_a_valid_spec_and_its_usage_is_charged(
        model: str, ctx: OperatorContext, tmp_path: Path) -> None:
    backend = Recording(make_backend(get_model(model)))
    ops, ledger = draft_with(backend, model, ctx, tmp_path)
    try:
        candidate = ops["draft"].build(Proposal("n1", "draft", params={"draft_index": 0}), ctx)
    finally:
        close_operators(ops)
        backend.close()
    assert candidate.params["model"] == model, candidate.description
    assert candidate.spec is not None and normalize(candidate.spec) == candidate.spec
    assert candidate.params["tokens"] == ledger.spent.tokens == backend.usage.total > 0


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(get_model("smollm2"), n_threads=2) as local:
        yield local


def test_a_draft_over_real_http_is_valid_and_metered(server: LocalServer,
                                                     ctx: OperatorContext,
                                                     tmp_path: Path) -> None:
    backend = Recording(OpenAICompatibleBackend(served(server)))
    ops, ledger = draft_with(backend, "smollm2", ctx, tmp_path)
    try:
        candidate = ops["draft"].build(Proposal("n1", "draft", params={"draft_index": 0}), ctx)
    finally:
        close_operators(ops)
        backend.close()
    assert candidate.params["model"] == "smollm2", candidate.description
    assert candidate.spec is not None and "def fit_predict" in candidate.code
    assert candidate.params["tokens"] == ledger.spent.tokens == backend.usage.total > 0


def test_a_server_killed_mid_run_leaves_a_fallback_node_and_the_run_finishes(
        tmp_path: Path) -> None:
    local = LocalServer(get_model("smollm2"), n_threads=2).start()
    backend = Recording(OpenAICompatibleBackend(served(local)), after=local.stop)
    cfg = validate({"name": "killed", "task": {"data": "breast_cancer", "target": "target",
                                               "metric": "roc_auc"},
                    "budget": {"wall_s": 60}, "executor": {"workers": 1, "timeout_s": 60},
                    "searcher": {"num_drafts": 2, "operators": ["draft"]}, "refit": False})
    configs = {"draft": LLMOperatorConfig(model="smollm2", max_tokens=96)}
    ops = make_llm_operators(configs, builtin_operators(), Ledger(Budget()), tmp_path / "run",
                             backends={"smollm2": backend})
    try:
        result = run(cfg, run_dir=tmp_path / "run", quiet=True, operators=ops)
    finally:
        close_operators(ops)
        backend.close()
        local.stop()
    first, second = sorted(load_nodes(result.run_dir).values(), key=lambda n: n.step)
    assert first.model == "smollm2" and first.cost["tokens"] > 0
    assert second.model == "builtin" and second.status == NodeStatus.OK
    assert second.description.startswith("[llm failed: cannot reach http://127.0.0.1:")
    assert backend.calls == 1 and result.best_node_id is not None

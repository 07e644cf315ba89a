"""Every LLM call goes through the ledger.

A call is refused before it starts if its worst case cannot be paid for, and charged with
the usage the backend reported once it ends.
"""

from __future__ import annotations

from typing import Any

from graftml.budget import Ledger
from graftml.llm.base import LLMBackend
from graftml.llm.registry import ModelSpec
from graftml.llm.types import GenerationRequest, GenerationResult
from graftml.plugins import PROVIDERS

CHARS_PER_TOKEN = 3.0  # a deliberately low ratio: over-estimating keeps the token limit hard


def estimate_tokens(request: GenerationRequest) -> int:
    """An upper-leaning estimate of prompt + completion tokens, before the call."""
    text = request.prompt or "".join(m["content"] for m in request.messages or ())
    return request.n * (int(len(text) / CHARS_PER_TOKEN) + 8 + request.max_tokens)


class MeteredBackend:
    """Wraps a backend so that each call is checked against and charged to ``ledger``."""

    def __init__(self, backend: LLMBackend, spec: ModelSpec, ledger: Ledger) -> None:
        self.backend, self.spec, self.ledger = backend, spec, ledger
        self.model = backend.model

    def generate(self, request: GenerationRequest, source: str = "") -> GenerationResult:
        """Raises BudgetExceeded before the call when the worst case cannot be paid for."""
        worst = estimate_tokens(request)
        self.ledger.check(tokens=worst, usd=self.spec.cost_usd(worst, 0))
        result = self.backend.generate(request)
        u = result.usage
        self.ledger.charge("llm", source or self.spec.name, tokens=u.total,
                           usd=self.spec.cost_usd(u.prompt_tokens, u.completion_tokens),
                           meta={"model": self.spec.name, "prompt": u.prompt_tokens,
                                 "completion": u.completion_tokens, "calls": result.calls,
                                 "latency_s": round(result.latency_s, 3)})
        return result

    def close(self) -> None:
        self.backend.close()


def make_backend(spec: ModelSpec, **kwargs: Any) -> LLMBackend:
    """The backend of ``spec.provider``: the one factory of every model in graftml.

    A provider (entry point group ``graftml.providers``) names a callable
    ``(spec, **kwargs) -> LLMBackend``, usually the backend class; heavy libraries are imported
    only when the backend is used.
    """
    backend: LLMBackend = PROVIDERS.get(spec.provider)(spec, **kwargs)
    return backend

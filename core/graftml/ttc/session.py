"""One strategy run's account of backend calls: usage, latency and cost, charged to the ledger.

Strategies and scorers call :meth:`Session.generate` instead of the backend directly, so that
every token of a run (judge calls included) is summed into the :class:`TTCResult` and, with a
ledger, refused before the call when it cannot be paid for. Tokens and dollars are charged per
call by :class:`~graftml.llm.metered.MeteredBackend` (kind ``llm``); :meth:`Session.close`
adds one ``ttc`` charge with zero tokens whose meta carries the strategy, FLOPs and bytes, so
tokens are never counted twice.
"""

from __future__ import annotations

import time

from graftml.budget import Ledger
from graftml.llm.base import LLMBackend
from graftml.llm.metered import MeteredBackend
from graftml.llm.registry import ModelSpec
from graftml.llm.types import GenerationRequest, GenerationResult, Usage
from graftml.ttc.cost import CallShape, Cost, CostModel

__all__ = ["Session"]


class Session:
    """Calls made by one strategy run on one model.

    Args:
        backend: the model; wrapped in a MeteredBackend when ``ledger`` is given and it is not
            metered already.
        spec: the model's registry entry (capabilities, prices, cost-model constants).
        strategy: name recorded in the ledger.
        ledger: optional account to check and charge.
    """

    def __init__(self, backend: LLMBackend, spec: ModelSpec, strategy: str,
                 ledger: Ledger | None = None) -> None:
        if isinstance(backend, MeteredBackend):
            ledger = ledger or backend.ledger
        elif ledger is not None:
            backend = MeteredBackend(backend, spec, ledger)
        self.backend, self.spec, self.strategy, self.ledger = backend, spec, strategy, ledger
        self.usage, self.cost, self.calls = Usage(), Cost(), 0
        self._cost_model = CostModel.for_model(spec)
        self._started = time.perf_counter()

    def generate(self, request: GenerationRequest,
                 backend: LLMBackend | None = None, spec: ModelSpec | None = None
                 ) -> GenerationResult:
        """Run ``request`` on this session's backend (or on ``backend``, e.g. a judge model
        described by ``spec``) and add its usage and cost to the session."""
        target = self.backend if backend is None else backend
        target_spec = self.spec if spec is None else spec
        if backend is not None and self.ledger is not None and not isinstance(
                backend, MeteredBackend):
            target = MeteredBackend(backend, target_spec, self.ledger)
        result = target.generate(request)
        self._record(result, target_spec)
        return result

    def _record(self, result: GenerationResult, spec: ModelSpec) -> None:
        usage = result.usage
        model = self._cost_model if spec is self.spec else CostModel.for_model(spec)
        shape = CallShape.of(result, batched=spec.capabilities.batched_n)
        self.usage = self.usage + usage
        self.calls += result.calls
        self.cost = self.cost + Cost(
            usage.prompt_tokens, usage.completion_tokens, usage.reasoning_tokens,
            usage.cached_tokens, result.calls, result.latency_s, model.flops(shape),
            model.bytes_moved(shape), spec.cost_usd(usage.prompt_tokens,
                                                    usage.completion_tokens))

    def add_reasoning(self, tokens: int) -> None:
        """Mark ``tokens`` of the completion tokens already recorded as reasoning tokens."""
        self.usage = Usage(self.usage.prompt_tokens, self.usage.completion_tokens,
                           self.usage.reasoning_tokens + tokens, self.usage.cached_tokens)
        self.cost = self.cost + Cost(reasoning_tokens=tokens)

    @property
    def elapsed_s(self) -> float:
        """Wall seconds since the session began."""
        return time.perf_counter() - self._started

    def close(self) -> None:
        """Charge the run's FLOPs and bytes to the ledger (zero tokens: already charged)."""
        if self.ledger is None:
            return
        self.ledger.charge("ttc", self.spec.name, meta={
            "strategy": self.strategy, "calls": self.calls, "flops": self.cost.flops,
            "bytes": self.cost.bytes_moved, "prompt": self.usage.prompt_tokens,
            "completion": self.usage.completion_tokens,
            "reasoning": self.usage.reasoning_tokens,
            "latency_s": round(self.elapsed_s, 4)})

"""Sample reuse for sweeps over N: each seeded sample is generated once and replayed.

On a backend that draws ``n`` samples as ``n`` seeded calls (llama.cpp), the request
``(n=8, seed=s)`` yields exactly the first 8 samples of ``(n=16, seed=s)``. A sweep over
N = 1, 2, 4, 8, 16 therefore needs only the 16 samples; the bank keeps every sample with the
usage and latency it cost, and answers a request with the same samples, usage and latency a
fresh run would have had. Samples are always drawn with logprobs, so strategies that do and do
not score share them. Only for backends without batched ``n`` (the caller checks).
"""

from __future__ import annotations

from dataclasses import replace

from graftml.llm.base import LLMBackend
from graftml.llm.types import Completion, GenerationRequest, GenerationResult, Usage

_Sample = tuple[Completion, Usage, float]


class SampleBank:
    """An :class:`~graftml.llm.base.LLMBackend` that caches seeded single samples of ``backend``.

    Args:
        backend: the model (not batched: ``n`` samples are ``n`` seeded calls).
    """

    def __init__(self, backend: LLMBackend) -> None:
        self.backend = backend
        self.model = backend.model
        self.spec = getattr(backend, "spec", None)
        self._samples: dict[str, _Sample] = {}  # by the request's repr (dicts are unhashable)
        self.generated = 0  # samples actually drawn from the backend

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """The samples of ``request``: replayed when drawn before, else drawn one by one."""
        greedy = request.temperature == 0
        samples = [self._sample(replace(
            request, n=1, seed=0 if greedy else (request.seed or 0) + i, logprobs=True))
            for i in range(request.n)]
        usage = Usage()
        for _, sample_usage, _ in samples:
            usage = usage + sample_usage
        return GenerationResult(tuple(s[0] for s in samples), usage,
                                sum(s[2] for s in samples), self.model, calls=request.n)

    def _sample(self, key: GenerationRequest) -> _Sample:
        name = repr(key)
        if name not in self._samples:
            result = self.backend.generate(key)
            self._samples[name] = (result.completions[0], result.usage, result.latency_s)
            self.generated += 1
        return self._samples[name]

    def close(self) -> None:
        """Close the wrapped backend."""
        self.backend.close()

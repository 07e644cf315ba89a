"""Sample reuse for sweeps over N: each seeded sample is generated once and replayed.

On a backend that draws ``n`` samples as ``n`` seeded calls (llama.cpp), the request
``(n=8, seed=s)`` yields exactly the first 8 samples of ``(n=16, seed=s)``. A sweep over
N = 1, 2, 4, 8, 16 therefore needs only the 16 samples; the bank keeps every sample with the
usage and latency it cost, and answers a request with the same samples, usage and latency a
fresh run would have had. Samples are always drawn with logprobs, so strategies that do and do
not score share them. Only for backends without batched ``n`` (the caller checks).

With a :class:`~graftml.executors.ttc.bank_store.BankStore` the samples also live on disk:
new ones are appended as they are drawn, stored ones are replayed, and with no backend at all
the bank answers from the file alone.
"""

from __future__ import annotations

from dataclasses import replace

from graftml.executors.ttc.bank_store import BankStore, Sample, sample_key
from graftml.llm.base import LLMBackend
from graftml.llm.registry import ModelSpec
from graftml.llm.types import GenerationRequest, GenerationResult, Usage
from graftml.ttc.types import TTCError


class SampleBank:
    """An :class:`~graftml.llm.base.LLMBackend` that caches seeded single samples of ``backend``.

    Args:
        backend: the model (not batched: ``n`` samples are ``n`` seeded calls); None replays
            ``store`` only.
        store: a bank file to replay from and append to.
        model: the model's name (default: the backend's).
        spec: the model's registry entry (default: the backend's).
    """

    def __init__(self, backend: LLMBackend | None, store: BankStore | None = None,
                 model: str | None = None, spec: ModelSpec | None = None) -> None:
        self.backend, self.store = backend, store
        self.model = model or (backend.model if backend is not None else "bank")
        self.spec = spec if spec is not None else getattr(backend, "spec", None)
        self._samples: dict[str, Sample] = store.samples if store is not None else {}
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

    def _sample(self, request: GenerationRequest) -> Sample:
        key = sample_key(self.model, request)
        if key in self._samples:
            return self._samples[key]
        if self.backend is None:
            raise TTCError(f"the bank has no sample of {self.model} for seed {request.seed} of "
                           "this prompt; build it with `graft ttc bank build` at this n and "
                           "these seeds")
        result = self.backend.generate(request)
        sample = (result.completions[0], result.usage, result.latency_s)
        if self.store is not None:
            self.store.add(key, self.model, sample)
        else:
            self._samples[key] = sample
        self.generated += 1
        return sample

    def close(self) -> None:
        """Close the wrapped backend (and the bank file)."""
        if self.backend is not None:
            self.backend.close()
        if self.store is not None:
            self.store.close()

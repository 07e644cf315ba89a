"""Sample reuse for sweeps over N: each seeded sample is generated once and replayed.

On a backend that draws ``n`` samples as ``n`` seeded calls (llama.cpp), the request
``(n=8, seed=s)`` yields exactly the first 8 samples of ``(n=16, seed=s)``. A sweep over
N = 1, 2, 4, 8, 16 therefore needs only the 16 samples; the bank keeps every sample with the
usage and latency it cost, and answers a request with the same samples, usage and latency a
fresh run would have had. Samples are always drawn with logprobs, so strategies that do and do
not score share them. Live sweeps use it only for backends without batched ``n`` (the caller
checks); a bank file may hold a batched backend's samples too, drawn ahead by
:meth:`SampleBank.fill`.

With a :class:`~graftml.executors.ttc.bank_store.BankStore` the samples also live on disk:
new ones are appended as they are drawn, stored ones are replayed, and with no backend at all
the bank answers from the file alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from graftml.executors.ttc.bank_store import BankStore, Sample, sample_key
from graftml.llm.base import LLMBackend
from graftml.llm.registry import ModelSpec
from graftml.llm.types import Completion, GenerationRequest, GenerationResult, Usage
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
        """The samples of ``request``: replayed when drawn before, else drawn one by one.

        On a batched model (``capabilities.batched_n``) the result is what one batched call
        reports: the prompt counted once, one call, the samples' shares of its wall time."""
        samples = [self._sample(single) for single in self._singles(request)]
        usage = Usage()
        for _, sample_usage, _ in samples:
            usage = usage + sample_usage
        calls = request.n
        if self._batched and samples:
            first = samples[0][1]
            usage = Usage(first.prompt_tokens, usage.completion_tokens,
                          usage.reasoning_tokens, first.cached_tokens)
            calls = 1
        return GenerationResult(tuple(s[0] for s in samples), usage,
                                sum(s[2] for s in samples), self.model, calls=calls)

    def fill(self, requests: Sequence[GenerationRequest]) -> int:
        """Draw every sample of ``requests`` the bank lacks, in as few calls as the backend
        allows: a batched backend draws a request's missing seeds as one ``n``-sample call
        (its sample ``i`` is seeded ``seed + i``, like the single calls it stands for), all of
        them in one ``generate_many`` call when the backend has it; other backends draw one
        seeded call per sample. Returns the number of samples drawn."""
        seen = set(self._samples)
        missing: list[list[GenerationRequest]] = []
        for request in requests:
            group = [s for s in self._singles(request) if sample_key(self.model, s) not in seen]
            seen.update(sample_key(self.model, s) for s in group)
            missing.append(group)
        if not self._batched or self.backend is None:
            for single in (s for group in missing for s in group):
                self._sample(single)
            return sum(map(len, missing))
        calls = [call for group in missing for call in _seed_runs(group)]
        if not calls:
            return 0
        many = getattr(self.backend, "generate_many", None)
        results = many(calls) if many is not None else [self.backend.generate(c) for c in calls]
        for call, result in zip(calls, results, strict=True):
            for i, completion in enumerate(result.completions):
                single = replace(call, n=1, seed=(call.seed or 0) + i)
                self._keep(single, _share(result, completion))
        return sum(len(r.completions) for r in results)

    @property
    def _batched(self) -> bool:
        return self.spec is not None and self.spec.capabilities.batched_n

    @staticmethod
    def _singles(request: GenerationRequest) -> list[GenerationRequest]:
        greedy = request.temperature == 0
        return [replace(request, n=1, seed=0 if greedy else (request.seed or 0) + i,
                        logprobs=True) for i in range(request.n)]

    def _sample(self, request: GenerationRequest) -> Sample:
        key = sample_key(self.model, request)
        if key in self._samples:
            return self._samples[key]
        if self.backend is None:
            raise TTCError(f"the bank has no sample of {self.model} for seed {request.seed} of "
                           "this prompt; build it with `graft ttc bank build` at this n and "
                           "these seeds")
        result = self.backend.generate(request)
        return self._keep(request, (result.completions[0], result.usage, result.latency_s))

    def _keep(self, request: GenerationRequest, sample: Sample) -> Sample:
        key = sample_key(self.model, request)
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


def _seed_runs(singles: list[GenerationRequest]) -> list[GenerationRequest]:
    """Single-sample requests of one prompt as batched calls, one per run of consecutive
    seeds."""
    calls: list[GenerationRequest] = []
    for single in singles:
        last = calls[-1] if calls else None
        if last is not None and single.seed == (last.seed or 0) + last.n:
            calls[-1] = replace(last, n=last.n + 1)
        else:
            calls.append(single)
    return calls


def _share(result: GenerationResult, completion: Completion) -> Sample:
    """One sample of a batched call: the prompt as the call reported it, this sample's
    completion tokens, and its share of the wall time by completion tokens."""
    total = result.usage.completion_tokens or len(result.completions)
    own = completion.completion_tokens or (0 if result.usage.completion_tokens else 1)
    usage = Usage(result.usage.prompt_tokens, completion.completion_tokens, 0,
                  result.usage.cached_tokens)
    return completion, usage, result.latency_s * own / total

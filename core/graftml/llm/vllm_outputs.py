"""vLLM's request and output types as graftml's: ``SamplingParams`` from a
:class:`~graftml.llm.types.GenerationRequest`, and a ``RequestOutput`` as a
:class:`~graftml.llm.types.GenerationResult` (usage as :mod:`graftml.llm.vllm_engine` defines it).
vLLM is imported only when a request is converted."""

from __future__ import annotations

import importlib
from typing import Any

from graftml.llm.types import Completion, GenerationRequest, GenerationResult, Usage, top_margin

__all__ = ["sampling_params", "to_result"]


def sampling_params(request: GenerationRequest) -> Any:
    """The ``vllm.SamplingParams`` of ``request``."""
    params = importlib.import_module("vllm.sampling_params")
    structured = None
    if request.json_schema is not None:
        structured = params.StructuredOutputsParams(json=request.json_schema)
    return params.SamplingParams(
        n=request.n, temperature=request.temperature, top_p=request.top_p, seed=request.seed,
        max_tokens=request.max_tokens, stop=list(request.stop) or None,
        logprobs=2 if request.logprobs else None, structured_outputs=structured,
        thinking_token_budget=request.thinking_budget)


def to_result(output: Any, request: GenerationRequest, latency_s: float, model: str,
              extra: dict[str, Any] | None = None) -> GenerationResult:
    """A vLLM ``RequestOutput`` as a :class:`GenerationResult` (usage as the module defines)."""
    completions = tuple(_completion(sample, request.logprobs) for sample in output.outputs)
    usage = Usage(prompt_tokens=len(output.prompt_token_ids or ()),
                  completion_tokens=sum(c.completion_tokens for c in completions),
                  cached_tokens=int(output.num_cached_tokens or 0))
    return GenerationResult(completions, usage, latency_s, model, calls=1, extra=extra or {})


def _completion(sample: Any, logprobs: bool) -> Completion:
    """One vLLM sample; with ``logprobs``, per token its log-probability, text and top-2 margin
    (vLLM returns, per position, the sampled token and the top-k as ``Logprob`` objects)."""
    finish = sample.finish_reason or "stop"
    if not logprobs or sample.logprobs is None:
        return Completion(sample.text, finish, None, len(sample.token_ids))
    positions = list(zip(sample.token_ids, sample.logprobs, strict=False))
    chosen = tuple(float(position[token].logprob) for token, position in positions)
    texts = tuple(str(position[token].decoded_token or "") for token, position in positions)
    return Completion(sample.text, finish, chosen, len(sample.token_ids), texts,
                      tuple(top_margin([float(p.logprob) for p in position.values()])
                            for _, position in positions))

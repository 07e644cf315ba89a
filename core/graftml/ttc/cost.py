"""What a generation cost: tokens, latency, and a Kinetics-style estimate of FLOPs and bytes moved.

Tokens and latency are measured (as the backend reported them). FLOPs and memory traffic are
estimated from the model's registry entry, after Kinetics (Sadhukhan et al., 2025): decoding small
models is bound by memory traffic, not arithmetic, so a strategy that draws N samples is charged
for the weights read at every decode step and for the KV cache it re-reads as contexts grow.

* FLOPs per token ≈ ``2 · parameters`` (the linear layers) plus ``2 · E · t`` for attention at
  context position ``t``, where ``E = kv_bytes_per_token / 2`` is the number of cached K/V
  elements per token (fp16). One query head per KV head is assumed, so for grouped-query models
  the attention term is a lower bound.
* Bytes per decode step = the weights (the GGUF file size when the model is local and quantised,
  else ``2 · parameters``), read once per step (once per *batch* step when the backend batches
  the N samples), plus ``kv_bytes_per_token · t`` of KV cache read at context ``t``; every token
  also writes its KV entry once. A prefill reads the weights once.

``Cost.effective_flops(intensity)`` folds both into Kinetics' eFLOPs = FLOPs + bytes · I.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from graftml.llm.registry import ModelSpec
from graftml.llm.types import GenerationResult

__all__ = ["H100_INTENSITY", "CallShape", "Cost", "CostModel"]

H100_INTENSITY = 295.0  # FLOP per byte: 989 TFLOP/s dense bf16 over 3.35 TB/s of HBM
_KV_ELEMENT_BYTES = 2


@dataclass(frozen=True)
class CallShape:
    """What one backend call computed: a prompt prefilled ``prefills`` times, N sequences decoded.

    Built from a :class:`~graftml.llm.types.GenerationResult` by :meth:`of`.
    """

    prompt_tokens: int  # tokens of the prompt, per prefill
    prefills: int  # 1 when the backend batched the samples, else one per seeded call
    completion_tokens: tuple[int, ...]  # per decoded sequence
    cached_tokens: int = 0  # prompt tokens served from a prefix cache, per prefill
    batched: bool = False  # sequences decoded together: weights read once per step

    @classmethod
    def of(cls, result: GenerationResult, batched: bool = False) -> CallShape:
        """The shape of a finished call; per-sample token counts fall back to an even split."""
        usage, calls = result.usage, max(result.calls, 1)
        counts = tuple(c.completion_tokens for c in result.completions)
        if sum(counts) != usage.completion_tokens and result.completions:
            share = usage.completion_tokens / len(result.completions)
            counts = tuple(round(share) for _ in result.completions)
        return cls(usage.prompt_tokens // calls, calls, counts, usage.cached_tokens // calls,
                   batched and calls == 1)


@dataclass(frozen=True)
class Cost:
    """Measured tokens and latency with the estimated FLOPs and bytes; adds with ``+``."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    calls: int = 0
    latency_s: float = 0.0
    flops: float = 0.0
    bytes_moved: float = 0.0
    usd: float = 0.0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens (reasoning and cached tokens are parts of these)."""
        return self.prompt_tokens + self.completion_tokens

    def effective_flops(self, intensity: float = H100_INTENSITY) -> float:
        """Kinetics' eFLOPs: FLOPs plus bytes moved times the hardware's FLOP/byte ratio."""
        return self.flops + self.bytes_moved * intensity

    def __add__(self, other: Cost) -> Cost:
        mine, theirs = asdict(self), asdict(other)
        return Cost(**{key: mine[key] + theirs[key] for key in mine})

    def to_dict(self) -> dict[str, float]:
        """Plain numbers for JSON, with ``total_tokens`` added."""
        return {**asdict(self), "total_tokens": self.total_tokens}


@dataclass(frozen=True)
class CostModel:
    """The per-model constants of the estimate; :meth:`for_model` reads them from the registry."""

    parameters: float
    kv_bytes_per_token: int
    weight_bytes: float

    @classmethod
    def for_model(cls, spec: ModelSpec | None) -> CostModel:
        """Constants of ``spec``: weight bytes from the local GGUF file when there is one."""
        if spec is None:
            return cls(0.0, 0, 0.0)
        return cls(spec.parameters, spec.kv_bytes_per_token, _weight_bytes(spec))

    def flops(self, shape: CallShape) -> float:
        """Estimated floating-point operations of one call."""
        kv_elements = self.kv_bytes_per_token / _KV_ELEMENT_BYTES
        prompt, cached = shape.prompt_tokens, shape.cached_tokens
        prefill = shape.prefills * (2 * self.parameters * (prompt - cached)
                                    + 2 * kv_elements * (_tri(prompt) - _tri(cached)))
        decode = sum(2 * self.parameters * c + 2 * kv_elements * (_tri(prompt + c) - _tri(prompt))
                     for c in shape.completion_tokens)
        return prefill + decode

    def bytes_moved(self, shape: CallShape) -> float:
        """Estimated bytes read from and written to memory by one call."""
        steps = (max(shape.completion_tokens, default=0) if shape.batched
                 else sum(shape.completion_tokens))
        weights = self.weight_bytes * (steps + shape.prefills)
        prompt = shape.prompt_tokens
        kv_reads = sum(_tri(prompt + c - 1) - _tri(prompt - 1) for c in shape.completion_tokens)
        kv_writes = shape.prefills * prompt + sum(shape.completion_tokens)
        return weights + self.kv_bytes_per_token * (kv_reads + kv_writes)


def _tri(count: int) -> int:
    """1 + 2 + ... + count: the attention span summed over ``count`` positions."""
    return count * (count + 1) // 2 if count > 0 else 0


def _weight_bytes(spec: ModelSpec) -> float:
    if spec.provider == "llama_cpp" and spec.is_local:
        from graftml.errors import ConfigError
        from graftml.llm.local_models import gguf_path

        try:
            return float(gguf_path(spec).stat().st_size)
        except (ConfigError, OSError):
            pass  # weights not installed: estimate as bf16 below
    return 2.0 * spec.parameters

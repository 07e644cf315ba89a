"""Value types of the LLM layer: one request shape for every backend, one result shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GenerationRequest:
    """What to generate. Exactly one of ``messages`` (chat) or ``prompt`` (completion).

    ``n`` samples are drawn in one batched call where the backend supports it, else as ``n``
    calls with seeds ``seed, seed+1, ...``. ``json_schema`` asks for grammar-constrained JSON;
    ``thinking_budget`` caps reasoning tokens; ``speculative`` is passed to backends that
    support speculative decoding (e.g. ``{"method": "ngram", "num_speculative_tokens": 4}``).
    """

    messages: tuple[dict[str, str], ...] | None = None
    prompt: str | None = None
    n: int = 1
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = 0
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    logprobs: bool = False
    json_schema: dict[str, Any] | None = None
    thinking_budget: int | None = None
    speculative: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if (self.messages is None) == (self.prompt is None):
            raise ValueError("give exactly one of messages= (chat) or prompt= (completion)")
        if self.n < 1:
            raise ValueError(f"n must be >= 1, got {self.n}")
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens}")


@dataclass(frozen=True)
class Usage:
    """Tokens as reported by the backend (never estimated when the backend reports them)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt_tokens + other.prompt_tokens,
                     self.completion_tokens + other.completion_tokens,
                     self.reasoning_tokens + other.reasoning_tokens,
                     self.cached_tokens + other.cached_tokens)


@dataclass(frozen=True)
class Completion:
    """One sample.

    With ``logprobs`` requested, ``token_logprobs`` holds each sampled token's log-probability,
    ``tokens`` its text and ``token_margins`` the gap between the best and the second-best
    log-probability at that position (a near-tie where it is small: there, floating-point noise
    between two decoding paths or two CPUs may pick the other token). Backends that cannot
    report a field leave it ``None``.
    """

    text: str
    finish_reason: str = "stop"
    token_logprobs: tuple[float, ...] | None = None
    completion_tokens: int = 0
    tokens: tuple[str, ...] | None = None
    token_margins: tuple[float, ...] | None = None

    @property
    def mean_logprob(self) -> float | None:
        lp = self.token_logprobs
        return None if not lp else sum(lp) / len(lp)


@dataclass(frozen=True)
class GenerationResult:
    """All samples of one request, with usage summed over the calls made and wall latency."""

    completions: tuple[Completion, ...]
    usage: Usage
    latency_s: float
    model: str
    calls: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.completions]


def top_margin(logprobs: list[float]) -> float:
    """Best minus second-best of one position's top log-probabilities (inf with fewer than 2)."""
    best = sorted(logprobs, reverse=True)
    return best[0] - best[1] if len(best) > 1 else float("inf")

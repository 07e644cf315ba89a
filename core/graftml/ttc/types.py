"""The values of test-time compute: what to answer (TTCRequest) and what came back (TTCResult)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from graftml.errors import ConfigError
from graftml.llm.registry import ModelSpec
from graftml.llm.types import Usage
from graftml.ttc.cost import Cost

if TYPE_CHECKING:
    from graftml.llm.base import LLMBackend
    from graftml.ttc.contract import Scorer

AnswerFormat = Literal["auto", "integer", "choice", "text", "code"]
DEFAULT_SAMPLING_TEMPERATURE = 0.7


class TTCError(ConfigError):
    """A test-time-compute request that cannot run as given; raised before any token is spent."""


@dataclass(frozen=True)
class ForcingOptions:
    """Knobs of ``budget_forcing``.

    ``thinking_tokens`` is the hard cap on reasoning tokens. ``mode`` ``native`` passes it as
    ``GenerationRequest.thinking_budget`` (a thinking model on a backend that enforces it);
    ``stop_and_close`` generates up to the cap, stopping at ``think_close``, then appends
    ``think_close + answer_cue`` and generates ``answer_tokens`` more; ``auto`` picks native
    where possible. s1-style extension: while the model stops thinking before
    ``min_thinking_tokens``, ``wait_text`` is appended, at most ``wait_extensions`` times.
    """

    thinking_tokens: int = 256
    mode: Literal["auto", "native", "stop_and_close"] = "auto"
    think_open: str = "<think>\n"
    think_close: str = "</think>"
    answer_cue: str = "\nThe answer is"
    answer_tokens: int = 16
    wait_extensions: int = 0
    wait_text: str = "Wait,"
    min_thinking_tokens: int = 0


@dataclass(frozen=True)
class BeamOptions:
    """Knobs of step-level ``beam_search``: ``width`` beams, each expanded into ``expansions``
    samples of one step (text up to ``step_delimiter``, at most ``step_tokens``) per round,
    for at most ``max_steps`` rounds."""

    width: int = 2
    expansions: int = 2
    step_delimiter: str = "\n"
    step_tokens: int = 48
    max_steps: int = 4


@dataclass(frozen=True)
class AdaptiveOptions:
    """Knobs of the adaptive votes: samples are drawn ``window`` at a time, up to ``request.n``.

    ``early_stopping_self_consistency`` stops at the first window whose answers all agree;
    ``adaptive_consistency`` stops once the probability that the leading answer stays ahead of
    the runner-up (a Beta posterior over their counts) reaches ``confidence``.
    """

    window: int = 2  # small N (4-16) on CPU; the ESC paper's 5 suits N = 40
    confidence: float = 0.95


@dataclass(frozen=True)
class ConfidenceOptions:
    """Knobs of ``confidence_vote``: each sample's confidence is its mean token log-probability
    (``measure`` ``mean``) or the lowest mean over any ``group`` consecutive tokens
    (``lowest_group``, DeepConf's); the ``keep`` most confident fraction votes, each vote
    weighted by ``softmax(confidence / temperature)`` over the kept samples (CISC's)."""

    measure: Literal["mean", "lowest_group"] = "mean"
    group: int = 16
    keep: float = 1.0
    temperature: float = 0.5


@dataclass(frozen=True)
class DifficultyOptions:
    """Knobs of ``difficulty_adaptive``: ``probe`` samples first; each of two cheap signals
    (the probes agree; their mean token log-probability is at least ``confident``) that says
    "easy" lowers the spend: both: stop at the probes; one: top up to ``ceil(medium * n)``
    samples; none: to ``n``. Thresholds are set on a dev split, never on held-out problems."""

    probe: int = 2
    confident: float = -0.25
    medium: float = 0.5


@dataclass(frozen=True)
class CascadeOptions:
    """Knobs of ``cascade``: the request's model draws ``request.n`` samples; when the share of
    them behind the leading answer is below ``agreement``, ``strong_n`` samples of the strong
    model decide (greedy when ``strong_n`` is 1). ``strong`` None escalates to the request's
    own model (more samples of the same model); ``strong_spec`` describes ``strong`` (prices,
    cost model, capability checks) and is required with it."""

    strong: LLMBackend | None = None
    strong_spec: ModelSpec | None = None
    strong_n: int = 4
    agreement: float = 0.75


@dataclass(frozen=True)
class TTCRequest:
    """One question to answer with some test-time-compute strategy.

    Exactly one of ``prompt`` (completion; base models) or ``messages`` (chat). ``temperature``
    None means 0 for one sample and :data:`DEFAULT_SAMPLING_TEMPERATURE` for ``n > 1``.
    ``model`` is the registry entry used for capability checks and the cost model; None takes
    the backend's own ``spec`` when it has one. Validation happens when a strategy starts, before
    any token is spent, and raises :class:`TTCError`.
    """

    prompt: str | None = None
    messages: tuple[dict[str, str], ...] | None = None
    n: int = 1
    temperature: float | None = None
    top_p: float = 1.0
    seed: int = 0
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    answer_format: AnswerFormat = "auto"
    scorer: Scorer | None = None
    weighted: bool = False
    speculative: dict[str, Any] | None = None
    forcing: ForcingOptions = ForcingOptions()
    beam: BeamOptions = BeamOptions()
    adaptive: AdaptiveOptions = AdaptiveOptions()
    confidence: ConfidenceOptions = ConfidenceOptions()
    difficulty: DifficultyOptions = DifficultyOptions()
    cascade: CascadeOptions = CascadeOptions()
    model: ModelSpec | None = None

    @property
    def sampling_temperature(self) -> float:
        """The temperature actually used."""
        if self.temperature is not None:
            return self.temperature
        return 0.0 if self.n == 1 else DEFAULT_SAMPLING_TEMPERATURE

    @property
    def text(self) -> str:
        """The prompt, or the chat messages' contents joined (for judges and length checks)."""
        if self.prompt is not None:
            return self.prompt
        return "\n".join(m.get("content", "") for m in self.messages or ())


@dataclass(frozen=True)
class Candidate:
    """One sampled answer: its text, the extracted final answer and (when scored) its score."""

    index: int
    text: str
    answer: str | None
    score: float | None = None
    completion_tokens: int = 0
    finish_reason: str = "stop"
    token_logprobs: tuple[float, ...] | None = None

    @property
    def mean_logprob(self) -> float | None:
        """Mean log-probability of the sampled tokens, when the backend returned them."""
        lp = self.token_logprobs
        return None if not lp else sum(lp) / len(lp)


@dataclass(frozen=True)
class TTCResult:
    """What a strategy returns: the chosen answer, every candidate, the votes and the spend.

    ``usage`` sums every backend call the strategy made (judge calls included); ``cost`` adds
    the measured latency and the estimated FLOPs and bytes moved
    (:mod:`graftml.ttc.cost`).
    """

    strategy: str
    model: str
    answer: str | None
    text: str
    chosen: int
    candidates: tuple[Candidate, ...]
    usage: Usage
    cost: Cost
    latency_s: float
    calls: int
    votes: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (what ``graft ttc --json`` prints)."""
        return {
            "strategy": self.strategy, "model": self.model, "answer": self.answer,
            "text": self.text, "chosen": self.chosen, "votes": self.votes,
            "candidates": [{"index": c.index, "answer": c.answer, "score": c.score,
                            "completion_tokens": c.completion_tokens, "text": c.text}
                           for c in self.candidates],
            "usage": {"prompt_tokens": self.usage.prompt_tokens,
                      "completion_tokens": self.usage.completion_tokens,
                      "reasoning_tokens": self.usage.reasoning_tokens,
                      "cached_tokens": self.usage.cached_tokens, "total": self.usage.total},
            "cost": self.cost.to_dict(), "latency_s": round(self.latency_s, 4),
            "calls": self.calls, "extra": self.extra,
        }

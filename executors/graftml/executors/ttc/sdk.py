"""The SDK entry point :func:`run_ttc` and the registry of strategies by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graftml.budget import Ledger
from graftml.executors.ttc._types import (
    AnswerFormat,
    BeamOptions,
    ForcingOptions,
    TTCError,
    TTCRequest,
    TTCResult,
)
from graftml.executors.ttc.beam import beam_search
from graftml.executors.ttc.forcing import budget_forcing
from graftml.executors.ttc.scorers import (
    ExactMatchScorer,
    LLMJudgeScorer,
    MeanLogprobScorer,
    Scorer,
)
from graftml.executors.ttc.strategies import best_of_n, self_consistency, single, speculative
from graftml.llm.base import LLMBackend

__all__ = ["SCORERS", "STRATEGIES", "Strategy", "get_strategy", "make_scorer", "run_ttc"]

Strategy = Callable[[TTCRequest, LLMBackend, "Ledger | None"], TTCResult]
STRATEGIES: dict[str, Strategy] = {
    "beam_search": beam_search, "best_of_n": best_of_n, "budget_forcing": budget_forcing,
    "self_consistency": self_consistency, "single": single, "speculative": speculative}
SCORERS = ("exact_match", "llm_judge", "mean_logprob")


def get_strategy(name: str) -> Strategy:
    """The strategy function called ``name``.

    Raises:
        TTCError: unknown name (the message lists the valid ones).
    """
    if name not in STRATEGIES:
        raise TTCError(f"unknown strategy {name!r}; valid: {', '.join(sorted(STRATEGIES))}")
    return STRATEGIES[name]


def make_scorer(name: str, reference: str | None = None) -> Scorer:
    """A built-in scorer by name; ``exact_match`` needs the ``reference`` answer (an oracle).

    Raises:
        TTCError: unknown name, or ``exact_match`` without a reference.
    """
    if name == "mean_logprob":
        return MeanLogprobScorer()
    if name == "llm_judge":
        return LLMJudgeScorer()
    if name == "exact_match":
        if reference is None:
            raise TTCError("scorer exact_match is an oracle: give the reference answer")
        return ExactMatchScorer(reference)
    raise TTCError(f"unknown scorer {name!r}; valid: {', '.join(SCORERS)}")


def run_ttc(prompt_or_messages: str | Sequence[dict[str, str]], model: str,
            strategy: str = "single", n: int = 1, *, temperature: float | None = None,
            max_tokens: int = 256, seed: int = 0, stop: Sequence[str] = (),
            answer_format: AnswerFormat = "auto", scorer: Scorer | str | None = None,
            weighted: bool = False, speculative: dict[str, Any] | None = None,
            forcing: ForcingOptions | None = None, beam: BeamOptions | None = None,
            chat: bool | None = None, ledger: Ledger | None = None,
            backend: LLMBackend | None = None) -> TTCResult:
    """Answer one prompt with a test-time-compute strategy on a registered model.

    A string is sent as one user message to a chat model and as a completion prompt to a base
    model (``chat`` overrides); a list of messages is sent as chat. Everything is checked before
    the first token, raising :class:`TTCError` (a ``ConfigError``).

    Args:
        prompt_or_messages: the question.
        model: a registered model (see :func:`graftml.llm.registry.get_model`).
        strategy: a key of :data:`STRATEGIES`.
        n: samples to draw (``single`` needs 1).
        temperature: None for greedy at n=1 and 0.7 otherwise; 0 with n > 1 is an error.
        max_tokens: the most tokens per sample.
        seed: samples use seeds ``seed, seed+1, ...``.
        stop: stop strings.
        answer_format: how final answers are extracted (``auto``, ``integer``, ``choice``,
            ``text``, ``code``).
        scorer: a :class:`Scorer`, or a name in :data:`SCORERS` (not ``exact_match``).
        weighted: ``self_consistency`` weighs votes by score.
        speculative: e.g. ``{"method": "prompt_lookup", "num_speculative_tokens": 4}``.
        forcing: ``budget_forcing`` options.
        beam: ``beam_search`` options.
        chat: force chat (True) or completion (False) for a string prompt.
        ledger: account to check and charge (tokens per call; FLOPs/bytes per run).
        backend: an already-loaded backend for ``model`` (else one is made and closed).

    Returns:
        The :class:`TTCResult`: answer, candidates, votes, usage and cost.
    """
    from graftml.executors.ttc.llama_logprobs import make_ttc_backend
    from graftml.llm.registry import get_model

    run = get_strategy(strategy)
    spec = get_model(model)
    use_chat = spec.capabilities.chat if chat is None else chat
    prompt: str | None
    messages: tuple[dict[str, str], ...] | None
    if isinstance(prompt_or_messages, str):
        text = prompt_or_messages
        messages = ({"role": "user", "content": text},) if use_chat else None
        prompt = None if use_chat else text
    else:
        prompt, messages = None, tuple(dict(m) for m in prompt_or_messages)
    request = TTCRequest(
        prompt=prompt, messages=messages, n=n, temperature=temperature, seed=seed,
        max_tokens=max_tokens, stop=tuple(stop), answer_format=answer_format,
        scorer=make_scorer(scorer) if isinstance(scorer, str) else scorer, weighted=weighted,
        speculative=speculative, forcing=forcing or ForcingOptions(),
        beam=beam or BeamOptions(), model=spec)
    owned = backend is None
    target = make_ttc_backend(spec) if backend is None else backend
    try:
        return run(request, target, ledger)
    finally:
        if owned:
            target.close()

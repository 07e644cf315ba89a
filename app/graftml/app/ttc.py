"""The test-time-compute SDK entry point: ``graftml.run_ttc`` answers one prompt.

It is the composition root of a TTC request: the model file from the registry, the backend from
the one backend factory, the strategy and scorer from their registries (or the caller's own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from graftml.budget import Ledger
from graftml.executors.ttc.registry import Strategy, get_strategy, make_scorer
from graftml.executors.ttc.scorers import Scorer
from graftml.llm.base import LLMBackend
from graftml.llm.metered import make_backend
from graftml.llm.registry import get_model
from graftml.ttc.types import (
    AdaptiveOptions,
    AnswerFormat,
    BeamOptions,
    CascadeOptions,
    ConfidenceOptions,
    DifficultyOptions,
    ForcingOptions,
    TTCRequest,
    TTCResult,
)

__all__ = ["run_ttc"]


def run_ttc(prompt_or_messages: str | Sequence[dict[str, str]], model: str,
            strategy: str | Strategy = "single", n: int = 1, *, temperature: float | None = None,
            max_tokens: int = 256, seed: int = 0, stop: Sequence[str] = (),
            answer_format: AnswerFormat = "auto", scorer: Scorer | str | None = None,
            weighted: bool = False, speculative: dict[str, Any] | None = None,
            forcing: ForcingOptions | None = None, beam: BeamOptions | None = None,
            adaptive: AdaptiveOptions | None = None,
            confidence: ConfidenceOptions | None = None,
            difficulty: DifficultyOptions | None = None,
            cascade: CascadeOptions | None = None, strong_model: str | None = None,
            chat: bool | None = None, ledger: Ledger | None = None,
            backend: LLMBackend | None = None) -> TTCResult:
    """Answer one prompt with a test-time-compute strategy on a registered model.

    A string is sent as one user message to a chat model and as a completion prompt to a base
    model (``chat`` overrides); a list of messages is sent as chat. Everything is checked before
    the first token, raising :class:`~graftml.executors.ttc.TTCError` (a ``ConfigError``).

    Args:
        prompt_or_messages: the question.
        model: a registered model (see :func:`graftml.llm.registry.get_model`).
        strategy: a registered strategy's name
            (:func:`~graftml.executors.ttc.registry.get_strategy`), or a strategy function.
        n: samples to draw (``single`` needs 1).
        temperature: None for greedy at n=1 and 0.7 otherwise; 0 with n > 1 is an error.
        max_tokens: the most tokens per sample.
        seed: samples use seeds ``seed, seed+1, ...``.
        stop: stop strings.
        answer_format: how final answers are extracted (``auto``, ``integer``, ``choice``,
            ``text``, ``code``).
        scorer: a :class:`Scorer`, or a registered scorer's name (not an oracle such as
            ``exact_match``).
        weighted: ``self_consistency`` weighs votes by score.
        speculative: e.g. ``{"method": "prompt_lookup", "num_speculative_tokens": 4}``.
        forcing: ``budget_forcing`` options.
        beam: ``beam_search`` options.
        adaptive: options of the adaptive votes (window, confidence).
        confidence: ``confidence_vote`` options.
        difficulty: ``difficulty_adaptive`` options.
        cascade: ``cascade`` options.
        strong_model: ``cascade``: the registered model to escalate to (loaded for this call
            and closed after; or pass ``cascade.strong`` yourself).
        chat: force chat (True) or completion (False) for a string prompt.
        ledger: account to check and charge (tokens per call; FLOPs/bytes per run).
        backend: an already-loaded backend for ``model`` (else one is made and closed).

    Returns:
        The :class:`TTCResult`: answer, candidates, votes, usage and cost.
    """
    run = get_strategy(strategy) if isinstance(strategy, str) else strategy
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
        beam=beam or BeamOptions(), adaptive=adaptive or AdaptiveOptions(),
        confidence=confidence or ConfidenceOptions(),
        difficulty=difficulty or DifficultyOptions(), cascade=cascade or CascadeOptions(),
        model=spec)
    owned: list[LLMBackend] = []
    if strong_model is not None:
        strong_spec = get_model(strong_model)
        owned.append(make_backend(strong_spec))
        request = replace(request, cascade=replace(request.cascade, strong=owned[-1],
                                                   strong_spec=strong_spec))
    if backend is None:
        owned.append(make_backend(spec))
    try:
        return run(request, backend or owned[-1], ledger)
    finally:
        for made in owned:
            made.close()

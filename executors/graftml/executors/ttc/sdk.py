"""The SDK entry point :func:`run_ttc`, and strategies and scorers by name.

Strategies and scorers are plugins (entry point groups ``graftml.strategies`` and
``graftml.scorers``; graftml's own are declared in its ``pyproject.toml``). A strategy is a
function ``(TTCRequest, LLMBackend, Ledger | None) -> TTCResult``; a scorer a class built with no
argument, or with the reference answer when its ``needs_reference`` is true.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graftml.budget import Ledger
from graftml.errors import ConfigError
from graftml.executors.ttc._types import (
    AnswerFormat,
    BeamOptions,
    ForcingOptions,
    TTCError,
    TTCRequest,
    TTCResult,
)
from graftml.executors.ttc.scorers import Scorer
from graftml.llm.base import LLMBackend
from graftml.plugins import SCORERS, STRATEGIES

__all__ = ["SCORERS", "STRATEGIES", "Strategy", "get_strategy", "make_scorer", "run_ttc"]

Strategy = Callable[[TTCRequest, LLMBackend, "Ledger | None"], TTCResult]


def get_strategy(name: str) -> Strategy:
    """The strategy registered as ``name``.

    Raises:
        TTCError: unknown name (the message lists the valid ones).
    """
    try:
        strategy: Strategy = STRATEGIES.get(name)
    except ConfigError as exc:
        raise TTCError(str(exc)) from None
    return strategy


def make_scorer(name: str, reference: str | None = None) -> Scorer:
    """The scorer registered as ``name``; ``exact_match`` needs the ``reference`` answer.

    Raises:
        TTCError: unknown name, or a reference-based scorer (an oracle) without a reference.
    """
    try:
        cls = SCORERS.get(name)
    except ConfigError as exc:
        raise TTCError(str(exc)) from None
    if not getattr(cls, "needs_reference", False):
        scorer: Scorer = cls()
        return scorer
    if reference is None:
        raise TTCError(f"scorer {name} is an oracle: give the reference answer")
    scorer = cls(reference)
    return scorer


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
        strategy: a registered strategy (:func:`get_strategy`).
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
        chat: force chat (True) or completion (False) for a string prompt.
        ledger: account to check and charge (tokens per call; FLOPs/bytes per run).
        backend: an already-loaded backend for ``model`` (else one is made and closed).

    Returns:
        The :class:`TTCResult`: answer, candidates, votes, usage and cost.
    """
    from graftml.llm.metered import make_backend
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
    target = make_backend(spec) if backend is None else backend
    try:
        return run(request, target, ledger)
    finally:
        if owned:
            target.close()

"""``budget_forcing``: a hard cap on thinking tokens, with optional s1-style extension.

Native mode passes the cap as ``GenerationRequest.thinking_budget`` (a thinking model on a
backend that enforces it). Stop-and-close mode works with any model that continues text: it
opens a thinking block, generates up to the cap stopping at the closing tag, optionally appends
"Wait," when the model stops before ``min_thinking_tokens`` (at most ``wait_extensions``
times, within the cap), then appends the closing tag and the answer cue and generates the
answer. Samples are drawn with seeds ``seed + i``; for n > 1 the answers are voted.
"""

from __future__ import annotations

from dataclasses import dataclass

from graftml.budget import Ledger
from graftml.executors.ttc.extract import extract_answer
from graftml.executors.ttc.preflight import (
    NATIVE_THINKING_PROVIDERS,
    check_native_thinking,
    check_request,
    resolve_spec,
)
from graftml.executors.ttc.sampling import (
    candidates_of,
    completion_base,
    finish,
    generation_request,
    sample_tokens,
)
from graftml.executors.ttc.vote import majority_vote
from graftml.llm.base import LLMBackend
from graftml.llm.registry import ModelSpec
from graftml.llm.types import GenerationRequest
from graftml.ttc.session import Session
from graftml.ttc.types import Candidate, ForcingOptions, TTCRequest, TTCResult

__all__ = ["budget_forcing"]

_CUE_TOKENS = 32  # headroom for the closing tag, answer cue and "Wait" texts


@dataclass
class _Thought:
    text: str
    tokens: int
    finish_reason: str
    waits: int = 0


def budget_forcing(request: TTCRequest, backend: LLMBackend, ledger: Ledger | None = None
                   ) -> TTCResult:
    """Answer after at most ``request.forcing.thinking_tokens`` tokens of reasoning.

    Raises:
        TTCError: native mode on a model without thinking or on a backend that cannot enforce
            the budget; chat messages that cannot be rendered for stop-and-close; any check of
            the request.
    """
    spec, options = resolve_spec(request, backend), request.forcing
    if _native(options, spec):
        check_native_thinking(spec)
        return _run_native(request, backend, spec, ledger)
    base = completion_base(request, spec, "budget_forcing") + options.think_open
    check_request(request, spec, "budget_forcing",
                  max_new_tokens=options.thinking_tokens + options.answer_tokens + _CUE_TOKENS)
    session = Session(backend, spec, "budget_forcing", ledger)
    first = session.generate(generation_request(
        request, prompt=base, messages=None, max_tokens=options.thinking_tokens,
        stop=(options.think_close,)))
    candidates, thoughts = [], []
    for i, completion in enumerate(first.completions):
        thought = _Thought(completion.text, sample_tokens(first, i), completion.finish_reason)
        _extend(session, request, base, thought, request.seed + i)
        session.add_reasoning(thought.tokens)
        candidates.append(_close(session, request, base, thought, i))
        thoughts.append(thought)
    vote = majority_vote(candidates)
    return finish(session, candidates, vote.chosen, vote.answer, vote.tally,
                  mode="stop_and_close", thinking_tokens=[t.tokens for t in thoughts],
                  waits=[t.waits for t in thoughts])


def _native(options: ForcingOptions, spec: ModelSpec) -> bool:
    if options.mode == "auto":
        return spec.capabilities.thinking and spec.provider in NATIVE_THINKING_PROVIDERS
    return options.mode == "native"


def _run_native(request: TTCRequest, backend: LLMBackend, spec: ModelSpec,
                ledger: Ledger | None) -> TTCResult:
    options = request.forcing
    max_tokens = options.thinking_tokens + options.answer_tokens
    check_request(request, spec, "budget_forcing", max_new_tokens=max_tokens)
    session = Session(backend, spec, "budget_forcing", ledger)
    result = session.generate(generation_request(
        request, max_tokens=max_tokens, thinking_budget=options.thinking_tokens))
    vote = majority_vote(candidates_of(result, request))
    return finish(session, candidates_of(result, request), vote.chosen, vote.answer,
                  vote.tally, mode="native")


def _extend(session: Session, request: TTCRequest, base: str, thought: _Thought,
            seed: int) -> None:
    """s1: while the model stopped thinking too early, append "Wait," and let it go on."""
    options = request.forcing
    while (thought.waits < options.wait_extensions and thought.finish_reason == "stop"
           and thought.tokens < min(options.min_thinking_tokens, options.thinking_tokens)):
        thought.text = f"{thought.text.rstrip()}\n{options.wait_text}"
        more = session.generate(GenerationRequest(
            prompt=base + thought.text, temperature=request.sampling_temperature,
            top_p=request.top_p, seed=seed, max_tokens=options.thinking_tokens - thought.tokens,
            stop=(options.think_close,), speculative=request.speculative))
        thought.text += more.completions[0].text
        thought.tokens += sample_tokens(more, 0)
        thought.finish_reason = more.completions[0].finish_reason
        thought.waits += 1


def _close(session: Session, request: TTCRequest, base: str, thought: _Thought,
           index: int) -> Candidate:
    """Close the thinking block, cue the answer and generate it."""
    options = request.forcing
    head = f"{thought.text}{options.think_close}{options.answer_cue}"
    result = session.generate(GenerationRequest(
        prompt=base + head, temperature=request.sampling_temperature, top_p=request.top_p,
        seed=request.seed + index, max_tokens=options.answer_tokens,
        stop=request.stop or ("\n",), speculative=request.speculative))
    answer = result.completions[0]
    text = f"{options.think_open}{head}{answer.text}"
    extracted = extract_answer(f"{options.answer_cue}{answer.text}", request.answer_format)
    return Candidate(index, text, extracted,
                     completion_tokens=thought.tokens + sample_tokens(result, 0),
                     finish_reason=answer.finish_reason)

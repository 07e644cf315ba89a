"""Pieces every strategy shares: building backend requests, reading candidates, the result."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graftml.executors.ttc.extract import extract_answer
from graftml.executors.ttc.local_tokenizer import render_chat
from graftml.llm.registry import ModelSpec
from graftml.llm.types import GenerationRequest, GenerationResult
from graftml.ttc.session import Session
from graftml.ttc.types import Candidate, TTCError, TTCRequest, TTCResult


def generation_request(request: TTCRequest, n: int | None = None, **changes: Any
                       ) -> GenerationRequest:
    """The backend request for ``request`` (``n`` samples; ``changes`` override fields)."""
    scorer = request.scorer
    fields: dict[str, Any] = {
        "prompt": request.prompt, "messages": request.messages,
        "n": request.n if n is None else n, "temperature": request.sampling_temperature,
        "top_p": request.top_p, "seed": request.seed, "max_tokens": request.max_tokens,
        "stop": request.stop, "logprobs": bool(scorer is not None and scorer.needs_logprobs),
        "speculative": request.speculative}
    fields.update(changes)
    return GenerationRequest(**fields)


def candidates_of(result: GenerationResult, request: TTCRequest, start: int = 0
                  ) -> list[Candidate]:
    """One candidate per completion, with its extracted answer."""
    return [Candidate(start + i, c.text, extract_answer(c.text, request.answer_format),
                      completion_tokens=c.completion_tokens, finish_reason=c.finish_reason,
                      token_logprobs=c.token_logprobs)
            for i, c in enumerate(result.completions)]


def scored(candidates: list[Candidate], request: TTCRequest, session: Session
           ) -> list[Candidate]:
    """``candidates`` with the request's scorer's scores (unchanged without a scorer)."""
    if request.scorer is None or not candidates:
        return candidates
    scores = request.scorer.score(request, candidates, session)
    return [replace(c, score=s) for c, s in zip(candidates, scores, strict=True)]


def finish(session: Session, candidates: list[Candidate], chosen: int,
           answer: str | None = None, votes: dict[str, float] | None = None,
           **extra: Any) -> TTCResult:
    """Close the session (charging the ledger) and build the result around candidate ``chosen``.
    ``answer`` defaults to the chosen candidate's."""
    session.close()
    by_index = {c.index: c for c in candidates}
    carrier = by_index[chosen]
    return TTCResult(
        strategy=session.strategy, model=session.spec.name,
        answer=carrier.answer if answer is None else answer, text=carrier.text,
        chosen=chosen, candidates=tuple(candidates), usage=session.usage, cost=session.cost,
        latency_s=session.elapsed_s, calls=session.calls, votes=votes or {}, extra=extra)


def completion_base(request: TTCRequest, spec: ModelSpec, strategy: str) -> str:
    """The text a strategy continues: the prompt, or the messages rendered by the model's chat
    template (local models only).

    Raises:
        TTCError: chat messages for a model whose template cannot be rendered here.
    """
    if request.prompt is not None:
        return request.prompt
    rendered = render_chat(spec, request.messages or ())
    if rendered is None:
        raise TTCError(f"{strategy} continues the model's own text, so it needs a completion "
                       f"prompt: model {spec.name!r} ({spec.provider}) has no local chat "
                       "template to render the messages; pass prompt=...")
    return rendered


def sample_tokens(result: GenerationResult, index: int) -> int:
    """Completion tokens of sample ``index`` (an even share when the backend gave totals only)."""
    count = result.completions[index].completion_tokens
    if count or not result.completions[index].text:
        return count
    return round(result.usage.completion_tokens / len(result.completions))

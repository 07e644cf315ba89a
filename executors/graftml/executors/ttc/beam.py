"""``beam_search``: step-level beam search guided by a scorer.

A step is the text up to ``request.beam.step_delimiter`` (a line, by default). Each round every
open beam is expanded into ``expansions`` sampled next steps (one backend request with
``n=expansions``, seeded by round and beam); the new partial answers are scored (the
mean-logprob scorer by default, over all tokens so far) and the best ``width`` partial answers,
finished ones included, are kept. A beam finishes when it states its answer ("the answer is",
a boxed answer), when the model ends the text, or after ``max_steps`` rounds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from graftml.budget import Ledger
from graftml.executors.ttc.extract import extract_answer
from graftml.executors.ttc.preflight import check_request, resolve_spec
from graftml.executors.ttc.sampling import completion_base, finish, generation_request
from graftml.executors.ttc.scorers import MeanLogprobScorer
from graftml.llm.base import LLMBackend
from graftml.llm.types import Completion
from graftml.ttc.session import Session
from graftml.ttc.types import (
    DEFAULT_SAMPLING_TEMPERATURE,
    Candidate,
    TTCError,
    TTCRequest,
    TTCResult,
)

__all__ = ["beam_search"]

_FINAL = re.compile(r"answer\s*(?:is|:)|\\boxed\{", re.IGNORECASE)
_SEED_STRIDE = 1000  # seeds of round r start at seed + r * stride


@dataclass(frozen=True)
class _Beam:
    candidate: Candidate
    done: bool = False


def beam_search(request: TTCRequest, backend: LLMBackend, ledger: Ledger | None = None
                ) -> TTCResult:
    """Build the answer step by step, keeping the ``width`` best-scored partial answers.

    Raises:
        TTCError: a width, expansion count or step count below 1; no scorer can apply; chat
            messages that cannot be rendered; any check of the request.
    """
    spec, options = resolve_spec(request, backend), request.beam
    if min(options.width, options.expansions, options.max_steps, options.step_tokens) < 1:
        raise TTCError(f"beam width, expansions, max_steps and step_tokens must be >= 1, got "
                       f"{options.width}, {options.expansions}, {options.max_steps}, "
                       f"{options.step_tokens}")
    request = _with_defaults(request, spec.capabilities.logprobs, spec.name)
    base = completion_base(request, spec, "beam_search")
    check_request(request, spec, "beam_search", samples=options.expansions,
                  max_new_tokens=options.step_tokens * options.max_steps)
    session = Session(backend, spec, "beam_search", ledger)
    beams, made, rounds = [_Beam(Candidate(-1, "", None, token_logprobs=()))], 0, 0
    while rounds < options.max_steps and not all(beam.done for beam in beams):
        children = _expand(session, request, base, beams, rounds, made)
        made, rounds = made + len(children), rounds + 1
        beams = _keep_best([b for b in beams if b.done] + _scored(children, request, session),
                           options.width)
    candidates = [beam.candidate for beam in beams]
    best = max(candidates, key=lambda c: (c.score or 0.0, -c.index))
    return finish(session, candidates, best.index, rounds=rounds, expanded=made)


def _with_defaults(request: TTCRequest, logprobs: bool, model: str) -> TTCRequest:
    if request.scorer is None:
        if not logprobs:
            raise TTCError(f"beam_search needs a scorer: model {model!r} returns no logprobs "
                           "for the default mean_logprob scorer; pass scorer=...")
        request = replace(request, scorer=MeanLogprobScorer())
    if request.temperature is None and request.beam.expansions > 1:
        request = replace(request, temperature=DEFAULT_SAMPLING_TEMPERATURE)
    return request


def _expand(session: Session, request: TTCRequest, base: str, beams: list[_Beam], step: int,
            start: int) -> list[_Beam]:
    options, children = request.beam, list[_Beam]()
    for number, beam in enumerate(b for b in beams if not b.done):
        result = session.generate(generation_request(
            request, n=options.expansions, prompt=base + beam.candidate.text, messages=None,
            max_tokens=options.step_tokens, stop=(options.step_delimiter, *request.stop),
            seed=request.seed + step * _SEED_STRIDE + number * options.expansions))
        last = step == options.max_steps - 1
        for completion in result.completions:
            children.append(_child(request, beam, completion, start + len(children), last))
    return children


def _child(request: TTCRequest, parent: _Beam, completion: Completion, index: int,
           last: bool) -> _Beam:
    step_text = completion.text
    ended = not step_text.strip() or bool(_FINAL.search(step_text))
    if completion.finish_reason == "stop" and not ended:
        step_text += request.beam.step_delimiter
    text = parent.candidate.text + step_text
    logprobs = (parent.candidate.token_logprobs or ()) + (completion.token_logprobs or ())
    candidate = Candidate(index, text, extract_answer(text, request.answer_format),
                          completion_tokens=parent.candidate.completion_tokens
                          + completion.completion_tokens,
                          finish_reason=completion.finish_reason, token_logprobs=logprobs)
    return _Beam(candidate, done=ended or last)


def _scored(children: list[_Beam], request: TTCRequest, session: Session) -> list[_Beam]:
    if request.scorer is None:  # never: _with_defaults sets one
        return children
    scores = request.scorer.score(request, [c.candidate for c in children], session)
    return [replace(c, candidate=replace(c.candidate, score=s))
            for c, s in zip(children, scores, strict=True)]


def _keep_best(beams: list[_Beam], width: int) -> list[_Beam]:
    ranked = sorted(beams, key=lambda b: (-(b.candidate.score or 0.0), b.candidate.index))
    return ranked[:width]

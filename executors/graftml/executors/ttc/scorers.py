"""Scorers rank candidates for ``best_of_n``, weighted ``self_consistency`` and ``beam_search``.

A scorer returns one score per candidate in [0, 1], higher is better. Built in:

* :class:`ExactMatchScorer`: 1 when the extracted answer equals a known reference. An oracle:
  only meaningful on evaluation sets with answers, and only when configured explicitly.
* :class:`MeanLogprobScorer`: the geometric-mean token probability, ``exp(mean logprob)``; needs
  a backend that returns logprobs.
* :class:`LLMJudgeScorer`: asks a model (the same one by default) to rate each candidate 0-9.
* :class:`~graftml.executors.ttc.verify.ExecutionVerifier`: runs code answers with tests in the
  sandbox (pass = 1).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from graftml.executors.ttc.extract import normalize_answer
from graftml.llm.base import LLMBackend
from graftml.llm.registry import ModelSpec
from graftml.llm.types import GenerationRequest
from graftml.ttc.contract import Scorer
from graftml.ttc.session import Session
from graftml.ttc.types import Candidate, TTCRequest

__all__ = ["ExactMatchScorer", "LLMJudgeScorer", "MeanLogprobScorer", "Scorer"]


@dataclass(frozen=True)
class ExactMatchScorer:
    """1.0 when a candidate's answer equals ``reference`` after normalisation, else 0.0."""

    reference: str
    name: str = "exact_match"
    needs_logprobs: bool = False
    #: built with the reference answer by :func:`~graftml.executors.ttc.registry.make_scorer`
    needs_reference: ClassVar[bool] = True

    def score(self, request: TTCRequest, candidates: Sequence[Candidate],
              session: Session) -> list[float]:
        """Compare each extracted answer with the reference; spends no tokens."""
        expected = normalize_answer(self.reference)
        return [float(c.answer is not None and normalize_answer(c.answer) == expected)
                for c in candidates]


@dataclass(frozen=True)
class MeanLogprobScorer:
    """``exp(mean token logprob)`` of each candidate (0.0 for a candidate without logprobs)."""

    name: str = "mean_logprob"
    needs_logprobs: bool = True

    def score(self, request: TTCRequest, candidates: Sequence[Candidate],
              session: Session) -> list[float]:
        """Read the logprobs the backend returned with each sample; spends no tokens."""
        return [0.0 if c.mean_logprob is None else math.exp(c.mean_logprob) for c in candidates]


_JUDGE_QUESTION = ("Question:\n{question}\n\nProposed answer:\n{answer}\n\nIs the proposed "
                   "answer correct? Rate it with one digit from 0 (wrong) to 9 (surely right).")
_JUDGE_COMPLETION = ("Question: {question}\nProposed answer: {answer}\n"
                     "Is the proposed answer correct? Rating from 0 (wrong) to 9 (right):")


class LLMJudgeScorer:
    """Asks a judge model to rate each candidate from 0 to 9 (greedy, a few tokens); the score
    is the first digit of its reply divided by 9, or 0.0 when it gives none.

    Args:
        backend: the judge; None uses the model being sampled.
        spec: the judge's registry entry (for its prices, cost and whether it chats).
        max_tokens: tokens the judge may write.
    """

    name = "llm_judge"
    needs_logprobs = False

    def __init__(self, backend: LLMBackend | None = None, spec: ModelSpec | None = None,
                 max_tokens: int = 4) -> None:
        self.backend, self.spec, self.max_tokens = backend, spec, max_tokens

    def score(self, request: TTCRequest, candidates: Sequence[Candidate],
              session: Session) -> list[float]:
        """One judge call per candidate, through ``session`` (counted and charged)."""
        spec = self.spec or session.spec
        scores = []
        for candidate in candidates:
            judged = session.generate(self._request(request, candidate, spec.capabilities.chat),
                                      backend=self.backend, spec=self.spec)
            digit = re.search(r"\d", judged.texts[0])
            scores.append(0.0 if digit is None else int(digit.group(0)) / 9)
        return scores

    def _request(self, request: TTCRequest, candidate: Candidate,
                 chat: bool) -> GenerationRequest:
        answer = candidate.text.strip()[-1500:]
        if chat:
            content = _JUDGE_QUESTION.format(question=request.text, answer=answer)
            return GenerationRequest(messages=({"role": "user", "content": content},),
                                     max_tokens=self.max_tokens, temperature=0.0)
        prompt = _JUDGE_COMPLETION.format(question=request.text, answer=answer)
        return GenerationRequest(prompt=prompt, max_tokens=self.max_tokens, temperature=0.0,
                                 stop=("\n",))

"""Confidence-weighted votes: sure samples outvote a hesitant majority; the unsure are dropped."""

from __future__ import annotations

import math

import pytest

from graftml.executors.ttc import TTCRequest, get_strategy, self_consistency
from graftml.executors.ttc.confidence import sample_confidence
from graftml.llm.types import Completion, GenerationRequest, GenerationResult, Usage
from graftml.ttc import Candidate, ConfidenceOptions

from .conftest import toy_spec

SURE, HESITANT = (-0.1, -0.1, -0.1), (-2.0, -2.2, -2.0)


class LogprobBackend:
    """Answers A once with sure tokens, then B twice with hesitant ones."""

    model = "toy"

    def generate(self, request: GenerationRequest) -> GenerationResult:
        made = [("the answer is 7", SURE), ("the answer is 9", HESITANT),
                ("the answer is 9", HESITANT)][: request.n]
        completions = tuple(Completion(t, "stop", lp if request.logprobs else None, 3)
                            for t, lp in made)
        return GenerationResult(completions, Usage(3 * request.n, 3 * request.n), 0.0,
                                "toy", calls=request.n)

    def close(self) -> None:
        return None


def ask(**confidence: object) -> TTCRequest:
    return TTCRequest(prompt="q", n=3, temperature=0.7, model=toy_spec(logprobs=True),
                      confidence=ConfidenceOptions(**confidence))  # type: ignore[arg-type]


def test_a_sure_sample_outvotes_a_hesitant_majority() -> None:
    assert self_consistency(ask(), LogprobBackend(), None).answer == "9"
    result = get_strategy("confidence_vote")(ask(), LogprobBackend(), None)
    assert result.answer == "7" and result.extra["kept"] == 3
    assert sum(c.score or 0 for c in result.candidates) == pytest.approx(1.0)


def test_only_the_kept_fraction_votes() -> None:
    result = get_strategy("confidence_vote")(ask(keep=0.34, temperature=100.0), LogprobBackend(),
                                              None)
    assert result.extra["kept"] == 2  # ceil(0.34 * 3)
    assert [c.score == 0 for c in result.candidates] == [False, False, True]


def test_the_lowest_group_catches_one_wavering_stretch() -> None:
    steady = Candidate(0, "", "1", token_logprobs=(-0.5,) * 8)
    wavering = Candidate(1, "", "1", token_logprobs=(-0.1,) * 14 + (-3.0, -3.0))
    mean, group = ConfidenceOptions(), ConfidenceOptions(measure="lowest_group", group=2)
    assert sample_confidence(wavering, mean) > sample_confidence(steady, mean)
    assert sample_confidence(wavering, group) == pytest.approx(-3.0)
    assert sample_confidence(steady, group) == pytest.approx(-0.5)
    assert sample_confidence(Candidate(2, "", None), mean) == -math.inf

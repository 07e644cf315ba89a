"""Difficulty-adaptive N spends samples by how hard a problem looks; the cascade escalates to
the strong model only when the cheap model's vote is split, and charges both."""

from __future__ import annotations

import pytest

from graftml.budget import Budget, Ledger
from graftml.executors.ttc import TTCError, TTCRequest, get_strategy
from graftml.executors.ttc.difficulty import planned_samples
from graftml.llm.types import Completion, GenerationRequest, GenerationResult, Usage
from graftml.ttc import CascadeOptions, DifficultyOptions

from .conftest import toy_spec


class Answers:
    """Sample ``seed + i`` answers ``answers[seed + i]`` with mean log-probability
    ``logprob``; every request is recorded as ``(n, seed)``."""

    def __init__(self, answers: list[int], logprob: float = -0.1, name: str = "toy") -> None:
        self.answers, self.logprob, self.model = answers, logprob, name
        self.spec = toy_spec(name=name, logprobs=True)
        self.requests: list[tuple[int, int]] = []

    def generate(self, request: GenerationRequest) -> GenerationResult:
        seed = request.seed or 0
        self.requests.append((request.n, seed))
        completions = tuple(
            Completion(f"so the answer is {self.answers[seed + i]}.", completion_tokens=5,
                       token_logprobs=(self.logprob,) * 5) for i in range(request.n))
        return GenerationResult(completions, Usage(3 * request.n, 5 * request.n), 0.0,
                                self.model, calls=request.n)

    def close(self) -> None:
        return None


def ask(backend: Answers, n: int = 8, **fields: object) -> TTCRequest:
    return TTCRequest(prompt="What is 2+3?", n=n, temperature=0.7, seed=0, model=backend.spec,
                      **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("answers", "logprob", "drawn", "answer"), [
    ([5, 5, 6, 6, 6, 6, 6, 6], -0.1, 2, "5"),  # probes agree, confident: stop
    ([5, 5, 6, 6, 6, 6, 6, 6], -0.9, 4, "5"),  # agree, unsure: half of N (2-2: first wins)
    ([5, 6, 6, 6, 6, 6, 6, 6], -0.1, 4, "6"),  # disagree, confident: half of N
    ([5, 6, 6, 6, 6, 6, 6, 6], -0.9, 8, "6"),  # neither: all N
])
def test_difficulty_adaptive_draws_by_the_probes_signals(answers: list[int], logprob: float,
                                                         drawn: int, answer: str) -> None:
    backend = Answers(answers, logprob)
    result = get_strategy("difficulty_adaptive")(ask(backend), backend, None)
    assert len(result.candidates) == drawn == result.extra["drawn"]
    assert backend.requests[0] == (2, 0) and sum(n for n, _ in backend.requests) == drawn
    assert result.answer == answer


def test_planned_samples_never_fall_below_the_probes_nor_exceed_n() -> None:
    options = DifficultyOptions(probe=3, medium=0.25)
    assert [planned_samples(s, 8, options) for s in (2, 1, 0)] == [3, 3, 8]
    assert planned_samples(2, 2, options) == 2


def test_difficulty_adaptive_needs_logprobs() -> None:
    backend = Answers([5] * 8)
    with pytest.raises(TTCError, match="reads token logprobs"):
        get_strategy("difficulty_adaptive")(TTCRequest(prompt="q", n=4, model=toy_spec()),
                                            backend, None)


def test_the_cascade_keeps_an_agreed_cheap_answer_and_never_calls_the_strong_model() -> None:
    weak, strong = Answers([5, 5, 5, 6]), Answers([9] * 4, name="strong")
    options = CascadeOptions(strong=strong, strong_spec=strong.spec, agreement=0.75)
    result = get_strategy("cascade")(ask(weak, n=4, cascade=options), weak, None)
    assert (result.answer, result.extra["escalated"], strong.requests) == ("5", False, [])


def test_the_cascade_escalates_a_split_vote_and_charges_both_models() -> None:
    weak, strong = Answers([5, 6, 5, 6]), Answers([9, 9, 8, 9], name="strong")
    options = CascadeOptions(strong=strong, strong_spec=strong.spec, strong_n=4)
    ledger = Ledger(Budget())
    result = get_strategy("cascade")(ask(weak, n=4, cascade=options), weak, ledger)
    assert (result.answer, result.extra["escalated"]) == ("9", True)
    assert strong.requests == [(4, 0)] and len(result.candidates) == 8
    assert ledger.spent.tokens == result.usage.total == 2 * (4 * 3 + 4 * 5)


def test_a_strong_backend_without_its_spec_is_a_one_line_error() -> None:
    weak, strong = Answers([5] * 4), Answers([9] * 4)
    with pytest.raises(TTCError, match="give strong= and strong_spec= together"):
        get_strategy("cascade")(ask(weak, n=4, cascade=CascadeOptions(strong=strong)), weak,
                                None)

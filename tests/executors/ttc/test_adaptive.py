"""The adaptive votes stop when the vote is settled, and never draw more than n samples."""

from __future__ import annotations

import pytest

from graftml.executors.ttc import TTCRequest, get_strategy, self_consistency
from graftml.executors.ttc.adaptive import lead_probability
from graftml.llm import GenerationRequest, ScriptedBackend
from graftml.ttc import AdaptiveOptions

from .conftest import toy_spec


def answers(*values: int) -> ScriptedBackend:
    return ScriptedBackend([f"so the answer is {v}." for v in values])


def request(n: int, window: int, confidence: float = 0.95) -> TTCRequest:
    return TTCRequest(prompt="What is 2+3?", n=n, temperature=0.7, seed=10, model=toy_spec(),
                      adaptive=AdaptiveOptions(window=window, confidence=confidence))


def test_esc_stops_at_the_first_unanimous_window_and_seeds_continue() -> None:
    backend = answers(5, 6, 5, 5, 7, 7, 7, 7)
    result = get_strategy("early_stopping_self_consistency")(request(8, 2), backend, None)
    assert [c.answer for c in result.candidates] == ["5", "6", "5", "5"]
    assert [(r.n, r.seed) for r in backend.requests] == [(2, 10), (2, 12)]
    assert (result.answer, result.extra["drawn"]) == ("5", 4)


def test_esc_draws_all_n_when_no_window_agrees() -> None:
    result = get_strategy("early_stopping_self_consistency")(
        request(6, 2), answers(1, 2, 3, 4, 5, 6), None)
    assert len(result.candidates) == 6


@pytest.mark.parametrize(("leader", "runner_up", "expected"), [
    (3, 0, 0.9375), (4, 0, 0.96875), (2, 1, 0.6875), (1, 1, 0.5)])
def test_the_lead_probability_is_the_beta_posterior_tail(leader: int, runner_up: int,
                                                         expected: float) -> None:
    assert lead_probability(leader, runner_up) == pytest.approx(expected)


def test_adaptive_consistency_stops_once_the_leader_is_confidently_ahead() -> None:
    backend = answers(5, 5, 5, 5, 5, 5, 5, 5)
    result = get_strategy("adaptive_consistency")(request(8, 1), backend, None)
    assert len(result.candidates) == 4  # 4-0 gives 0.969 >= 0.95; 3-0 gives 0.94


def test_an_adaptive_vote_spends_less_than_fixed_self_consistency_when_samples_agree(
        ) -> None:
    texts = ["so the answer is 5."] * 16
    fixed = self_consistency(request(16, 4), ScriptedBackend(texts), None)
    adaptive = get_strategy("adaptive_consistency")(request(16, 4), ScriptedBackend(texts),
                                                     None)
    assert adaptive.answer == fixed.answer == "5"
    assert adaptive.usage.completion_tokens * 4 <= fixed.usage.completion_tokens


def test_a_scripted_request_sees_the_window_size() -> None:
    seen: list[int] = []

    def reply(sent: GenerationRequest, index: int) -> str:
        seen.append(sent.n)
        return "so the answer is 5."

    get_strategy("early_stopping_self_consistency")(request(5, 3), ScriptedBackend(reply), None)
    assert seen[:3] == [3, 3, 3]

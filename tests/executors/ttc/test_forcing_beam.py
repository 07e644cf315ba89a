"""Budget forcing and beam search with ScriptedBackend: the continuation prompts they build."""

from __future__ import annotations

from collections.abc import Sequence

from graftml.executors.ttc import (
    BeamOptions,
    Candidate,
    ForcingOptions,
    Session,
    TTCRequest,
    beam_search,
    budget_forcing,
)
from graftml.llm import ScriptedBackend

from .conftest import toy_spec


def test_stop_and_close_caps_thinking_then_cues_the_answer() -> None:
    backend = ScriptedBackend(["two plus two is four", " 4."])
    forcing = ForcingOptions(thinking_tokens=20, answer_tokens=5)
    result = budget_forcing(TTCRequest(prompt="Q: 2+2?\n", forcing=forcing, model=toy_spec()),
                            backend)
    think, answer = backend.requests
    assert think.prompt == "Q: 2+2?\n<think>\n"
    assert (think.stop, think.max_tokens) == (("</think>",), 20)
    assert answer.prompt == "Q: 2+2?\n<think>\ntwo plus two is four</think>\nThe answer is"
    assert answer.max_tokens == 5
    assert result.answer == "4"
    assert result.text.endswith("</think>\nThe answer is 4.")
    assert result.usage.reasoning_tokens == 5  # the scripted backend counts words
    assert result.extra == {"mode": "stop_and_close", "thinking_tokens": [5], "waits": [0]}


def test_wait_extends_thinking_that_stops_early_at_most_k_times() -> None:
    backend = ScriptedBackend(["short", "more", "and more", " 7"])
    forcing = ForcingOptions(thinking_tokens=50, min_thinking_tokens=40, wait_extensions=2)
    result = budget_forcing(TTCRequest(prompt="Q\n", forcing=forcing, model=toy_spec()),
                            backend)
    prompts = [r.prompt or "" for r in backend.requests]
    assert prompts[1] == "Q\n<think>\nshort\nWait,"
    assert prompts[2] == "Q\n<think>\nshort\nWait,more\nWait,"
    assert prompts[3].count("Wait,") == 2 and prompts[3].endswith("</think>\nThe answer is")
    assert [r.max_tokens for r in backend.requests[:3]] == [50, 49, 48]
    assert (result.answer, result.extra["waits"]) == ("7", [2])


def test_native_mode_passes_the_cap_as_a_thinking_budget() -> None:
    backend = ScriptedBackend(["<think>hm</think>The answer is 3."])
    spec = toy_spec(thinking=True, provider="openai_compatible")
    result = budget_forcing(TTCRequest(prompt="1+2?", model=spec,
                                       forcing=ForcingOptions(thinking_tokens=64)), backend)
    (sent,) = backend.requests
    assert (sent.thinking_budget, sent.max_tokens) == (64, 64 + 16)
    assert (result.answer, result.extra["mode"]) == ("3", "native")


def test_n_forced_samples_are_voted() -> None:
    backend = ScriptedBackend(["a", "b", "c", " 5", " 6", " 5"])
    result = budget_forcing(TTCRequest(prompt="Q", n=3, model=toy_spec()), backend)
    assert backend.requests[0].n == 3
    assert [r.seed for r in backend.requests[1:]] == [0, 1, 2]
    assert (result.answer, result.votes) == ("5", {"5": 2.0, "6": 1.0})


class GoodScorer:
    """1 for text that has the word 'good' (a plugin scorer)."""

    name = "good"
    needs_logprobs = False

    def score(self, request: TTCRequest, candidates: Sequence[Candidate],
              session: Session) -> list[float]:
        return [float("good" in c.text) for c in candidates]


def test_beam_search_keeps_the_best_partial_answers_and_stops_at_the_answer() -> None:
    backend = ScriptedBackend(["bad step", "good step", "The answer is 4.", "rambling"])
    beam = BeamOptions(width=1, expansions=2, max_steps=3, step_tokens=8)
    result = beam_search(TTCRequest(prompt="Q:\n", beam=beam, scorer=GoodScorer(),
                                    model=toy_spec()), backend)
    first, second = backend.requests
    assert (first.prompt, first.n, first.stop, first.max_tokens) == ("Q:\n", 2, ("\n",), 8)
    assert second.prompt == "Q:\ngood step\n"
    assert second.seed != first.seed
    assert (result.answer, result.text) == ("4", "good step\nThe answer is 4.")
    assert result.extra == {"rounds": 2, "expanded": 4}

"""Strategy logic with ScriptedBackend: what is sent, what is chosen, what is counted."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from graftml.app.ttc import run_ttc
from graftml.budget import Budget, Ledger
from graftml.executors.ttc import (
    Candidate,
    ExactMatchScorer,
    LLMJudgeScorer,
    Session,
    TTCRequest,
    best_of_n,
    self_consistency,
    single,
    speculative,
)
from graftml.llm import ScriptedBackend

from .conftest import toy_spec


def test_self_consistency_sends_one_request_of_n_and_elects_the_majority() -> None:
    backend = ScriptedBackend(["The answer is 5.", "so 6", "answer: 5", "I think 6", "5"])
    result = self_consistency(TTCRequest(prompt="What is 2+3?", n=5, seed=7, model=toy_spec()),
                              backend)
    (sent,) = backend.requests
    assert (sent.n, sent.seed, sent.temperature) == (5, 7, 0.7)
    assert (result.answer, result.chosen, result.votes) == ("5", 0, {"5": 3.0, "6": 2.0})
    assert [c.answer for c in result.candidates] == ["5", "6", "5", "6", "5"]


def test_usage_and_calls_are_what_the_backend_reported() -> None:
    backend = ScriptedBackend(["a 1", "b 2 c"])
    result = self_consistency(TTCRequest(prompt="one two three", n=2, model=toy_spec()), backend)
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (6, 5)
    assert result.calls == 1
    assert result.cost.total_tokens == result.usage.total == 11
    assert result.cost.flops > 0 and result.cost.bytes_moved > 0


def test_single_is_greedy_and_sends_one_sample() -> None:
    backend = ScriptedBackend(["The answer is 4."])
    result = single(TTCRequest(prompt="2+2?", model=toy_spec()), backend)
    assert (backend.requests[0].n, backend.requests[0].temperature) == (1, 0.0)
    assert (result.answer, result.text) == ("4", "The answer is 4.")


def test_best_of_n_picks_the_best_scored_candidate() -> None:
    backend = ScriptedBackend(["The answer is 3.", "The answer is 4.", "The answer is 4."])
    result = best_of_n(TTCRequest(prompt="2+2?", n=3, scorer=ExactMatchScorer("4"),
                                  model=toy_spec()), backend)
    assert (result.answer, result.chosen) == ("4", 1)
    assert [c.score for c in result.candidates] == [0.0, 1.0, 1.0]


def test_the_judge_rates_each_candidate_and_its_tokens_are_counted() -> None:
    backend = ScriptedBackend(["The answer is 3.", "The answer is 4.", "The answer is 5.",
                               "2", "Rating: 9", "none"])
    result = best_of_n(TTCRequest(prompt="What is 2+2?", n=3, scorer=LLMJudgeScorer(),
                                  model=toy_spec()), backend)
    assert (result.answer, result.chosen) == ("4", 1)
    assert [c.score for c in result.candidates] == [2 / 9, 1.0, 0.0]
    assert result.calls == 4
    judge_prompt = backend.requests[1].messages[0]["content"]  # type: ignore[index]
    assert "What is 2+2?" in judge_prompt and "The answer is 3." in judge_prompt
    assert result.usage.completion_tokens == 3 * 4 + 1 + 2 + 1


def test_a_weighted_vote_counts_scores() -> None:
    backend = ScriptedBackend(["1", "1", "9"])
    result = self_consistency(TTCRequest(prompt="?", n=3, weighted=True, model=toy_spec(),
                                         scorer=ExactMatchScorer("9")), backend)
    assert (result.answer, result.votes) == ("9", {"1": 0.0, "9": 1.0})


def test_speculative_passes_the_method_to_the_backend() -> None:
    backend = ScriptedBackend(["The answer is 2."])
    knob = {"method": "prompt_lookup", "num_speculative_tokens": 4}
    result = speculative(TTCRequest(prompt="1+1?", speculative=knob,
                                    model=toy_spec(speculative=("prompt_lookup",))), backend)
    assert backend.requests[0].speculative == knob
    assert (result.answer, result.extra["method"]) == ("2", "prompt_lookup")


def test_the_ledger_is_charged_tokens_once_and_flops_in_a_ttc_line(tmp_path: Path) -> None:
    ledger = Ledger(Budget(tokens=1000), path=tmp_path / "ledger.jsonl")
    result = self_consistency(TTCRequest(prompt="a b", n=2, model=toy_spec()),
                              ScriptedBackend(["x 1", "y 1"]), ledger)
    llm, ttc = (json.loads(line) for line in (tmp_path / "ledger.jsonl").read_text().splitlines())
    assert ledger.spent.tokens == result.usage.total == llm["tokens"] == 8
    assert (llm["kind"], ttc["kind"], ttc["tokens"]) == ("llm", "ttc", 0)
    assert ttc["meta"]["flops"] == result.cost.flops > 0
    assert ttc["meta"]["bytes"] == result.cost.bytes_moved > 0
    assert ttc["meta"]["strategy"] == "self_consistency"


def test_run_ttc_sends_a_string_as_a_user_message_to_a_chat_model() -> None:
    backend = ScriptedBackend(["The answer is 4.", "4", "The answer is 5."])
    result = run_ttc("What is 2+2?", "smollm2", "self_consistency", n=3, backend=backend)
    assert backend.requests[0].messages == ({"role": "user", "content": "What is 2+2?"},)
    assert (result.model, result.answer) == ("smollm2", "4")


class ContainsScorer:
    """Scores 1 for candidates containing a word (a plugin scorer, as users would write)."""

    name = "contains"
    needs_logprobs = False

    def __init__(self, word: str) -> None:
        self.word = word

    def score(self, request: TTCRequest, candidates: Sequence[Candidate],
              session: Session) -> list[float]:
        return [float(self.word in c.text) for c in candidates]


def test_a_plugin_scorer_drives_best_of_n() -> None:
    backend = ScriptedBackend(["bad 1", "good 2"])
    result = best_of_n(TTCRequest(prompt="?", n=2, scorer=ContainsScorer("good"),
                                  model=toy_spec()), backend)
    assert result.answer == "2"


def test_run_ttc_takes_a_strategy_function_of_ones_own() -> None:
    import graftml
    from graftml.executors.ttc import single

    calls = []

    def traced(request, backend, ledger):  # type: ignore[no-untyped-def]
        calls.append(request.n)
        return single(request, backend, ledger)

    backend = ScriptedBackend(["The answer is 4."])
    result = graftml.run_ttc("What is 2+2?", "smollm2", traced, backend=backend)
    assert calls == [1] and result.answer == "4"

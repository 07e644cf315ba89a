"""Tests every test-time-compute strategy passes (:class:`StrategyContract`), and a seeded fake.

Subclass :class:`StrategyContract` in a test module and give it ``strategy`` and ``backend``
fixtures; override :meth:`StrategyContract.request` when the strategy needs more fields (a
speculative method, forcing options), :meth:`StrategyContract.candidate_counts` when it keeps
another number of candidates than it was asked to sample, and
:meth:`StrategyContract.answer_part` when it adds text of its own around what the model wrote::

    class TestMyStrategy(StrategyContract):
        @pytest.fixture
        def strategy(self) -> Strategy:
            return my_strategy

        @pytest.fixture
        def backend(self) -> LLMBackend:
            return SeededBackend()

:class:`SeededBackend` answers like a seeded local model (sample ``i`` of a request is a
function of the prompt and ``seed + i`` only), so the suite runs without weights; run it on a
real backend too.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest

from graftml.budget import Budget, Ledger
from graftml.llm.base import LLMBackend
from graftml.llm.registry import Capabilities, ModelSpec
from graftml.llm.types import Completion, GenerationRequest, GenerationResult, Usage
from graftml.testing.backends import RecordingBackend
from graftml.ttc.contract import Strategy
from graftml.ttc.types import Candidate, TTCError, TTCRequest, TTCResult

__all__ = ["SeededBackend", "StrategyContract"]

_SENTENCES = ("Two and three; so the answer is 5.", "Adding them; the answer is 5.",
              "I count six; the answer is 6.", "It is 5; done.", "Maybe 4; the answer is 4.")
# Requests every strategy must refuse before its first call: (why, fields changed).
INVALID_REQUESTS = (
    ("no samples", {"n": 0}),
    ("no new tokens", {"max_tokens": 0}),
    ("neither prompt nor messages", {"prompt": None}),
    ("a negative temperature", {"temperature": -1.0}),
    ("a prompt longer than the context", {"prompt": "word " * 40_000}),
)


class SeededBackend:
    """A fake seeded model: sample ``i`` is drawn from ``sentences`` by ``Random(prompt, seed+i)``.

    Greedy requests (temperature 0) get the same draw for every seed. Words count as tokens;
    answers are cut at the first stop string and at ``max_tokens`` words (finish reason
    ``length``); logprobs, when requested, are seeded too. Like llama.cpp, n samples are n
    calls, each charged the prompt.
    """

    def __init__(self, sentences: tuple[str, ...] = _SENTENCES, model: str = "seeded") -> None:
        self.model, self.sentences = model, sentences
        self.spec = ModelSpec(name=model, provider="scripted", context_length=4096,
                              parameters=1e6, kv_bytes_per_token=1024, capabilities=Capabilities(
                                  logprobs=True, speculative=("prompt_lookup",)))

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Called once per backend request; returns ``request.n`` seeded samples."""
        prompt = request.prompt or " ".join(m["content"] for m in request.messages or ())
        completions = tuple(self._sample(request, prompt, (request.seed or 0) + i)
                            for i in range(request.n))
        usage = Usage(len(prompt.split()) * request.n,
                      sum(c.completion_tokens for c in completions))
        return GenerationResult(completions, usage, 0.0, self.model, calls=request.n)

    def _sample(self, request: GenerationRequest, prompt: str, seed: int) -> Completion:
        rng = random.Random(f"{prompt}|{seed if request.temperature > 0 else 0}")
        text = rng.choice(self.sentences)
        cuts = [text.index(stop) for stop in request.stop if stop in text]
        text = text[: min(cuts)] if cuts else text
        words = text.split(" ")
        reason = "length" if len(words) > request.max_tokens else "stop"
        text = " ".join(words[: request.max_tokens])
        tokens = len(text.split())
        logprobs = tuple(-rng.random() for _ in range(tokens)) if request.logprobs else None
        return Completion(text, completion_tokens=tokens, finish_reason=reason,
                          token_logprobs=logprobs)

    def close(self) -> None:
        """Nothing to release."""
        return None


class StrategyContract:
    """What every strategy must do; needs ``strategy`` and ``backend`` fixtures."""

    samples = 3  #: ``n`` of the requests the suite sends (1 for a single-sample strategy)
    stop = ";"  #: a stop string the suite's prompt makes likely

    def request(self, **fields: Any) -> TTCRequest:
        """The request the tests vary: a short completion prompt, ``samples`` samples."""
        base = TTCRequest(prompt="Question: what is two plus three? Think; then answer.\n",
                          n=self.samples, temperature=0.8 if self.samples > 1 else None,
                          seed=5, max_tokens=8)
        return replace(base, **fields)

    def candidate_counts(self, request: TTCRequest) -> range:
        """How many candidates the result may hold for ``request`` (default: ``request.n``)."""
        return range(request.n, request.n + 1)

    def answer_part(self, candidate: Candidate) -> str:
        """The part of a candidate the model wrote under the request's stop strings."""
        return candidate.text

    def test_the_candidates_come_back_and_one_is_chosen(
            self, strategy: Strategy, backend: LLMBackend) -> None:
        request = self.request()
        result = strategy(request, backend, None)
        assert len(result.candidates) in self.candidate_counts(request)
        assert result.chosen in {c.index for c in result.candidates}
        assert isinstance(result.strategy, str) and result.model

    def test_the_same_seed_gives_the_same_result(
            self, strategy: Strategy, backend: LLMBackend) -> None:
        first, again = (strategy(self.request(), backend, None) for _ in range(2))
        assert _texts(first) == _texts(again) and first.answer == again.answer

    def test_usage_is_what_the_backend_reported(
            self, strategy: Strategy, backend: LLMBackend) -> None:
        recording = RecordingBackend(backend)
        result = strategy(self.request(), recording, None)
        reported, counted = recording.usage, result.usage  # a strategy may mark reasoning
        assert (counted.prompt_tokens, counted.completion_tokens, counted.cached_tokens) == (
            reported.prompt_tokens, reported.completion_tokens, reported.cached_tokens)
        assert counted.reasoning_tokens <= counted.completion_tokens
        assert result.calls == sum(r.calls for r in recording.results) > 0

    def test_the_ledger_is_charged_every_token_once(
            self, strategy: Strategy, backend: LLMBackend) -> None:
        ledger = Ledger(Budget())
        result = strategy(self.request(), backend, ledger)
        assert ledger.spent.tokens == result.usage.total > 0

    def test_a_stop_string_ends_every_answer(
            self, strategy: Strategy, backend: LLMBackend) -> None:
        result = strategy(self.request(stop=(self.stop,)), backend, None)
        assert all(self.stop not in self.answer_part(c) for c in result.candidates)

    @pytest.mark.parametrize(("why", "fields"), INVALID_REQUESTS,
                             ids=[why for why, _ in INVALID_REQUESTS])
    def test_invalid_input_is_a_one_line_error_and_costs_nothing(
            self, strategy: Strategy, backend: LLMBackend, why: str,
            fields: dict[str, Any]) -> None:
        recording, ledger = RecordingBackend(backend), Ledger(Budget())
        with pytest.raises(TTCError) as caught:
            strategy(self.request(**fields), recording, ledger)
        assert "\n" not in str(caught.value), why
        assert recording.results == [] and ledger.spent.tokens == 0


def _texts(result: TTCResult) -> list[str]:
    return [c.text for c in result.candidates]

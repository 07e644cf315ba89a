"""Every registered strategy passes :class:`graftml.testing.strategies.StrategyContract`, on the
seeded fake and on SmolLM2 in llama.cpp (a few tokens per call)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from graftml.executors.ttc import STRATEGIES, ForcingOptions, TTCRequest, get_strategy
from graftml.llm.base import LLMBackend
from graftml.llm.llama_logprobs import LlamaCppLogprobBackend
from graftml.llm.registry import get_model
from graftml.testing.strategies import SeededBackend, StrategyContract
from graftml.ttc import AdaptiveOptions, Candidate, ConfidenceOptions, Strategy


@pytest.fixture(scope="module")
def smollm2() -> Iterator[LlamaCppLogprobBackend]:
    backend = LlamaCppLogprobBackend(get_model("smollm2"))
    yield backend
    backend.close()


class _OnBothBackends(StrategyContract):
    name = ""

    @pytest.fixture()
    def strategy(self) -> Strategy:
        return get_strategy(self.name)

    @pytest.fixture(params=["seeded", "smollm2"])
    def backend(self, request: pytest.FixtureRequest) -> LLMBackend:
        if request.param == "seeded":
            return SeededBackend()
        real: LlamaCppLogprobBackend = request.getfixturevalue("smollm2")
        return real


class TestSingle(_OnBothBackends):
    name, samples = "single", 1


class TestBestOfN(_OnBothBackends):
    name = "best_of_n"


class TestSelfConsistency(_OnBothBackends):
    name = "self_consistency"


class TestSpeculative(_OnBothBackends):
    name, samples = "speculative", 1  # greedy: the output of plain decoding, only faster

    def request(self, **fields: Any) -> TTCRequest:
        return super().request(**{"speculative": {"method": "prompt_lookup"}, **fields})


class TestBudgetForcing(_OnBothBackends):
    name = "budget_forcing"

    def request(self, **fields: Any) -> TTCRequest:
        forcing = ForcingOptions(thinking_tokens=12, answer_tokens=6)
        return super().request(**{"forcing": forcing, **fields})

    def answer_part(self, candidate: Candidate) -> str:
        """Thinking stops only at the closing tag; the stop strings apply to the answer."""
        return candidate.text.rpartition(ForcingOptions().answer_cue)[2]


class TestBeamSearch(_OnBothBackends):
    name = "beam_search"

    def candidate_counts(self, request: TTCRequest) -> range:
        return range(request.beam.width, request.beam.width + 1)


class TestEarlyStoppingSelfConsistency(_OnBothBackends):
    name = "early_stopping_self_consistency"

    def request(self, **fields: Any) -> TTCRequest:
        return super().request(**{"n": 4, "adaptive": AdaptiveOptions(window=2), **fields})

    def candidate_counts(self, request: TTCRequest) -> range:
        return range(min(2, request.n), request.n + 1)


class TestAdaptiveConsistency(TestEarlyStoppingSelfConsistency):
    name = "adaptive_consistency"


class TestConfidenceVote(_OnBothBackends):
    name = "confidence_vote"

    def request(self, **fields: Any) -> TTCRequest:
        keep = ConfidenceOptions(measure="lowest_group", group=4, keep=0.5)
        return super().request(**{"confidence": keep, **fields})


class TestDifficultyAdaptive(_OnBothBackends):
    name = "difficulty_adaptive"

    def request(self, **fields: Any) -> TTCRequest:
        return super().request(**{"n": 4, **fields})

    def candidate_counts(self, request: TTCRequest) -> range:
        return range(min(2, request.n), request.n + 1)


class TestCascade(_OnBothBackends):
    """Escalating to the same model (no strong backend): every call is the tested backend's."""

    name = "cascade"

    def candidate_counts(self, request: TTCRequest) -> range:
        return range(request.n, request.n + request.cascade.strong_n + 1)


def test_every_registered_strategy_has_a_contract_class() -> None:
    tested = {cls.name for cls in _subclasses(_OnBothBackends)}
    assert tested == set(STRATEGIES.names())


def test_the_seeded_fake_is_a_function_of_prompt_and_seed() -> None:
    fake, request = SeededBackend(), TTCRequest(prompt="p", n=4, temperature=0.9, seed=1)
    texts = get_strategy("self_consistency")(request, fake, None).candidates
    shifted = get_strategy("self_consistency")(replace(request, seed=2, n=3), fake, None)
    assert [c.text for c in texts[1:]] == [c.text for c in shifted.candidates]


def _subclasses(cls: type) -> list[type[_OnBothBackends]]:
    found = cls.__subclasses__()
    return found + [deeper for sub in found for deeper in _subclasses(sub)]

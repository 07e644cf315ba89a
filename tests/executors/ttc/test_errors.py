"""Bad requests fail with one line naming the fix, before any token is spent."""

from __future__ import annotations

import re
from typing import Any

import pytest

from graftml.budget import Budget, Ledger
from graftml.errors import BudgetExceeded, ConfigError, GraftError
from graftml.executors.ttc import (
    STRATEGIES,
    BeamOptions,
    ForcingOptions,
    MeanLogprobScorer,
    TTCError,
    TTCRequest,
    get_strategy,
    make_scorer,
)
from graftml.llm import ScriptedBackend
from graftml.ttc import AdaptiveOptions, CascadeOptions, ConfidenceOptions, DifficultyOptions

from .conftest import toy_spec

CHAT = ({"role": "user", "content": "hi"},)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("self_consistency", {"n": 0}, {}, "n must be >= 1, got 0"),
    ("self_consistency", {"n": 4, "temperature": 0.0}, {},
     "temperature 0 would draw 4 identical samples; set temperature > 0"),
    ("best_of_n", {"n": 2, "temperature": 0.0, "scorer": MeanLogprobScorer()},
     {"logprobs": True}, "identical samples"),
    ("single", {"n": 3}, {}, "single draws one sample, got n=3"),
    ("single", {"temperature": -1.0}, {}, "temperature must be >= 0"),
    ("single", {"prompt": None, "messages": CHAT}, {"chat": False},
     "base model without chat; pass a completion prompt"),
    ("single", {"prompt": "word " * 1300}, {}, "exceeds the 2048-token context of 'toy'"),
    ("single", {"max_tokens": 2000, "prompt": "word " * 200}, {}, "lower max_tokens"),
    ("single", {"speculative": {"method": "eagle"}}, {"speculative": ("prompt_lookup",)},
     "offers speculative methods ['prompt_lookup'], not 'eagle'"),
    ("speculative", {}, {}, "speculative needs speculative="),
    ("speculative", {"speculative": {"method": "prompt_lookup"}}, {},
     "offers speculative methods none"),
    ("best_of_n", {"n": 2}, {}, "best_of_n needs a scorer"),
    ("best_of_n", {"n": 2, "scorer": MeanLogprobScorer()}, {},
     "scorer 'mean_logprob' needs token logprobs"),
    ("self_consistency", {"n": 2, "weighted": True}, {}, "a weighted vote needs a scorer"),
    ("budget_forcing", {"forcing": ForcingOptions(mode="native")}, {},
     "has no thinking mode, so a native thinking budget cannot apply"),
    ("budget_forcing", {"forcing": ForcingOptions(mode="native")},
     {"thinking": True, "provider": "llama_cpp"}, "does not enforce thinking budgets"),
    ("budget_forcing", {"prompt": None, "messages": CHAT}, {},
     "needs a completion prompt"),
    ("budget_forcing", {"forcing": ForcingOptions(thinking_tokens=2000)}, {},
     "exceeds the 2048-token context"),
    ("beam_search", {"beam": BeamOptions(width=0), "scorer": MeanLogprobScorer()},
     {"logprobs": True}, "must be >= 1, got 0"),
    ("beam_search", {}, {}, "beam_search needs a scorer"),
    ("early_stopping_self_consistency", {"n": 4, "adaptive": AdaptiveOptions(window=0)}, {},
     "adaptive window must be >= 1, got 0"),
    ("adaptive_consistency", {"n": 4, "adaptive": AdaptiveOptions(confidence=1.0)}, {},
     "adaptive confidence must be in (0.5, 1), got 1"),
    ("confidence_vote", {"n": 2}, {}, "weighs samples by token logprobs"),
    ("confidence_vote", {"n": 2, "confidence": ConfidenceOptions(keep=0.0)}, {"logprobs": True},
     "confidence keep must be in (0, 1]"),
    ("beam_search", {"temperature": 0.0, "scorer": MeanLogprobScorer()}, {"logprobs": True},
     "temperature 0 would draw 2 identical samples"),
    ("difficulty_adaptive", {"n": 4}, {}, "reads token logprobs"),
    ("difficulty_adaptive", {"n": 4, "difficulty": DifficultyOptions(probe=0)},
     {"logprobs": True}, "difficulty probe must be >= 1"),
    ("cascade", {"n": 2, "cascade": CascadeOptions(strong_n=0)}, {},
     "cascade strong_n must be >= 1"),
    ("cascade", {"n": 2, "cascade": CascadeOptions(strong_spec=toy_spec())}, {},
     "give strong= and strong_spec= together"),
]


@pytest.mark.parametrize(("strategy", "fields", "spec_changes", "message"), CASES)
def test_bad_input_is_refused_before_any_token(strategy: str, fields: dict[str, Any],
                                               spec_changes: dict[str, Any],
                                               message: str) -> None:
    backend = ScriptedBackend(lambda request, index: "The answer is 1.")
    ledger = Ledger(Budget())
    request = TTCRequest(**{"prompt": "What is 1?", **fields,
                            "model": toy_spec(**spec_changes)})
    with pytest.raises(TTCError, match=re.escape(message)) as caught:
        get_strategy(strategy)(request, backend, ledger)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ConfigError) and isinstance(caught.value, GraftError)
    assert backend.requests == []
    assert ledger.spent.tokens == 0


def test_every_strategy_has_an_error_case() -> None:
    assert {case[0] for case in CASES} == set(STRATEGIES.kinds())


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(TTCError, match="unknown strategy 'tree'; valid: adaptive_consistency, "
                                       "beam_search, best_of_n"):
        get_strategy("tree")
    with pytest.raises(TTCError, match="unknown scorer 'prm'; valid: exact_match, llm_judge"):
        make_scorer("prm")
    with pytest.raises(TTCError, match="exact_match is an oracle"):
        make_scorer("exact_match")


def test_a_call_the_budget_cannot_pay_for_is_refused_before_it_is_sent() -> None:
    backend = ScriptedBackend(lambda request, index: "The answer is 1.")
    ledger = Ledger(Budget(tokens=100))
    with pytest.raises(BudgetExceeded, match="tokens"):
        get_strategy("self_consistency")(
            TTCRequest(prompt="What is 1?", n=8, max_tokens=64, model=toy_spec()), backend,
            ledger)
    assert backend.requests == [] and ledger.spent.tokens == 0

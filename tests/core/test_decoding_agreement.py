"""greedy_agreement: two greedy paths must agree up to the reference's first near-tie."""

from __future__ import annotations

import pytest

from graftml.llm.types import Completion
from graftml.testing.decoding import greedy_agreement

TOKENS = ("red", ",", " green", ",", " blue")


def reference(margins: tuple[float, ...]) -> Completion:
    return Completion("".join(TOKENS), tokens=TOKENS, token_margins=margins,
                      token_logprobs=tuple(-0.1 for _ in TOKENS))


def test_identical_text_agrees_over_every_token() -> None:
    result = greedy_agreement(reference((3.0,) * 5), "red, green, blue")
    assert result.agrees and result.agreed_tokens == 5 and result.diverged_at is None


def test_a_text_that_parts_ways_at_a_near_tie_still_agrees() -> None:
    result = greedy_agreement(reference((3.0, 3.0, 3.0, 3.0, 0.01)), "red, green, green")
    assert result.agrees and result.agreed_tokens == 4 and result.diverged_at == 4


def test_a_text_that_parts_ways_before_any_near_tie_disagrees() -> None:
    result = greedy_agreement(reference((3.0, 3.0, 3.0, 3.0, 0.01)), "red, blue, blue")
    assert not result.agrees and result.agreed_tokens == 2


def test_a_near_tie_both_texts_pass_does_not_excuse_a_later_divergence() -> None:
    result = greedy_agreement(reference((3.0, 0.01, 3.0, 3.0, 3.0)), "red, green, red")
    assert not result.agrees and result.diverged_at == 4 and result.margin_at_divergence == 3.0


def test_a_longer_text_without_a_near_tie_disagrees() -> None:
    assert not greedy_agreement(reference((3.0,) * 5), "red, green, blue, red").agrees


def test_a_reference_without_logprobs_is_refused() -> None:
    with pytest.raises(ValueError, match="logprobs=True"):
        greedy_agreement(Completion("red"), "red")

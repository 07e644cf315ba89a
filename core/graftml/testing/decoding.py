"""Comparing two greedy decoding paths without asserting bit-identical floats.

Two paths to the same greedy text (speculative vs plain decoding, a batched vs a one-token
matmul, one CPU vs another) compute logits that differ in the last bits. Where the best and the
second-best token are nearly tied, that noise may pick either, and the texts part ways from there
on. So two paths may part ways only at a token where the reference's best two were nearly tied.
"""

from __future__ import annotations

from dataclasses import dataclass

from graftml.llm.types import Completion

__all__ = ["NEAR_TIE", "GreedyAgreement", "greedy_agreement"]

#: a top-2 log-probability margin below this is a near-tie (bf16 logits of a small model move by
#: a few hundredths between code paths; a margin of a quarter nat is far outside that noise)
NEAR_TIE = 0.25


@dataclass(frozen=True)
class GreedyAgreement:
    """How far a text follows a greedy reference.

    Attributes:
        agrees: the text is the reference, or parts ways with it at a near-tie.
        agreed_tokens: reference tokens the text reproduces from the start.
        diverged_at: index of the first reference token the text does not reproduce, ``None``
            when it reproduces them all.
        margin_at_divergence: the reference's top-2 margin there (``None`` without divergence).
        total_tokens: tokens in the reference.
    """

    agrees: bool
    agreed_tokens: int
    diverged_at: int | None
    margin_at_divergence: float | None
    total_tokens: int


def greedy_agreement(reference: Completion, text: str,
                     near_tie: float = NEAR_TIE) -> GreedyAgreement:
    """Compare ``text`` with a greedy ``reference`` sampled with ``logprobs=True``: the two may
    part ways only where the reference's best two tokens were nearly tied.

    Raises:
        ValueError: the reference has no tokens or margins, or its tokens do not spell its text.
    """
    if reference.tokens is None or reference.token_margins is None:
        raise ValueError("the reference needs tokens and margins: generate it with logprobs=True")
    if "".join(reference.tokens) != reference.text:
        raise ValueError("the reference's tokens do not spell its text; compare token ids instead")
    offset, agreed = 0, 0
    for token in reference.tokens:
        if not text.startswith(reference.text[:offset + len(token)]):
            break
        offset, agreed = offset + len(token), agreed + 1
    total = len(reference.tokens)
    if agreed == total:
        return GreedyAgreement(text == reference.text, agreed, None, None, total)
    margin = reference.token_margins[agreed]
    return GreedyAgreement(margin < near_tie, agreed, agreed, margin, total)

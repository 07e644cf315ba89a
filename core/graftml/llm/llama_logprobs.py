"""The registered ``llama_cpp`` provider: in-process llama.cpp with fast token logprobs.

llama-cpp-python builds completion logprobs by sorting the whole vocabulary in Python for every
generated token: about 0.2 s per token for Gemma's 262k-entry vocabulary on two cores, more than
the decoding itself. :class:`LlamaCppLogprobBackend` samples without that path and reads each
completion token's log-probability from the logits the model already kept (``logits_all``),
using the token ids in the model's own state; at most the last sampled token is re-tokenized
from the text, and nothing is evaluated twice.
Samples are the same as :class:`~graftml.llm.llama_cpp_backend.LlamaCppBackend`'s, whose slower
logprob path also gives each token's margin over the runner-up (the decoding comparisons of
:mod:`graftml.testing.decoding` use it directly).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graftml.llm.llama_cpp_backend import LlamaCppBackend
from graftml.llm.types import Completion, GenerationRequest, Usage

__all__ = ["LlamaCppLogprobBackend", "completion_logprobs"]


class LlamaCppLogprobBackend(LlamaCppBackend):
    """:class:`LlamaCppBackend` whose logprobs are computed with numpy from kept logits."""

    def _one(self, llm: Any, request: GenerationRequest, seed: int | None
             ) -> tuple[Completion, Usage]:
        if not request.logprobs:
            return super()._one(llm, request, seed)
        completion, usage = super()._one(llm, replace(request, logprobs=False), seed)
        logprobs = completion_logprobs(llm, usage.prompt_tokens, completion.text)
        return replace(completion, token_logprobs=logprobs), usage


def completion_logprobs(llm: Any, prompt_tokens: int, text: str) -> tuple[float, ...]:
    """Log-probabilities of the tokens of ``text``, which ``llm`` (a ``llama_cpp.Llama`` with
    ``logits_all``) has just generated after its first ``prompt_tokens`` tokens.

    The generated tokens the model evaluated are used as they are, up to where ``text`` ends (a
    stop string cuts it); the rest of the text (the last sampled token, never evaluated) is
    tokenized. The cache is never rewound: sliding-window models such as Gemma 3 cannot.
    """
    import numpy as np

    prompt = [int(t) for t in llm.input_ids[:prompt_tokens]]
    evaluated = [int(t) for t in llm.input_ids[prompt_tokens:llm.n_tokens]]
    target, kept = text.encode(), list[int]()
    for token in evaluated:
        if not target.startswith(llm.detokenize([*kept, token], prev_tokens=prompt)):
            break
        kept.append(token)
    rest_text = target[len(llm.detokenize(kept, prev_tokens=prompt)) if kept else 0:]
    rest = llm.tokenize(rest_text, add_bos=False, special=True) if rest_text else []
    if len(kept) < len(evaluated):
        rest = []  # only reachable by rewinding the cache: score the kept tokens
    elif len(rest) > 1:
        llm.eval(rest[:-1])
    ids = kept + list(rest)
    if not ids:
        return ()
    rows = np.asarray(llm.scores[prompt_tokens - 1:prompt_tokens - 1 + len(ids)],
                      dtype=np.float64)
    peak = rows.max(axis=1, keepdims=True)
    log_norm = peak[:, 0] + np.log(np.exp(rows - peak).sum(axis=1))
    picked = rows[np.arange(len(ids)), ids]
    return tuple(float(v) for v in picked - log_norm)

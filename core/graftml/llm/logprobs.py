"""Per-token log-probabilities as the OpenAI API shapes them (llama.cpp and OpenAI servers).

Chat choices carry ``logprobs.content``: one ``{token, logprob, top_logprobs: [...]}`` per
token; completion choices carry parallel lists ``tokens``, ``token_logprobs`` and
``top_logprobs`` (one ``{token: logprob}`` mapping per position).
"""

from __future__ import annotations

from typing import Any

from graftml.llm.types import top_margin

#: per token: the sampled token's log-probability, its text, its margin over the runner-up
Logprobs = tuple[tuple[float, ...], tuple[str, ...], tuple[float, ...]]


def parse_logprobs(lp: dict[str, Any], chat: bool) -> Logprobs:
    """The three per-token tuples of a choice's ``logprobs`` mapping."""
    if chat:
        content = lp.get("content") or []
        return (tuple(float(t["logprob"]) for t in content),
                tuple(str(t["token"]) for t in content),
                tuple(top_margin([float(a["logprob"]) for a in t.get("top_logprobs") or []])
                      for t in content))
    rows = [(float(v), str(t), top) for v, t, top in zip(
        lp.get("token_logprobs") or [], lp.get("tokens") or [], lp.get("top_logprobs") or [],
        strict=False) if v is not None]
    return (tuple(r[0] for r in rows), tuple(r[1] for r in rows),
            tuple(top_margin([float(v) for v in (r[2] or {}).values()]) for r in rows))

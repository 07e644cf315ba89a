"""``graft ttc``: answer one prompt with a strategy, or ``graft ttc eval`` a sweep.

The flags are declared by ``TTCCommand`` in :mod:`graftml.app.cli` (argparse only, so ``graft
--help`` stays light); this module runs them.
"""

from __future__ import annotations

import argparse
import json

from graftml.ttc.types import CascadeOptions, ForcingOptions, TTCError

__all__ = ["run_command"]


def run_command(args: argparse.Namespace) -> int:
    """Run ``graft ttc`` with parsed ``args``; returns the exit code."""
    if args.action in ("eval", "bank"):
        from graftml.app.ttc_eval_cli import bank_command, eval_command

        return eval_command(args) if args.action == "eval" else bank_command(args)
    if args.data is not None:
        raise TTCError("--data is for `graft ttc eval --data FILE.jsonl`")
    if args.dataset is not None:
        raise TTCError(f"unexpected argument {args.dataset!r}; did you mean "
                       f"`graft ttc eval {args.dataset}`?")
    return _answer(args)


def parse_ints(text: str, flag: str) -> tuple[int, ...]:
    """The comma-separated whole numbers of option ``flag`` (one-line error otherwise)."""
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise TTCError(f"{flag} takes whole numbers separated by commas, got {text!r}") from None


def _answer(args: argparse.Namespace) -> int:
    from graftml.app.ttc import run_ttc

    if not args.prompt:
        raise TTCError("give --prompt TEXT, or use `graft ttc eval DATASET`")
    (n,) = parse_ints(args.n, "--n")[:1] or (1,)
    forcing = ForcingOptions(wait_extensions=args.wait)
    if args.thinking_tokens is not None:
        forcing = ForcingOptions(thinking_tokens=args.thinking_tokens,
                                 wait_extensions=args.wait,
                                 min_thinking_tokens=args.thinking_tokens if args.wait else 0)
    result = run_ttc(
        args.prompt, args.model, args.strategy, n, temperature=args.temperature,
        max_tokens=args.max_tokens or 256, seed=args.seed, answer_format=args.answer_format,
        scorer=args.scorer, weighted=args.weighted, forcing=forcing,
        speculative={"method": args.speculative} if args.speculative else None,
        cascade=CascadeOptions(strong_n=args.strong_n, agreement=args.agreement),
        strong_model=args.strong_model)
    if args.json:
        print(json.dumps(result.to_dict()))
        return 0
    print(f"answer: {result.answer}")
    if result.votes:
        print("votes: " + ", ".join(f"{a!r}: {v:g}" for a, v in result.votes.items()))
    cost = result.cost
    print(f"{result.strategy} on {result.model}: {len(result.candidates)} candidate(s), "
          f"{result.calls} call(s), {result.usage.total} tokens "
          f"({result.usage.prompt_tokens} prompt + {result.usage.completion_tokens} completion),"
          f" ~{cost.flops / 1e9:.2f} GFLOP, ~{cost.bytes_moved / 1e9:.2f} GB moved, "
          f"{result.latency_s:.2f}s")
    return 0

"""``graft ttc``: answer one prompt with a strategy, or ``graft ttc eval`` a sweep.

The flags are declared by ``TTCCommand`` in :mod:`graftml.app.cli` (argparse only, so ``graft
--help`` stays light); this module runs them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from graftml.ttc.types import ForcingOptions, TTCError

FILE_MAX_TOKENS = 400  # a GSM8K chain of thought runs 150-320 tokens on the Qwen models

__all__ = ["run_command"]


def run_command(args: argparse.Namespace) -> int:
    """Run ``graft ttc`` with parsed ``args``; returns the exit code."""
    if args.action == "eval":
        return _evaluate(args)
    if args.data is not None:
        raise TTCError("--data is for `graft ttc eval --data FILE.jsonl`")
    if args.dataset is not None:
        raise TTCError(f"unexpected argument {args.dataset!r}; did you mean "
                       f"`graft ttc eval {args.dataset}`?")
    return _answer(args)


def _ints(text: str, flag: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise TTCError(f"{flag} takes whole numbers separated by commas, got {text!r}") from None


def _answer(args: argparse.Namespace) -> int:
    from graftml.app.ttc import run_ttc

    if not args.prompt:
        raise TTCError("give --prompt TEXT, or use `graft ttc eval DATASET`")
    (n,) = _ints(args.n, "--n")[:1] or (1,)
    forcing = ForcingOptions(wait_extensions=args.wait)
    if args.thinking_tokens is not None:
        forcing = ForcingOptions(thinking_tokens=args.thinking_tokens,
                                 wait_extensions=args.wait,
                                 min_thinking_tokens=args.thinking_tokens if args.wait else 0)
    result = run_ttc(
        args.prompt, args.model, args.strategy, n, temperature=args.temperature,
        max_tokens=args.max_tokens or 256, seed=args.seed, answer_format=args.answer_format,
        scorer=args.scorer, weighted=args.weighted, forcing=forcing,
        speculative={"method": args.speculative} if args.speculative else None)
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


def _evaluate(args: argparse.Namespace) -> int:
    from graftml.executors.ttc.evaluate import EvalConfig, evaluate
    from graftml.executors.ttc.report import format_table, write_outputs
    from graftml.llm.metered import make_backend
    from graftml.llm.registry import get_model

    if bool(args.dataset) == bool(args.data):
        raise TTCError("give one dataset: `graft ttc eval arithmetic|word_problems|"
                       "multiple_choice` or `graft ttc eval --data FILE.jsonl`")
    dataset = args.data or args.dataset
    default_tokens = FILE_MAX_TOKENS if args.data else 32
    models = tuple(m.strip() for m in (args.models or args.model).split(",") if m.strip())
    config = EvalConfig(dataset=dataset, models=models,
                        strategies=tuple(s.strip() for s in args.strategies.split(",")),
                        ns=_ints(args.n, "--n"), seeds=args.seeds, split=args.split,
                        limit=args.limit, scorer=args.scorer or "mean_logprob",
                        max_tokens=args.max_tokens or default_tokens,
                        temperature=0.7 if args.temperature is None else args.temperature)
    specs = {model: get_model(model) for model in models}
    backends = {model: make_backend(spec) for model, spec in specs.items()}
    try:
        rows = evaluate(config, backends, specs,
                        progress=lambda line: print(line, file=sys.stderr, flush=True))
    finally:
        for backend in backends.values():
            backend.close()
    out = Path(args.out or f"runs/ttc-{Path(dataset).stem}")
    split = "whole file" if args.data else args.split
    summaries = write_outputs(rows, out, f"{dataset} ({split}, "
                                         f"{rows[0].items if rows else 0} items)")
    print(format_table(summaries))
    print(f"wrote {out / 'runs.jsonl'}, {out / 'summary.json'}, {out / 'accuracy_vs_cost.png'}")
    return 0

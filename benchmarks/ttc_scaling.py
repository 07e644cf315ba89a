"""Accuracy versus test-time compute on the held-out arithmetic set, both local models (CPU).

For SmolLM2-135M (chat) and Gemma-3-270M (base, few-shot completion prompts) through the
in-process llama.cpp backend: ``single`` (greedy), ``best_of_n`` (mean-logprob scorer) and
``self_consistency`` (majority vote) at N = 1, 2, 4, 8, 16, over several seeds. Prints the
accuracy-vs-cost table, the measured gain of self-consistency over single per model, and writes
``runs.jsonl``, ``summary.json`` and ``accuracy_vs_cost.png`` (accuracy against tokens and
against estimated FLOPs).

Samples are seeded (seed + i), so the N=16 run's first 8 samples are the N=8 run's samples: each
sample is generated once and replayed for smaller N and for the other strategy, with the usage
and latency it cost (see ``graftml.executors.ttc.sample_bank``).

    python benchmarks/ttc_scaling.py            # ~20 min on 2 idle cores
    python benchmarks/ttc_scaling.py --quick    # ~2 min
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from graftml.executors.ttc.evaluate import EvalConfig, EvalRow, evaluate
from graftml.executors.ttc.report import Summary, format_table, write_outputs
from graftml.llm.metered import make_backend
from graftml.llm.registry import get_model

DEFAULT_ITEMS = 30  # sized so that the default run takes about 20 min on 2 idle cores
QUICK_ITEMS = 5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few items, N up to 8")
    parser.add_argument("--items", type=int, help=f"held-out items (default {DEFAULT_ITEMS})")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--ns", default=None, help="comma-separated N (default 1,2,4,8,16)")
    parser.add_argument("--models", default="smollm2,gemma3-270m")
    parser.add_argument("--dataset", default="arithmetic")
    parser.add_argument("--out", default="runs/bench/ttc_scaling")
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace) -> EvalConfig:
    items = args.items or (QUICK_ITEMS if args.quick else DEFAULT_ITEMS)
    ns = args.ns or ("1,2,4,8" if args.quick else "1,2,4,8,16")
    return EvalConfig(dataset=args.dataset, models=tuple(args.models.split(",")),
                      strategies=("single", "best_of_n", "self_consistency"),
                      ns=tuple(int(n) for n in ns.split(",")), seeds=args.seeds,
                      split="heldout", limit=items, scorer="mean_logprob", max_tokens=32)


def gains(summaries: list[Summary]) -> list[str]:
    """Self-consistency minus greedy single, per model and N, at equal model."""
    lines = []
    for model in sorted({s.model for s in summaries}):
        base = next(s for s in summaries if s.model == model and s.strategy == "single")
        for s in summaries:
            if s.model == model and s.strategy == "self_consistency":
                lines.append(f"{model:<13} N={s.n:<3} self_consistency {s.accuracy:.3f} vs single "
                             f"{base.accuracy:.3f}: gain {s.accuracy - base.accuracy:+.3f} at "
                             f"{s.tokens / base.tokens:.1f}x the tokens")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = config_from(args)
    specs = {model: get_model(model) for model in config.models}
    print(f"held-out items: {config.limit} of {config.dataset} · models {', '.join(config.models)}"
          f" · N {list(config.ns)} · seeds {config.seeds} · load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    backends = {model: make_backend(spec) for model, spec in specs.items()}
    started = time.perf_counter()
    try:
        rows: list[EvalRow] = evaluate(config, backends, specs, progress=lambda line: print(
            f"  [{time.perf_counter() - started:6.0f}s] {line}", file=sys.stderr, flush=True))
    finally:
        for backend in backends.values():
            backend.close()
    elapsed = time.perf_counter() - started
    out = Path(args.out)
    summaries = write_outputs(rows, out, f"{config.dataset}, held-out, {config.limit} items, "
                                         f"{config.seeds} seeds")
    print(format_table(summaries))
    print("\nself-consistency vs single (greedy), same model:")
    print("\n".join(gains(summaries)))
    print(f"\n{elapsed:.0f}s wall (load average now {os.getloadavg()[0]:.1f}); wrote "
          f"{out / 'runs.jsonl'}, {out / 'summary.json'}, {out / 'accuracy_vs_cost.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

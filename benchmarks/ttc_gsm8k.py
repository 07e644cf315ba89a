"""GSM8K accuracy vs tokens, replayed from sample banks: greedy, fixed self-consistency at every
N, the adaptive strategies, and a weak-to-strong cascade, with token savings against fixed
self-consistency at the largest N and the cascade's cost against the strong model's vote.

Build one bank per model once (the model runs; resumable), then replay (no model runs):

    graft ttc bank build --data ../shared/data/gsm8k/test.jsonl --limit 200 --seeds 1 \\
        --models qwen2.5-coder-0.5b-vllm --n 16 --out BANK_05.jsonl      # .venv-vllm
    python benchmarks/ttc_gsm8k.py --banks BANK_05.jsonl.gz BANK_15.jsonl.gz \\
        --data ../shared/data/gsm8k/test.jsonl --limit 200 --n 16 \\
        --cascade qwen2.5-coder-0.5b-vllm:qwen2.5-coder-1.5b-vllm --plot out.png

Repeats: a bank of K samples per problem gives K // N disjoint draws of N samples (seed s uses
samples s*N ... s*N + N - 1), so N = K is one draw; every comparison carries a 95% paired
bootstrap interval over (problem, draw) pairs. Anchors printed beside the numbers: ESC (Li et
al., 2024) ~80% fewer samples on GSM8K at equal accuracy; Adaptive-Consistency (Aggarwal et al.,
2023) 3.3x fewer samples; Snell et al. (2024) ~4x less compute with difficulty-adaptive
allocation; CISC (Taubenfeld et al., 2025) equal accuracy with ~40% fewer samples;
self-consistency >= +5 points over greedy at 0.5B-1.5B.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
from collections.abc import Callable
from dataclasses import replace

from benchmarks._common import console, cpu_model
from benchmarks._ttc_replay import (
    Replay,
    calibrate_difficulty,
    cascade_rows,
    compare,
    efficiency_verdict,
    open_banks,
    pareto_cascades,
    pick,
)
from graftml.executors.ttc.evaluate import EvalConfig, EvalRow
from graftml.executors.ttc.report import format_table, plot, summarize
from graftml.ttc import DifficultyOptions

DEFAULT = DifficultyOptions()

FIXED = "self_consistency"
ADAPTIVE = ("early_stopping_self_consistency", "adaptive_consistency", "confidence_vote",
            "difficulty_adaptive")
ANCHORS = {"early_stopping_self_consistency": "ESC paper: ~80% fewer samples on GSM8K",
           "adaptive_consistency": "Adaptive-Consistency paper: 3.3x fewer samples",
           "confidence_vote": "CISC paper: equal accuracy with ~40% fewer samples",
           "difficulty_adaptive": "Snell et al.: ~4x less compute, difficulty-adaptive"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--banks", type=Path, nargs="+", required=True,
                        help="bank files (each names its models)")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--n", type=int, required=True, help="the banks' samples per problem")
    parser.add_argument("--n-for", action="append", default=[], metavar="MODEL=K",
                        help="a model whose bank holds K samples per problem, not --n")
    parser.add_argument("--max-tokens", type=int, default=400)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--cascade", help="WEAK:STRONG models, both in the banks")
    parser.add_argument("--strong-n", type=int, default=8,
                        help="the strong model's self-consistency the cascade is held to")
    parser.add_argument("--plot", type=Path, help="write accuracy vs cost here (PNG)")
    parser.add_argument("--dev-banks", type=Path, nargs="*", default=[],
                        help="banks on a dev split (e.g. GSM8K train) to choose thresholds on")
    parser.add_argument("--dev-data", type=Path)
    parser.add_argument("--dev-limit", type=int)
    parser.add_argument("--dev-n", type=int, default=8, help="the dev banks' samples")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stores, specs = open_banks(args.banks, args.data, args.max_tokens, args.temperature)
    models = tuple(specs)
    ks = {model: args.n for model in models} | _per_model_k(args.n_for)
    ns = tuple(sorted({1, *[2 ** k for k in range(1, 8) if 2 ** k <= args.n], *ks.values()}))
    base = EvalConfig(dataset=str(args.data), models=models, strategies=(FIXED,), ns=ns,
                      limit=args.limit, max_tokens=args.max_tokens,
                      temperature=args.temperature)
    replay = Replay(base, stores, specs, ks)
    out = console()

    def say(line: str) -> None:
        out.print(line, markup=False, highlight=False)  # anchors are in [brackets]

    difficulty = _dev_thresholds(args, say)
    rows = replay.fixed()
    for model in models:
        options = difficulty.get(model, DEFAULT)
        where = "chosen on the dev split" if model in difficulty else "the default; no dev bank"
        say(f"{model}: difficulty_adaptive with confident {options.confident:g} ({where})")
        rows += replay.run(replace(base, models=(model,), strategies=ADAPTIVE,
                                   ns=(ks[model],), request_fields={"difficulty": options}))
    if args.cascade:
        weak, strong = args.cascade.split(":")
        rows += cascade_rows(replay, weak, strong)
    out.print(f"GSM8K replayed from {len(args.banks)} bank(s) ({replay.items} problems, "
              f"K = {ks} samples per problem; N-sample runs repeat K // N times) on "
              f"{cpu_model()}; tokens and seconds are those measured when the banks were built "
              "(their build logs record the machine)")
    out.print(format_table(summarize(rows)))
    for model in models:
        _report_model(say, rows, replay, model, ks[model])
    if args.cascade:
        _report_cascade(say, rows, replay, args.cascade, args.strong_n)
    if args.plot:
        plot(pareto_cascades(summarize(rows)), args.plot,
             f"GSM8K, {replay.items} held-out problems (cascades: those on the front)")
        out.print(f"wrote {args.plot}")
    return 0


def _per_model_k(pairs: list[str]) -> dict[str, int]:
    try:
        return {model: int(k) for model, k in (pair.split("=") for pair in pairs)}
    except ValueError:
        raise SystemExit(f"--n-for takes MODEL=K, got {pairs}") from None


def _dev_thresholds(args: argparse.Namespace, say: Callable[[str], None]
                    ) -> dict[str, DifficultyOptions]:
    """Per model with a dev bank, difficulty_adaptive's threshold chosen on the dev split."""
    if not args.dev_banks:
        return {}
    if args.dev_data is None:
        raise SystemExit("--dev-banks needs --dev-data (the dev split's file)")
    stores, specs = open_banks(args.dev_banks, args.dev_data, args.max_tokens,
                               args.temperature)
    dev = Replay(EvalConfig(dataset=str(args.dev_data), models=tuple(specs),
                            limit=args.dev_limit, max_tokens=args.max_tokens,
                            temperature=args.temperature), stores, specs,
                 dict.fromkeys(specs, args.dev_n))
    return {model: calibrate_difficulty(dev, model, say) for model in specs}


def _report_model(say: Callable[[str], None], rows: list[EvalRow], replay: Replay, model: str,
                  n: int) -> None:
    fixed = pick(rows, model, FIXED, n)
    say(compare(fixed, pick(rows, model, "single", 1), replay.references,
                "literature: >= +5 points over greedy at 0.5B-1.5B"))
    for strategy in ADAPTIVE:
        say(compare(pick(rows, model, strategy, n), fixed, replay.references,
                    ANCHORS[strategy]))
    say(efficiency_verdict(rows, model, FIXED, ADAPTIVE, n, replay.references))


def _report_cascade(say: Callable[[str], None], rows: list[EvalRow], replay: Replay, pair: str,
                    strong_n: int) -> None:
    weak, strong = pair.split(":")
    anchor = pick(rows, strong, FIXED, strong_n)
    for label in sorted({r.model for r in rows if r.strategy == "cascade"}):
        ours = [r for r in rows if r.model == label and r.strategy == "cascade"]
        say(compare(ours, anchor, replay.references,
                    f"{weak} -> {strong} ({label}: weak N / agreement / strong N)", cost=True))


if __name__ == "__main__":
    sys.exit(main())

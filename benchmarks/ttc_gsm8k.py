"""GSM8K accuracy vs tokens, replayed from a sample bank: greedy, fixed self-consistency and the
adaptive votes, with their token savings against fixed self-consistency at the largest N.

Build the bank once (the model runs; resumable), then replay any number of times (no model):

    graft ttc bank build --data ../shared/data/gsm8k/test.jsonl --limit 20 \\
        --models qwen2.5-coder-0.5b --n 4 --seeds 3 --out benchmarks/results/gsm8k_bank.jsonl
    python benchmarks/ttc_gsm8k.py --bank benchmarks/results/gsm8k_bank.jsonl \\
        --data ../shared/data/gsm8k/test.jsonl --limit 20 --models qwen2.5-coder-0.5b --n 4

Anchors printed beside the numbers: ESC (Li et al., 2024) saves ~80% of samples on GSM8K at
equal accuracy; Adaptive-Consistency (Aggarwal et al., 2023) 3.3x fewer samples on average;
CISC (Taubenfeld et al., 2025) matches self-consistency with ~40% fewer samples (here it draws
the same N, so compare accuracy); self-consistency adds >= 5 points over greedy on 0.5B-1.5B
models in the literature.
Differences carry a 95% paired bootstrap interval over (problem, seed) pairs.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse

import numpy as np

from benchmarks._common import console, cpu_model
from graftml.executors.ttc.bank_store import BankHeader, BankStore
from graftml.executors.ttc.datasets import load_dataset
from graftml.executors.ttc.evaluate import EvalConfig, EvalRow, evaluate
from graftml.executors.ttc.extract import normalize_answer
from graftml.executors.ttc.report import format_table, summarize
from graftml.files import file_sha256
from graftml.llm.registry import get_model

FIXED = "self_consistency"
ADAPTIVE = ("early_stopping_self_consistency", "adaptive_consistency", "confidence_vote")
ANCHORS = {"early_stopping_self_consistency": "ESC paper: ~80% fewer samples on GSM8K",
           "adaptive_consistency": "Adaptive-Consistency paper: 3.3x fewer samples",
           "confidence_vote": "CISC paper: equal accuracy with ~40% fewer samples"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bank", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--models", required=True, help="comma-separated")
    parser.add_argument("--n", type=int, required=True, help="the bank's samples per seed")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=400)
    parser.add_argument("--temperature", type=float, default=0.7)
    return parser.parse_args(argv)


def correct_vector(row: EvalRow, references: list[str]) -> np.ndarray:
    """1 per problem answered right, 0 otherwise."""
    return np.array([a is not None and normalize_answer(a) == r
                     for a, r in zip(row.answers, references, strict=True)], dtype=float)


def bootstrap_ci(diff: np.ndarray, rounds: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of the mean of ``diff`` (paired differences)."""
    rng = np.random.default_rng(seed)
    means = rng.choice(diff, size=(rounds, diff.size), replace=True).mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def pick(rows: list[EvalRow], model: str, strategy: str, n: int) -> list[EvalRow]:
    """The rows of one (model, strategy, N), by seed."""
    return sorted((r for r in rows if (r.model, r.strategy, r.n) == (model, strategy, n)),
                  key=lambda r: r.seed)


def compare(ours: list[EvalRow], base: list[EvalRow], references: list[str],
            anchor: str) -> str:
    """One line: ``ours`` against ``base`` on the same problems and seeds."""
    diff = np.concatenate([correct_vector(a, references) - correct_vector(b, references)
                           for a, b in zip(ours, base, strict=True)])
    low, high = bootstrap_ci(diff)
    tokens = sum(r.cost.completion_tokens for r in ours)
    base_tokens = sum(r.cost.completion_tokens for r in base) or 1
    return (f"{ours[0].model} {ours[0].strategy}@{ours[0].n} vs {base[0].strategy}@"
            f"{base[0].n}: accuracy {diff.mean():+.3f} (95% CI {low:+.3f} … {high:+.3f}), "
            f"completion tokens x{tokens / base_tokens:.2f}  [{anchor}]")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    models = tuple(m.strip() for m in args.models.split(",") if m.strip())
    ns = tuple(sorted({1, *[2 ** k for k in range(1, 8) if 2 ** k <= args.n], args.n}))
    config = EvalConfig(dataset=str(args.data), models=models,
                        strategies=("single", FIXED, *ADAPTIVE), ns=ns, seeds=args.seeds,
                        limit=args.limit, max_tokens=args.max_tokens,
                        temperature=args.temperature)
    header = BankHeader(args.data.name, file_sha256(args.data), models, args.max_tokens,
                        args.temperature)
    store = BankStore(args.bank, header)
    rows = evaluate(config, {}, {m: get_model(m) for m in models},
                    stores=dict.fromkeys(models, store))
    references = [item.answer for item in load_dataset(str(args.data), limit=args.limit).items]
    out = console()
    out.print(f"GSM8K replayed from {args.bank} ({len(references)} problems, {args.seeds} "
              f"seeds, N <= {args.n}) on {cpu_model()}; tokens and latencies are those "
              "measured when the bank was built (its build log records the machine)")
    out.print(format_table(summarize(rows)))
    for model in models:
        fixed = pick(rows, model, FIXED, args.n)
        out.print(compare(fixed, pick(rows, model, "single", 1), references,
                          "literature: >= +5 points over greedy at 0.5B-1.5B"))
        for strategy in ADAPTIVE:
            out.print(compare(pick(rows, model, strategy, args.n), fixed, references,
                              ANCHORS[strategy]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

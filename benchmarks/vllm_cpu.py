"""vLLM on CPU through graftml's vllm_engine backend: batched ``n`` and ngram speculative decoding.

    .venv-vllm/bin/python benchmarks/vllm_cpu.py               # 3 repeats, SmolLM2-135M
    .venv-vllm/bin/python benchmarks/vllm_cpu.py --repeats 5 --max-tokens 128 --out vllm.json

Two comparisons, each on one engine, runs interleaved (A, B, A, B, ...) so that a drift in the
machine's load hits both sides alike, after one warm-up call per side:

1. **n-batched sampling**: ``n=N`` samples in ONE request (``SamplingParams(n=N)``) against ``N``
   sequential single-sample requests with seeds ``seed, seed+1, ...``; completion tokens per
   second of wall time (temperature 0.8, same prompt).
2. **ngram speculative decoding**: a repetitive prompt at temperature 0, decoded plainly and with
   ``{"method": "ngram", "num_speculative_tokens": K, "prompt_lookup_min": 2,
   "prompt_lookup_max": 4}`` (a second engine); latency per request, and whether the two outputs
   are identical token for token (they must be: greedy verification accepts only what the model
   itself would emit).

Needs ``.venv-vllm`` (``scripts/vllm_env.sh``). Latencies are ``GenerationResult.latency_s``
(the engine call alone); engine start-up is reported separately.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a file: keep this folder off sys.path, so that its datasets.py cannot shadow the
    # `datasets` package that transformers probes for.
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

STORY = "Write a long story about a dragon who learns to cook. Begin with the first day."
REPETITIVE = ("Copy this list, then continue it the same way: red, green, blue, yellow, red, "
              "green, blue, yellow, red, green, blue, yellow, red, green, blue, yellow, red,")


@dataclass
class Row:
    """One line of the table: a method's per-repeat measurements."""

    comparison: str
    method: str
    latencies_s: list[float]
    completion_tokens: list[int]

    @property
    def tokens_per_s(self) -> list[float]:
        return [t / s for t, s in zip(self.completion_tokens, self.latencies_s, strict=True)]


def hardware() -> dict[str, Any]:
    """CPU, memory, load and library versions, for the table's header."""
    import torch
    import transformers
    import vllm

    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cpu": model, "cores": len(os.sched_getaffinity(0)),
            "memory_gib": round(mem_kb / 2**20, 1), "load_avg": os.getloadavg(),
            "python": platform.python_version(), "vllm": vllm.__version__,
            "torch": torch.__version__, "transformers": transformers.__version__}


def interleave(repeats: int, sides: dict[str, Callable[[], tuple[float, int]]]
               ) -> dict[str, tuple[list[float], list[int]]]:
    """Run each side once to warm up, then ``repeats`` rounds of all sides in turn."""
    for run in sides.values():
        run()
    results: dict[str, tuple[list[float], list[int]]] = {k: ([], []) for k in sides}
    for _ in range(repeats):
        for name, run in sides.items():
            latency, tokens = run()
            results[name][0].append(latency)
            results[name][1].append(tokens)
    return results


def batched_vs_sequential(backend: Any, n: int, max_tokens: int, repeats: int) -> list[Row]:
    """``n`` samples as one request vs ``n`` sequential single requests."""
    from graftml.llm.types import GenerationRequest

    def batched() -> tuple[float, int]:
        r = backend.generate(GenerationRequest(prompt=STORY, n=n, temperature=0.8, seed=0,
                                               max_tokens=max_tokens))
        return r.latency_s, r.usage.completion_tokens

    def sequential() -> tuple[float, int]:
        latency, tokens = 0.0, 0
        for i in range(n):
            r = backend.generate(GenerationRequest(prompt=STORY, temperature=0.8, seed=i,
                                                   max_tokens=max_tokens))
            latency, tokens = latency + r.latency_s, tokens + r.usage.completion_tokens
        return latency, tokens

    results = interleave(repeats, {f"n={n} in one request": batched,
                                   f"{n} sequential requests": sequential})
    return [Row("sampling", name, *values) for name, values in results.items()]


def speculative_vs_plain(backend: Any, k: int, max_tokens: int, repeats: int
                         ) -> tuple[list[Row], bool]:
    """Greedy decoding of a repetitive prompt, plain and with ngram speculation."""
    from graftml.llm.types import GenerationRequest

    ngram = {"method": "ngram", "num_speculative_tokens": k, "prompt_lookup_min": 2,
             "prompt_lookup_max": 4}
    texts: dict[str, set[str]] = {"plain": set(), "ngram": set()}

    def side(name: str, speculative: dict[str, Any] | None) -> Callable[[], tuple[float, int]]:
        def run() -> tuple[float, int]:
            r = backend.generate(GenerationRequest(prompt=REPETITIVE, temperature=0.0,
                                                   max_tokens=max_tokens,
                                                   speculative=speculative))
            texts[name].add(r.texts[0])
            return r.latency_s, r.usage.completion_tokens
        return run

    results = interleave(repeats, {"plain": side("plain", None),
                                   f"ngram k={k}": side("ngram", ngram)})
    identical = len(texts["plain"]) == 1 and texts["plain"] == texts["ngram"]
    return [Row("speculative", name, *values) for name, values in results.items()], identical


def table(rows: list[Row], info: dict[str, Any], notes: list[str]) -> str:
    """A plain-text table (medians, with min-max over the repeats)."""
    lines = [f"vLLM {info['vllm']} on CPU | {info['cpu']} | {info['cores']} cores | "
             f"{info['memory_gib']} GiB | torch {info['torch']} | transformers "
             f"{info['transformers']} | load avg at start {info['load_avg'][0]:.2f}",
             f"{'comparison':<12} {'method':<24} {'latency s: median (range)':<27} "
             f"{'tokens':>6}  {'tok/s: median (range)'}"]
    for row in rows:
        lat, tps = row.latencies_s, row.tokens_per_s
        latency = f"{statistics.median(lat):.2f} ({min(lat):.2f}-{max(lat):.2f})"
        rate = f"{statistics.median(tps):.1f} ({min(tps):.1f}-{max(tps):.1f})"
        lines.append(f"{row.comparison:<12} {row.method:<24} {latency:<27} "
                     f"{statistics.median(row.completion_tokens):>6.0f}  {rate}")
    return "\n".join(lines + notes)


def speedup(rows: list[Row], method: str, baseline: str) -> float:
    """Median tokens/s of ``method`` over that of ``baseline`` (>1: ``method`` is faster)."""
    by_name = {row.method: statistics.median(row.tokens_per_s) for row in rows}
    return by_name[method] / by_name[baseline]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-vllm")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--k", type=int, default=4, help="ngram num_speculative_tokens")
    parser.add_argument("--out", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from graftml.llm.registry import get_model
    from graftml.llm.vllm_engine import VLLMEngineBackend

    info = hardware()
    backend = VLLMEngineBackend(get_model(args.model))
    try:
        t0 = time.perf_counter()
        rows = batched_vs_sequential(backend, args.n, args.max_tokens, args.repeats)
        spec_rows, identical = speculative_vs_plain(backend, args.k, args.max_tokens,
                                                    args.repeats)
        rows += spec_rows
        total_s = time.perf_counter() - t0
    finally:
        backend.close()
    info["load_avg_end"] = os.getloadavg()
    batched, sequential = (row.method for row in rows[:2])
    notes = [f"n-batched vs sequential: x{speedup(rows, batched, sequential):.2f} tokens/s",
             f"ngram speculative vs plain: x{speedup(rows, f'ngram k={args.k}', 'plain'):.2f} "
             f"tokens/s (same tokens, so the same factor off latency); outputs identical: "
             f"{identical}",
             f"{args.repeats} repeats after 1 warm-up, interleaved; {total_s:.0f} s in all, "
             f"engine start-ups included; load avg at end {info['load_avg_end'][0]:.2f}"]
    print(table(rows, info, notes))
    if args.out:
        args.out.write_text(json.dumps({"info": info, "identical": identical,
                                        "rows": [asdict(r) for r in rows]}, indent=1))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())

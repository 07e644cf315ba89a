"""Prompt-lookup decoding on CPU: latency with and without, on prompts with repetitive structure.

llama.cpp's prompt-lookup decoding drafts the next tokens by matching the last generated n-gram
against the prompt, and verifies the draft in one batched forward pass. Outputs that copy from
the prompt (editing code, reformatting records, repeating lists) accept long drafts. For each
local model and prompt this runs ``single`` (plain greedy decoding) and ``speculative``
(``{"method": "prompt_lookup", "num_speculative_tokens": K}``) side by side, alternating,
``--repeats`` times after one warm-up each; it prints median latency, tokens/s, the speed-up,
and checks that the greedy outputs are identical.

    python benchmarks/speculative_cpu.py [--repeats 3] [--max-tokens 96] [--k 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
from dataclasses import dataclass, replace

from graftml.executors.ttc import TTCRequest, TTCResult, single, speculative
from graftml.llm.llama_cpp_backend import LlamaCppBackend
from graftml.llm.registry import ModelSpec, get_model

_CODE = '''def total_price(items, tax_rate):
    subtotal = 0
    for item in items:
        subtotal = subtotal + item.price * item.quantity
    tax = subtotal * tax_rate
    return subtotal + tax
'''
_RECORDS = "\n".join(f"name: {n}, city: {c}, age: {a}" for n, c, a in (
    ("Ana", "Lisbon", 34), ("Ben", "Leeds", 29), ("Chloe", "Lyon", 41), ("Dev", "Delhi", 25),
    ("Emma", "Essen", 38), ("Farid", "Fez", 52)))
CHAT_PROMPTS = {
    "rename_variable": f"Rewrite this Python function, renaming `subtotal` to `net`. "
                       f"Output only the code.\n\n{_CODE}",
    "records_to_csv": f"Convert these records to CSV with a header row name,city,age. "
                      f"Output only the CSV.\n\n{_RECORDS}",
}
COMPLETION_PROMPTS = {
    "rename_variable": f"Original:\n{_CODE}\nThe same function with `subtotal` renamed to "
                       f"`net`:\n",
    "records_to_csv": f"Records:\n{_RECORDS}\n\nThe same records as CSV (name,city,age):\n"
                      "name,city,age\n",
}


@dataclass(frozen=True)
class Pair:
    """Timings of one (model, prompt): plain and speculative latencies and outputs."""

    model: str
    prompt: str
    plain_s: list[float]
    speculative_s: list[float]
    tokens: int
    identical: bool


def requests_for(spec: ModelSpec, max_tokens: int, k: int) -> dict[str, tuple[TTCRequest,
                                                                            TTCRequest]]:
    """(plain, speculative) greedy requests per prompt, chat or completion as the model needs."""
    knob = {"method": "prompt_lookup", "num_speculative_tokens": k}
    out = {}
    prompts = CHAT_PROMPTS if spec.capabilities.chat else COMPLETION_PROMPTS
    for name, text in prompts.items():
        plain = (TTCRequest(messages=({"role": "user", "content": text},), model=spec,
                            max_tokens=max_tokens) if spec.capabilities.chat else
                 TTCRequest(prompt=text, model=spec, max_tokens=max_tokens, stop=("\n\n\n",)))
        out[name] = (plain, replace(plain, speculative=knob))
    return out


def measure(spec: ModelSpec, backend: LlamaCppBackend, name: str, plain: TTCRequest,
            fast: TTCRequest, repeats: int) -> Pair:
    """Warm both paths up, then alternate plain and speculative runs ``repeats`` times."""
    runs: dict[str, list[TTCResult]] = {"plain": [], "speculative": []}
    single(plain, backend)
    speculative(fast, backend)
    for _ in range(repeats):
        runs["plain"].append(single(plain, backend))
        runs["speculative"].append(speculative(fast, backend))
    texts = {r.text for r in runs["plain"] + runs["speculative"]}
    return Pair(spec.name, name, [r.cost.latency_s for r in runs["plain"]],
                [r.cost.latency_s for r in runs["speculative"]],
                runs["plain"][0].usage.completion_tokens, len(texts) == 1)


def report(pairs: list[Pair], k: int) -> None:
    """Print the side-by-side table and the identical-output check."""
    print(f"{'model':<13}{'prompt':<17}{'tokens':>6}  {'plain s (median)':>16}  "
          f"{'lookup k=' + str(k) + ' s':>14}  {'plain tok/s':>11}  {'lookup tok/s':>12}  "
          f"{'speed-up':>8}  identical")
    for p in pairs:
        plain, fast = statistics.median(p.plain_s), statistics.median(p.speculative_s)
        print(f"{p.model:<13}{p.prompt:<17}{p.tokens:>6}  {plain:>16.3f}  {fast:>14.3f}  "
              f"{p.tokens / plain:>11.1f}  {p.tokens / fast:>12.1f}  {plain / fast:>7.2f}x  "
              f"{'yes' if p.identical else 'NO'}")
        print(f"{'':<30}runs plain {[round(s, 3) for s in p.plain_s]} · lookup "
              f"{[round(s, 3) for s in p.speculative_s]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--k", type=int, default=4, help="draft tokens per step")
    parser.add_argument("--models", default="smollm2,gemma3-270m")
    args = parser.parse_args(argv)
    print(f"temperature 0, {args.repeats} repeats after a warm-up, max {args.max_tokens} "
          f"tokens, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    pairs = []
    for model in args.models.split(","):
        spec = get_model(model)
        backend = LlamaCppBackend(spec)
        try:
            for name, (plain, fast) in requests_for(spec, args.max_tokens, args.k).items():
                pairs.append(measure(spec, backend, name, plain, fast, args.repeats))
        finally:
            backend.close()
    report(pairs, args.k)
    identical = all(p.identical for p in pairs)
    print(f"outputs identical at temperature 0: {'yes, all' if identical else 'NO'}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())

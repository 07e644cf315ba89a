"""``graft ttc eval`` (accuracy vs cost over a set) and ``graft ttc bank build`` (draw a set's
samples once into a bank file that later evals replay without the model)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from graftml.app.ttc_cli import parse_ints
from graftml.ttc.types import TTCError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from graftml.executors.ttc.bank_store import BankStore
    from graftml.executors.ttc.evaluate import EvalConfig, EvalRow
    from graftml.llm.base import LLMBackend
    from graftml.llm.registry import ModelSpec

__all__ = ["bank_command", "eval_command"]

FILE_MAX_TOKENS = 400  # a GSM8K chain of thought runs 150-320 tokens on the Qwen models


def eval_command(args: argparse.Namespace) -> int:
    """``graft ttc eval``: sweep models x strategies x N, live or replayed from ``--bank``."""
    from graftml.executors.ttc.report import format_table, write_outputs

    config = _config(args)
    stores = _stores(args, config, Path(args.bank)) if args.bank else {}
    rows = _run(config, stores, live=not args.bank)
    out = Path(args.out or f"runs/ttc-{Path(config.dataset).stem}")
    split = "whole file" if args.data else args.split
    summaries = write_outputs(rows, out, f"{config.dataset} ({split}, "
                                         f"{rows[0].items if rows else 0} items)")
    print(format_table(summaries))
    print(f"wrote {out / 'runs.jsonl'}, {out / 'summary.json'}, {out / 'accuracy_vs_cost.png'}")
    return 0


def bank_command(args: argparse.Namespace) -> int:
    """``graft ttc bank build --data F --models M --n K --seeds S --out FILE``: draw every
    problem's greedy answer and K samples per seed once per model, appended as drawn (a rerun
    after a kill resumes)."""
    from graftml.executors.ttc.report import format_table, summarize

    if args.dataset != "build" or not args.out:
        raise TTCError("use `graft ttc bank build --data FILE.jsonl --models M --n K "
                       "--out BANK.jsonl`")
    config = _config(args, bank=True)
    if not config.ns or min(config.ns) < 1:
        raise TTCError(f"--n takes the samples per problem and seed (>= 1), got {args.n!r}")
    largest = max(config.ns)
    config = replace(config, strategies=("single", "self_consistency"),  # greedy + samples
                     ns=tuple(sorted({1, largest})))
    rows = _run(config, _stores(args, config, Path(args.out)), live=True, fill=True)
    print(format_table(summarize(rows)))
    print(f"bank {args.out}: {len(config.models)} model(s) x {rows[0].items if rows else 0} "
          f"problems x (greedy + {largest} samples x {config.seeds} seed(s))")
    return 0


def _config(args: argparse.Namespace, bank: bool = False) -> EvalConfig:
    from graftml.executors.ttc.evaluate import EvalConfig

    if (bank or args.bank) and not args.data:
        raise TTCError("a bank holds the samples of an eval file: add --data FILE.jsonl")
    if not bank and bool(args.dataset) == bool(args.data):
        raise TTCError("give one dataset: `graft ttc eval arithmetic|word_problems|"
                       "multiple_choice` or `graft ttc eval --data FILE.jsonl`")
    models = tuple(m.strip() for m in (args.models or args.model).split(",") if m.strip())
    return EvalConfig(dataset=args.data or args.dataset, models=models,
                      strategies=tuple(s.strip() for s in args.strategies.split(",")),
                      ns=parse_ints(args.n, "--n"), seeds=args.seeds, split=args.split,
                      limit=args.limit, scorer=args.scorer or "mean_logprob",
                      max_tokens=args.max_tokens or (FILE_MAX_TOKENS if args.data else 32),
                      temperature=0.7 if args.temperature is None else args.temperature)


def _stores(args: argparse.Namespace, config: EvalConfig, path: Path) -> dict[str, BankStore]:
    from graftml.executors.ttc.bank_store import BankHeader, BankStore
    from graftml.files import file_sha256

    data = Path(args.data)
    if not data.is_file():
        raise TTCError(f"eval file {data} not found")
    header = BankHeader(data.name, file_sha256(data), config.models, config.max_tokens,
                        config.temperature)
    store = BankStore(path, header)
    return {model: store for model in config.models}


def _run(config: EvalConfig, stores: dict[str, BankStore], live: bool, fill: bool = False
         ) -> list[EvalRow]:
    """The sweep, with a progress bar; ``fill`` first draws the bank's samples ahead, many
    problems per call (then the sweep only replays)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from graftml.executors.ttc.evaluate import evaluate
    from graftml.llm.metered import make_backend
    from graftml.llm.registry import get_model

    specs = {model: get_model(model) for model in config.models}
    backends = {m: make_backend(spec) for m, spec in specs.items()} if live else {}
    bar = Progress(TextColumn("problems"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task("problems", total=None)
    try:
        with bar:
            if fill:
                _fill(config, backends, specs, stores, bar, task)
            return evaluate(config, backends, specs, stores=stores,
                            progress=lambda line: bar.console.print(line),
                            on_item=lambda done, total: bar.update(task, completed=done,
                                                                   total=total))
    finally:
        for backend in backends.values():
            backend.close()
        for store in set(stores.values()):
            store.close()


def _fill(config: EvalConfig, backends: dict[str, LLMBackend], specs: dict[str, ModelSpec],
          stores: dict[str, BankStore], bar: Progress, task: TaskID) -> None:
    from graftml.executors.ttc.bank_fill import fill_bank
    from graftml.executors.ttc.sample_bank import SampleBank

    for model, backend in backends.items():
        bar.update(task, completed=0, total=None)
        bank = SampleBank(backend, stores[model], model, specs[model])
        drawn = fill_bank(config, bank, specs[model],
                          on_item=lambda done, total: bar.update(task, completed=done,
                                                                 total=total))
        bar.console.print(f"{model}: {drawn} new samples in the bank")

"""Accuracy versus cost: sweep models × strategies × N × seeds over an evaluation set.

Every (model, strategy, N, seed) runs the strategy for real on every item and is scored by
exact match with the reference answer; tokens, latency and the estimated FLOPs/bytes come from
the strategies' own :class:`~graftml.ttc.cost.Cost`. On backends that draw N samples as
N seeded calls, samples are generated once and replayed across N and strategies
(:class:`~graftml.executors.ttc.sample_bank.SampleBank`), which gives the same samples, usage and
latency as separate runs at a fraction of the time. Seed ``s`` uses sample seeds from
``s * seed_stride`` (1000: separate draws; on a bank of K samples per problem,
``seed_stride=N`` replays K // N disjoint repeats of N samples). ``single`` is greedy, so it
runs at N = 1 only and its seeds agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graftml.executors.ttc.bank_store import BankStore
from graftml.executors.ttc.datasets import Dataset, Item, Split, load_dataset
from graftml.executors.ttc.extract import normalize_answer
from graftml.executors.ttc.prompts import DEFAULT_SHOTS, item_request
from graftml.executors.ttc.registry import get_strategy, make_scorer
from graftml.executors.ttc.sample_bank import SampleBank
from graftml.llm.base import LLMBackend
from graftml.llm.registry import ModelSpec
from graftml.ttc.cost import Cost
from graftml.ttc.types import TTCError, TTCRequest

__all__ = ["EvalConfig", "EvalRow", "evaluate", "sweep_request"]

_SCORED = {"best_of_n", "beam_search"}


@dataclass(frozen=True)
class EvalConfig:
    """What to sweep; ``limit`` takes the first items of the split; ``request_fields`` set
    other :class:`~graftml.ttc.types.TTCRequest` fields (a strategy's options) on every
    request."""

    dataset: str
    models: tuple[str, ...]
    strategies: tuple[str, ...] = ("single", "best_of_n", "self_consistency")
    ns: tuple[int, ...] = (1, 2, 4, 8, 16)
    seeds: int = 3
    split: Split = "heldout"
    limit: int | None = None
    shots: int = DEFAULT_SHOTS
    scorer: str = "mean_logprob"
    max_tokens: int = 32
    temperature: float = 0.7
    seed_stride: int = 1000  # seed s draws sample seeds from s * seed_stride
    request_fields: dict[str, Any] = field(default_factory=dict)  # e.g. {"difficulty": ...}

    def __post_init__(self) -> None:
        if self.seed_stride < 1:
            raise TTCError(f"seed_stride must be >= 1, got {self.seed_stride}")


@dataclass(frozen=True)
class EvalRow:
    """One (model, strategy, N, seed) over all items: accuracy and the cost summed over items."""

    model: str
    strategy: str
    n: int
    seed: int
    items: int
    correct: int
    cost: Cost
    answers: tuple[str | None, ...] = field(default=(), repr=False)

    @property
    def accuracy(self) -> float:
        """Fraction of items answered correctly."""
        return self.correct / self.items if self.items else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON lines."""
        return {"model": self.model, "strategy": self.strategy, "n": self.n, "seed": self.seed,
                "items": self.items, "correct": self.correct, "accuracy": self.accuracy,
                "cost": self.cost.to_dict(), "answers": list(self.answers)}


def evaluate(config: EvalConfig, backends: Mapping[str, LLMBackend],
             specs: Mapping[str, ModelSpec],
             progress: Callable[[str], None] | None = None,
             stores: Mapping[str, BankStore] | None = None,
             on_item: Callable[[int, int], None] | None = None) -> list[EvalRow]:
    """Run the sweep on already-loaded ``backends`` (by model name); one row per run.

    With a bank in ``stores`` for a model, its samples are replayed from the file and new ones
    appended to it; a model with a bank and no backend is replayed from the bank alone.
    ``progress`` is called with a line after each (model, seed); ``on_item(done, total)`` after
    each problem of each (model, seed), for a progress bar.

    Raises:
        TTCError: an unknown strategy or dataset, an N below 1, a model with neither a backend
            nor a bank, or (replaying) a sample the bank lacks.
    """
    for name in config.strategies:
        get_strategy(name)
    if not config.ns or min(config.ns) < 1 or config.seeds < 1:
        raise TTCError(f"every n and seeds must be >= 1, got n={list(config.ns)}, "
                       f"seeds={config.seeds}")
    dataset = load_dataset(config.dataset, config.split, config.limit)
    rows: list[EvalRow] = []
    total, done = len(config.models) * config.seeds * len(dataset.items), 0
    for model in config.models:
        source = _source(model, backends, specs.get(model), (stores or {}).get(model))
        for seed in range(config.seeds):
            tick = None if on_item is None else _ticker(on_item, done, total)
            rows += _sweep(config, dataset, specs[model], source, seed, tick)
            done += len(dataset.items)
            if progress is not None:
                progress(f"{model} seed {seed}: {len(rows)} runs")
    return rows


def _ticker(on_item: Callable[[int, int], None], done: int, total: int
            ) -> Callable[[int], None]:
    return lambda finished: on_item(done + finished, total)


def _source(model: str, backends: Mapping[str, LLMBackend], spec: ModelSpec | None,
            store: BankStore | None) -> LLMBackend:
    backend = backends.get(model)
    if spec is None or (backend is None and store is None):
        raise TTCError(f"no backend for model {model!r}")
    if store is not None:
        return SampleBank(backend, store, model, spec)
    assert backend is not None
    return backend if spec.capabilities.batched_n else SampleBank(backend)


def _runs(config: EvalConfig) -> list[tuple[str, int]]:
    return [(strategy, n) for strategy in config.strategies
            for n in sorted(config.ns, reverse=True) if strategy != "single" or n == 1]


def sweep_request(config: EvalConfig, dataset: Dataset, item: Item, spec: ModelSpec,
                  strategy: str, n: int, seed: int) -> TTCRequest:
    """The request the sweep gives ``strategy`` at ``n`` and ``seed`` for ``item`` (bank
    building draws exactly these requests' samples ahead)."""
    return item_request(
        item, dataset, spec, config.shots, n=n, seed=seed * config.seed_stride,
        max_tokens=config.max_tokens,
        temperature=None if strategy == "single" else config.temperature,
        scorer=make_scorer(config.scorer) if strategy in _SCORED else None,
        **config.request_fields)


@dataclass
class _Tally:
    correct: int = 0
    cost: Cost = field(default_factory=Cost)
    answers: list[str | None] = field(default_factory=list)


def _sweep(config: EvalConfig, dataset: Dataset, spec: ModelSpec, backend: LLMBackend,
           seed: int, tick: Callable[[int], None] | None = None) -> list[EvalRow]:
    tallies = {run: _Tally() for run in _runs(config)}
    for finished, item in enumerate(dataset.items, start=1):
        expected = normalize_answer(item.answer)
        for (strategy, n), tally in tallies.items():
            request = sweep_request(config, dataset, item, spec, strategy, n, seed)
            result = get_strategy(strategy)(request, backend, None)
            tally.correct += result.answer is not None and normalize_answer(
                result.answer) == expected
            tally.cost = tally.cost + result.cost
            tally.answers.append(result.answer)
        if tick is not None:
            tick(finished)
    return [EvalRow(spec.name, strategy, n, seed, len(dataset.items), tally.correct,
                    tally.cost, tuple(tally.answers))
            for (strategy, n), tally in tallies.items()]

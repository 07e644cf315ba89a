"""Draw a sweep's samples ahead, many problems per backend call, into a bank.

``graft ttc bank build`` first fills the bank with :func:`fill_bank` (on vLLM, several problems'
``n`` samples decode as one batch), then runs the sweep, which replays every sample from the
bank. The requests drawn are exactly those the sweep's ``single`` and ``self_consistency`` make
(:func:`~graftml.executors.ttc.evaluate.sweep_request`), so the replay draws nothing more.
"""

from __future__ import annotations

from collections.abc import Callable

from graftml.executors.ttc.datasets import load_dataset
from graftml.executors.ttc.evaluate import EvalConfig, sweep_request
from graftml.executors.ttc.sample_bank import SampleBank
from graftml.executors.ttc.sampling import generation_request
from graftml.llm.registry import ModelSpec
from graftml.llm.types import GenerationRequest

__all__ = ["BANK_STRATEGIES", "fill_bank"]

BANK_STRATEGIES = ("single", "self_consistency")  # greedy + the samples every strategy replays


def fill_bank(config: EvalConfig, bank: SampleBank, spec: ModelSpec, problems_per_call: int = 8,
              on_item: Callable[[int, int], None] | None = None) -> int:
    """Draw every sample ``config``'s sweep of :data:`BANK_STRATEGIES` needs from ``bank``'s
    model, ``problems_per_call`` problems at a time; ``on_item(done, total)`` after each group.
    Returns the number of samples drawn (0 when the bank already holds them all)."""
    dataset = load_dataset(config.dataset, config.split, config.limit)
    items, drawn = dataset.items, 0
    for start in range(0, len(items), problems_per_call):
        block = items[start:start + problems_per_call]
        requests: list[GenerationRequest] = [
            generation_request(sweep_request(config, dataset, item, spec, strategy, n, seed))
            for item in block for seed in range(config.seeds)
            for strategy, n in _bank_runs(config)]
        drawn += bank.fill(requests)
        if on_item is not None:
            on_item(start + len(block), len(items))
    return drawn


def _bank_runs(config: EvalConfig) -> list[tuple[str, int]]:
    largest = max(config.ns)
    return [("single", 1)] + ([("self_consistency", largest)]
                              if "self_consistency" in config.strategies else [])

"""Replaying strategies from sample banks for the GSM8K benchmark: repeats as disjoint draws of
a bank's samples, the cascade over two models' banks, and the paired comparisons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from graftml.executors.ttc.bank_store import BankHeader, BankStore, read_header
from graftml.executors.ttc.datasets import load_dataset
from graftml.executors.ttc.evaluate import EvalConfig, EvalRow, evaluate, sweep_request
from graftml.executors.ttc.extract import normalize_answer
from graftml.executors.ttc.registry import get_strategy
from graftml.executors.ttc.report import Summary
from graftml.executors.ttc.sample_bank import SampleBank
from graftml.files import file_sha256
from graftml.llm.registry import ModelSpec, get_model
from graftml.ttc import CascadeOptions, Cost, DifficultyOptions

CASCADE_GRID = [(weak_n, agreement, strong_n) for weak_n in (4, 8)
                for agreement in (0.75, 1.0) for strong_n in (1, 4, 8)]


def open_banks(paths: Sequence[Path], data: Path, max_tokens: int, temperature: float
               ) -> tuple[dict[str, BankStore], dict[str, ModelSpec]]:
    """Each bank's store under each model it holds, checked against ``data`` and settings."""
    stores: dict[str, BankStore] = {}
    digest = file_sha256(data)
    for path in paths:
        models = read_header(path).models
        store = BankStore(path, BankHeader(data.name, digest, models, max_tokens, temperature))
        stores.update(dict.fromkeys(models, store))
    return stores, {model: get_model(model) for model in stores}


@dataclass
class Replay:
    """Sweeps replayed from ``stores``; ``ks`` holds each model's samples per problem, and a run
    at N repeats ``K // N`` times on disjoint samples (models with K < N skip it)."""

    base: EvalConfig
    stores: dict[str, BankStore]
    specs: dict[str, ModelSpec]
    ks: dict[str, int]

    def __post_init__(self) -> None:
        self.dataset = load_dataset(self.base.dataset, limit=self.base.limit)
        self.references = [normalize_answer(i.answer) for i in self.dataset.items]
        self.items = len(self.references)

    def run(self, config: EvalConfig) -> list[EvalRow]:
        """``config``'s sweep, one model and one N at a time with its own repeats."""
        rows: list[EvalRow] = []
        for n in config.ns:
            for model in (m for m in config.models if self.ks[m] >= n):
                rows += evaluate(replace(config, models=(model,), ns=(n,),
                                         seeds=self.ks[model] // n, seed_stride=n),
                                 {}, self.specs, stores=self.stores)
        return rows

    def fixed(self) -> list[EvalRow]:
        """Greedy, then fixed self-consistency at every N."""
        greedy = evaluate(replace(self.base, strategies=("single",), ns=(1,), seeds=1), {},
                          self.specs, stores=self.stores)
        return greedy + self.run(self.base)


def cascade_rows(replay: Replay, weak: str, strong: str) -> list[EvalRow]:
    """The cascade at every setting of :data:`CASCADE_GRID`, labelled ``weak_n/agreement/
    strong_n`` in the model column."""
    banks = {m: SampleBank(None, replay.stores[m], m, replay.specs[m]) for m in (weak, strong)}
    rows = []
    for weak_n, agreement, strong_n in CASCADE_GRID:
        options = CascadeOptions(banks[strong], replay.specs[strong], strong_n, agreement)
        if weak_n > replay.ks[weak] or strong_n > replay.ks[strong]:
            continue
        stride = max(weak_n, strong_n)  # draw s: samples from s * stride, on both models
        repeats = min((replay.ks[weak] - weak_n) // stride, (replay.ks[strong] - strong_n)
                      // stride) + 1
        config = replace(replay.base, seed_stride=stride)
        label = f"cascade {weak_n}/{agreement:g}/{strong_n}"
        for seed in range(repeats):
            rows.append(_cascade_run(replay, config, banks[weak], weak, options, weak_n, seed,
                                     label))
    return rows


def _cascade_run(replay: Replay, config: EvalConfig, bank: SampleBank, weak: str,
                 options: CascadeOptions, weak_n: int, seed: int, label: str) -> EvalRow:
    correct, cost = 0, Cost()
    answers: list[str | None] = []
    for item, reference in zip(replay.dataset.items, replay.references, strict=True):
        request = sweep_request(config, replay.dataset, item, replay.specs[weak], "cascade",
                                weak_n, seed)
        result = get_strategy("cascade")(replace(request, cascade=options), bank, None)
        correct += result.answer is not None and normalize_answer(result.answer) == reference
        cost = cost + result.cost
        answers.append(result.answer)
    return EvalRow(label, "cascade", weak_n, seed, replay.items, correct, cost, tuple(answers))


def pick(rows: list[EvalRow], model: str, strategy: str, n: int) -> list[EvalRow]:
    """The rows of one (model, strategy, N), by seed."""
    return sorted((r for r in rows if (r.model, r.strategy, r.n) == (model, strategy, n)),
                  key=lambda r: r.seed)


def correct_vector(row: EvalRow, references: list[str]) -> np.ndarray:
    """1 per problem answered right, 0 otherwise."""
    return np.array([a is not None and normalize_answer(a) == r
                     for a, r in zip(row.answers, references, strict=True)], dtype=float)


def bootstrap_ci(diff: np.ndarray, rounds: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of the mean of ``diff`` (paired differences)."""
    rng = np.random.default_rng(seed)
    means = rng.choice(diff, size=(rounds, diff.size), replace=True).mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def _per_draw(rows: list[EvalRow], field: str) -> float:
    return sum(float(getattr(r.cost, field)) for r in rows) / len(rows)


def compare(ours: list[EvalRow], base: list[EvalRow], references: list[str], anchor: str,
            cost: bool = False) -> str:
    """One line: ``ours`` against ``base`` on the same problems, paired draw by draw (the
    shorter list of draws is repeated); costs are per draw."""
    if not ours or not base:
        return f"(no rows for {anchor})"
    pairs = [(a, base[i % len(base)]) for i, a in enumerate(ours)]
    diff = np.concatenate([correct_vector(a, references) - correct_vector(b, references)
                           for a, b in pairs])
    low, high = bootstrap_ci(diff)
    ratio = _per_draw(ours, "total_tokens") / (_per_draw(base, "total_tokens") or 1)
    line = (f"{ours[0].model} {ours[0].strategy}@{ours[0].n} vs {base[0].model} "
            f"{base[0].strategy}@{base[0].n}: accuracy {diff.mean():+.3f} (95% CI {low:+.3f} … "
            f"{high:+.3f}), tokens x{ratio:.2f}")
    if cost:
        line += "".join(f", {name} x{_per_draw(ours, f) / (_per_draw(base, f) or 1):.2f}"
                        for name, f in (("FLOPs", "flops"), ("bytes", "bytes_moved"),
                                        ("seconds", "latency_s")))
    return f"{line}  [{anchor}]"


def efficiency_verdict(rows: list[EvalRow], model: str, fixed: str,
                       adaptive: Sequence[str], n: int, references: list[str]) -> str:
    """Which adaptive strategy reaches fixed@n's accuracy within one point with the fewest
    tokens, and its token ratio (goal: <= 0.25)."""
    base = pick(rows, model, fixed, n)
    if not base:
        return f"{model}: no {fixed}@{n} rows"
    target = float(np.mean([r.accuracy for r in base]))
    within = [(s, pick(rows, model, s, n)) for s in adaptive]
    within = [(s, r) for s, r in within if r and np.mean([x.accuracy for x in r]) >= target - 0.01]
    if not within:
        return f"{model}: no adaptive strategy within one point of {fixed}@{n} ({target:.3f})"
    best, best_rows = min(within, key=lambda sr: _per_draw(sr[1], "total_tokens"))
    ratio = _per_draw(best_rows, "total_tokens") / (_per_draw(base, "total_tokens") or 1)
    verdict = "meets" if ratio <= 0.25 else "misses"
    return (f"{model}: best adaptive within one point of {fixed}@{n} ({target:.3f}): {best} at "
            f"x{ratio:.2f} of its tokens ({verdict} the <= 0.25 goal)")


def pareto_cascades(summaries: list[Summary]) -> list[Summary]:
    """``summaries`` without the cascade settings that another cascade beats on both accuracy
    and tokens (the plot keeps the front), the kept ones as one "cascade" line."""
    cascades = [s for s in summaries if s.strategy == "cascade"]
    front = [s for s in cascades if not any(
        o.accuracy >= s.accuracy and o.tokens <= s.tokens and o != s for o in cascades)]
    return [s for s in summaries if s.strategy != "cascade"] + [
        replace(s, model="cascade (weak N/agreement/strong N)", n=i + 1)
        for i, s in enumerate(sorted(front, key=lambda s: s.tokens))]


CONFIDENT_GRID = (-0.05, -0.1, -0.15, -0.2, -0.3, -0.5)


def calibrate_difficulty(dev: Replay, model: str, say: Callable[[str], None]
                         ) -> DifficultyOptions:
    """``difficulty_adaptive``'s confidence threshold for ``model``, chosen on the dev bank: the
    cheapest setting of :data:`CONFIDENT_GRID` within one point of fixed self-consistency at the
    dev bank's N (the most accurate when none is)."""
    k = dev.ks[model]
    only = replace(dev.base, models=(model,), ns=(k,))
    target = float(np.mean([r.accuracy for r in dev.run(replace(only, strategies=(
        "self_consistency",)))]))
    tried = []
    for confident in CONFIDENT_GRID:
        options = DifficultyOptions(confident=confident)
        rows = dev.run(replace(only, strategies=("difficulty_adaptive",),
                               request_fields={"difficulty": options}))
        accuracy = float(np.mean([r.accuracy for r in rows]))
        tokens = _per_draw(rows, "total_tokens") / dev.items
        tried.append((options, accuracy, tokens))
        say(f"dev {model}: difficulty_adaptive@{k} confident {confident:g}: accuracy "
            f"{accuracy:.3f} (self-consistency@{k} {target:.3f}), {tokens:.0f} tokens/item")
    good = [t for t in tried if t[1] >= target - 0.01]
    chosen = min(good, key=lambda t: t[2]) if good else max(tried, key=lambda t: t[1])
    say(f"dev {model}: chose confident {chosen[0].confident:g}")
    return chosen[0]

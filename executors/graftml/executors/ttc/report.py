"""Accuracy-versus-cost tables and plots from :func:`~graftml.executors.ttc.evaluate.evaluate`."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from graftml.executors.ttc.evaluate import EvalRow

__all__ = ["Summary", "format_table", "plot", "summarize", "write_outputs"]

# marker, line style, marker size: one colour per model, one look per strategy
_STYLES = {"single": ("s", "none", 9), "best_of_n": ("^", "--", 7),
           "self_consistency": ("o", "-", 5), "early_stopping_self_consistency": ("v", ":", 8),
           "adaptive_consistency": ("<", ":", 8), "confidence_vote": ("P", ":", 8),
           "difficulty_adaptive": ("X", ":", 8), "cascade": ("*", ":", 11),
           "other": ("D", ":", 6)}


@dataclass(frozen=True)
class Summary:
    """One (model, strategy, N) averaged over seeds; costs are per item."""

    model: str
    strategy: str
    n: int
    seeds: int
    items: int
    accuracy: float
    accuracy_std: float
    tokens: float
    completion_tokens: float
    flops: float
    bytes_moved: float
    latency_s: float


def summarize(rows: Sequence[EvalRow]) -> list[Summary]:
    """Mean and spread over seeds for each (model, strategy, N), in first-seen order."""
    groups: dict[tuple[str, str, int], list[EvalRow]] = {}
    for row in rows:
        groups.setdefault((row.model, row.strategy, row.n), []).append(row)
    out = []
    for (model, strategy, n), runs in groups.items():
        accuracies = [r.accuracy for r in runs]
        per_item = sum(r.items for r in runs)
        out.append(Summary(
            model, strategy, n, len(runs), runs[0].items, statistics.fmean(accuracies),
            statistics.pstdev(accuracies), sum(r.cost.total_tokens for r in runs) / per_item,
            sum(r.cost.completion_tokens for r in runs) / per_item,
            sum(r.cost.flops for r in runs) / per_item,
            sum(r.cost.bytes_moved for r in runs) / per_item,
            sum(r.cost.latency_s for r in runs) / per_item))
    return sorted(out, key=lambda s: (s.model, s.strategy, s.n))


def format_table(summaries: Sequence[Summary]) -> str:
    """A fixed-width text table, one line per (model, strategy, N)."""
    model_w = max([13, *(len(s.model) + 2 for s in summaries)])
    strategy_w = max([18, *(len(s.strategy) + 2 for s in summaries)])
    head = (f"{'model':<{model_w}}{'strategy':<{strategy_w}}{'N':>3}  {'accuracy':>13}  "
            f"{'tokens/item':>11}  {'GFLOP/item':>10}  {'GB moved/item':>13}  "
            f"{'latency/item':>12}")
    lines = [head, "-" * len(head)]
    for s in summaries:
        lines.append(f"{s.model:<{model_w}}{s.strategy:<{strategy_w}}{s.n:>3}  "
                     f"{s.accuracy:>6.3f} ± {s.accuracy_std:.3f}  {s.tokens:>11.1f}  "
                     f"{s.flops / 1e9:>10.2f}  {s.bytes_moved / 1e9:>13.3f}  "
                     f"{s.latency_s:>11.3f}s")
    return "\n".join(lines)


def plot(summaries: Sequence[Summary], path: Path, title: str = "") -> Path:
    """Accuracy against tokens per item and against estimated FLOPs per item (log x), one
    line per (model, strategy) through N, error bars over seeds. Writes a PNG to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    lines: dict[tuple[str, str], list[Summary]] = {}
    for s in summaries:
        lines.setdefault((s.model, s.strategy), []).append(s)
    models = sorted({model for model, _ in lines})
    for (model, strategy), points in sorted(lines.items()):
        points = sorted(points, key=lambda p: p.n)
        style = _STYLES.get(strategy, _STYLES["other"])
        for axis, xs in ((axes[0], [p.tokens for p in points]),
                         (axes[1], [p.flops for p in points])):
            axis.errorbar(xs, [p.accuracy for p in points], yerr=[p.accuracy_std for p in points],
                          capsize=3, color=f"C{models.index(model)}", marker=style[0],
                          linestyle=style[1], markersize=style[2], alpha=0.85,
                          label=f"{model} · {strategy}")
            for x, p in zip(xs, points, strict=True):
                axis.annotate(f"{p.n}", (x, p.accuracy), fontsize=7, xytext=(3, 3),
                              textcoords="offset points")
    for axis, label in ((axes[0], "tokens per item (prompt + completion)"),
                        (axes[1], "estimated FLOPs per item")):
        axis.set_xscale("log")
        axis.set_xlabel(label)
        axis.grid(alpha=0.3)
    axes[0].set_ylabel("accuracy (exact match)")
    axes[1].legend(fontsize=8, loc="best")
    fig.suptitle(title or "accuracy vs test-time compute (labels: N)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_outputs(rows: Sequence[EvalRow], out: Path, title: str = "") -> list[Summary]:
    """Write ``runs.jsonl``, ``summary.json`` and ``accuracy_vs_cost.png`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "runs.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row.to_dict()) + "\n")
    summaries = summarize(rows)
    (out / "summary.json").write_text(json.dumps([asdict(s) for s in summaries], indent=1))
    plot(summaries, out / "accuracy_vs_cost.png", title)
    return summaries

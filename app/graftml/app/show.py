"""``graft show``: a run's leaderboard from its journal (works on unfinished runs too)."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from graftml.agents.loop.report import leaderboard
from graftml.agents.loop.rundir import RunPaths, load_meta
from graftml.data.metrics import get_metric
from graftml.errors import ConfigError
from graftml.journal import replay_nodes


def show(run_dir: str | Path, top: int = 15) -> None:
    """Print the leaderboard and, when the run has ended, its result."""
    root = Path(run_dir)
    if not (root / "journal.jsonl").exists():
        raise ConfigError(f"{run_dir!s} is not a graftml run folder (no journal.jsonl)")
    meta = load_meta(RunPaths(root))
    nodes = replay_nodes(root / "journal.jsonl")
    board = leaderboard(nodes, get_metric(meta.metric))
    table = Table(title=f"{root.name} · {meta.metric} ({meta.direction})")
    for col in ("#", "node", "family", "operator", meta.metric, "copies", "job s", "pipeline"):
        table.add_column(col)
    for row in board[:top]:
        spread = f" ± {row['cv_std']:.4f}" if row["cv_std"] else ""
        table.add_row(str(row["rank"]), row["node"], row["family"], row["operator"],
                      f"{row['score']:.5f}{spread}", str(row["copies"]), f"{row['job_s']:.1f}",
                      str(row["description"])[:60])
    console = Console()
    console.print(table)
    failed = sum(n.is_buggy for n in nodes.values())
    ok = sum(row["copies"] for row in board)
    console.print(f"{len(nodes)} nodes, {ok} ok ({len(board)} distinct pipelines), {failed} failed")
    result = root / "result.json"
    if result.exists():
        r = json.loads(result.read_text())
        threshold = f", decision threshold {r['threshold']:.3f}" if r.get("threshold") else ""
        console.print(f"final pick {r['best_node_id']}: out-of-fold {r['valid_score']}, "
                      f"hold-out test {r['test_score']}{threshold}; "
                      f"final model: {r.get('final_fit') or ('refit' if r['refit'] else '')}")
        if r.get("warning"):
            console.print(f"[bold yellow]warning:[/] {r['warning']}")
    else:
        console.print("run not finished: `graft resume` continues it")

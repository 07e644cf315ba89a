"""Leaderboard and the HTML report (search tree + score-vs-time plot, images embedded)."""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

from graftml.data.metrics import Metric
from graftml.rundir import RunPaths
from graftml.types import Node, NodeStatus

if TYPE_CHECKING:
    from graftml.runner import RunResult

OPERATOR_COLORS = {"draft": "tab:blue", "improve": "tab:green", "tune": "tab:orange",
                   "debug": "tab:red", "merge": "tab:purple", "crossover": "tab:brown"}


def leaderboard(nodes: dict[str, Node], metric: Metric) -> list[dict[str, Any]]:
    """Ok nodes, best first, as plain rows."""
    ok = [n for n in nodes.values() if n.status == NodeStatus.OK and n.score is not None]
    ok.sort(key=lambda n: metric.oriented(n.score or 0.0), reverse=True)
    return [{"rank": i + 1, "node": n.id, "operator": n.operator, "model": n.model,
             "score": n.score, "job_s": n.cost.get("job_s", 0.0),
             "description": n.description} for i, n in enumerate(ok)]


def _figure_to_base64(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def _plots(nodes: dict[str, Node], metric: Metric) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = sorted((n for n in nodes.values() if n.score is not None),
                  key=lambda n: n.timings.get("finished", 0.0))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for node in done:  # the tree: an edge from each parent to its child, in (time, score)
        for pid in node.parent_ids:
            parent = nodes.get(pid)
            if parent is not None and parent.score is not None:
                ax.plot([parent.timings.get("finished", 0), node.timings.get("finished", 0)],
                        [float(parent.score), float(node.score or 0.0)],
                        color="0.8", lw=0.8, zorder=1)
    for op, color in OPERATOR_COLORS.items():
        pts = [n for n in done if n.operator == op]
        if pts:
            ax.scatter([n.timings.get("finished", 0) for n in pts],
                       [float(n.score or 0.0) for n in pts],
                       s=22, color=color, label=op, zorder=2)
    best: list[float] = []
    for node in done:
        s = node.score or 0.0
        best.append(s if not best or metric.oriented(s) > metric.oriented(best[-1]) else best[-1])
    ax.step([n.timings.get("finished", 0) for n in done], best, where="post", color="black",
            lw=1.2, label="best so far")
    ax.set_xlabel("elapsed seconds")
    ax.set_ylabel(f"validation {metric.name}")
    ax.legend(fontsize=8)
    encoded = _figure_to_base64(fig)
    plt.close(fig)
    return f'<img alt="score vs time" src="data:image/png;base64,{encoded}">'


def _tree_html(nodes: dict[str, Node], best: str | None) -> str:
    children: dict[str, list[Node]] = {}
    roots: list[Node] = []
    for node in nodes.values():
        (children.setdefault(node.parent_ids[0], []) if node.parent_ids else roots).append(node)

    def item(node: Node) -> str:
        score = "—" if node.score is None else f"{node.score:.5f}"
        mark = " ★" if node.id == best else ""
        label = (f"<b>{node.id}</b> {node.operator} · {node.status} · {score}{mark} "
                 f"<small>{html.escape(node.description[:90])}"
                 f"{' · ' + html.escape(node.error[:120]) if node.error else ''}</small>")
        kids = "".join(item(c) for c in children.get(node.id, []))
        return f"<li>{label}{'<ul>' + kids + '</ul>' if kids else ''}</li>"

    return "<ul>" + "".join(item(r) for r in roots) + "</ul>"


def write_report(paths: RunPaths, result: RunResult, nodes: dict[str, Node],
                 metric: Metric) -> None:
    """Write ``leaderboard.csv`` and ``report.html`` into the run folder."""
    import pandas as pd

    pd.DataFrame(result.leaderboard).to_csv(paths.root / "leaderboard.csv", index=False)
    rows = "".join(
        f"<tr><td>{r['rank']}</td><td>{r['node']}</td><td>{r['operator']}</td>"
        f"<td>{r['score']:.5f}</td><td>{r['job_s']:.1f}</td>"
        f"<td>{html.escape(str(r['description']))}</td></tr>" for r in result.leaderboard[:25])
    test = "—" if result.test_score is None else f"{result.test_score:.5f}"
    valid = "—" if result.valid_score is None else f"{result.valid_score:.5f}"
    body = f"""<!doctype html><html><head><meta charset="utf-8"><title>graftml run</title>
<style>body{{font-family:sans-serif;margin:2em}} td,th{{padding:2px 8px}}
small{{color:#666}}</style></head><body>
<h1>graftml run {html.escape(paths.root.name)}</h1>
<p>metric <b>{metric.name}</b> ({metric.direction}) · best node <b>{result.best_node_id}</b> ·
validation {valid} · hold-out test {test} · refit {result.refit} · {result.n_nodes} nodes ·
{result.elapsed_s:.1f}s · median orchestration overhead {result.overhead_ms:.2f} ms/node</p>
<h2>Score vs time</h2>{_plots(nodes, metric) if nodes else ''}
<h2>Leaderboard</h2><table><tr><th>#</th><th>node</th><th>operator</th>
<th>{metric.name}</th><th>job s</th><th>pipeline</th></tr>{rows}</table>
<h2>Search tree</h2>{_tree_html(nodes, result.best_node_id)}
</body></html>"""
    (paths.root / "report.html").write_text(body)

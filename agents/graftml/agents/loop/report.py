"""Leaderboard and the HTML report (search tree + score-vs-time plot, images embedded)."""

from __future__ import annotations

import base64
import html
import io
import itertools
import math
from typing import TYPE_CHECKING, Any

from graftml.agents.loop.rundir import RunPaths
from graftml.data.metrics import Metric
from graftml.types import Node, NodeStatus

if TYPE_CHECKING:
    from graftml.agents.loop.result import RunResult

SAME_SCORE_DECIMALS = 4  # a closer score in one family is a variant, not another pipeline
OPERATOR_COLORS = {"draft": "tab:blue", "improve": "tab:green", "tune": "tab:orange",
                   "debug": "tab:red", "merge": "tab:purple", "crossover": "tab:brown"}
PLUGIN_COLORS = ("tab:olive", "tab:cyan", "tab:pink", "tab:gray")


def family(node: Node) -> str:
    """The model family of a node: its spec's model kind, ``ensemble``, or ``custom`` code."""
    kind = (node.spec or {}).get("model")
    return str(kind) if kind else "custom"


def leaderboard(nodes: dict[str, Node], metric: Metric) -> list[dict[str, Any]]:
    """One row per distinct pipeline, best first: nodes of one model family whose scores agree
    to :data:`SAME_SCORE_DECIMALS` decimals (identical code among them) are one row.

    A row is the best-scoring node of its group; ``copies`` counts the nodes in the group, and
    ``cv_std`` is the fold-to-fold spread of its score (when the run bags).
    """
    ok = [n for n in nodes.values() if n.status == NodeStatus.OK and n.score is not None]
    ok.sort(key=lambda n: metric.oriented(n.score or 0.0), reverse=True)
    groups: dict[str, list[Node]] = {}
    for node in ok:  # best first, so each group's first node is its best
        groups.setdefault(_group_key(node), []).append(node)
    return [{"rank": i + 1, "node": best.id, "operator": best.operator, "model": best.model,
             "family": family(best), "score": best.score,
             "cv_std": best.metrics.get("cv_std"), "copies": len(group),
             "job_s": best.cost.get("job_s", 0.0), "description": best.description}
            for i, (best, group) in enumerate((g[0], g) for g in groups.values())]


def families(nodes: dict[str, Node], metric: Metric) -> list[dict[str, Any]]:
    """Per model family: nodes tried, failures, job seconds spent and the best score."""
    table: dict[str, dict[str, Any]] = {}
    for node in nodes.values():
        row = table.setdefault(family(node), {"family": family(node), "nodes": 0, "failed": 0,
                                              "job_s": 0.0, "best": None})
        row["nodes"] += 1
        row["failed"] += node.is_buggy
        row["job_s"] += node.cost.get("job_s", 0.0)
        if node.status == NodeStatus.OK and node.score is not None and (
                row["best"] is None or metric.oriented(node.score) > metric.oriented(row["best"])):
            row["best"] = node.score
    rows = list(table.values())
    rows.sort(key=lambda r: -math.inf if r["best"] is None else metric.oriented(r["best"]),
              reverse=True)
    return rows


def _group_key(node: Node) -> str:
    """Nodes that are one pipeline to a reader: same family, same score to a few decimals."""
    return f"{family(node)}:{round(float(node.score or 0.0), SAME_SCORE_DECIMALS)}"


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
    others = itertools.cycle(PLUGIN_COLORS)
    operators = [*OPERATOR_COLORS, *sorted({n.operator for n in done} - set(OPERATOR_COLORS))]
    for op in operators:  # graftml's own operators in a fixed colour, plugins' after them
        color = OPERATOR_COLORS.get(op) or next(others)
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
    ax.set_ylabel(f"out-of-fold / validation {metric.name}")
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


def _spread_plot(board: list[dict[str, Any]], metric: Metric, top: int = 15) -> str:
    """The best pipeline of each model family, with its fold-to-fold spread as error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    firsts: dict[str, dict[str, Any]] = {}
    for row in board:
        firsts.setdefault(row["family"], row)
    rows = list(firsts.values())[:top][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.2))
    ax.errorbar([float(r["score"]) for r in rows], range(len(rows)),
                xerr=[float(r["cv_std"] or 0.0) for r in rows], fmt="o", capsize=3)
    ax.set_yticks(range(len(rows)),
                  [f"{r['family']} ({r['node']})" for r in rows], fontsize=7)
    ax.set_xlabel(f"{metric.name} (error bars: ±1 std over CV folds)")
    encoded = _figure_to_base64(fig)
    plt.close(fig)
    return f'<img alt="score spread over folds" src="data:image/png;base64,{encoded}">'


def _importance_html(result: RunResult, metric: Metric, top: int = 20) -> str:
    """Permutation importances of the final pick as bars, or why there are none."""
    if not result.importances:
        return f"<p>no importances: {html.escape(result.importances_note or 'not measured')}</p>"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = list(result.importances.items())[:top][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(items) + 1.2))
    ax.barh([name[:40] for name, _ in items], [drop for _, drop in items], color="tab:blue")
    ax.set_xlabel(f"how much worse {metric.name} gets when the feature is shuffled (fold 0)")
    ax.tick_params(axis="y", labelsize=7)
    encoded = _figure_to_base64(fig)
    plt.close(fig)
    return f'<img alt="feature importances" src="data:image/png;base64,{encoded}">'


def _cell(value: float | None, spread: float | None = None) -> str:
    if value is None:
        return "—"
    return f"{value:.5f}" + (f" ± {spread:.4f}" if spread else "")


def _tables(board: list[dict[str, Any]], fams: list[dict[str, Any]], metric: Metric) -> str:
    rows = "".join(
        f"<tr><td>{r['rank']}</td><td>{r['node']}</td><td>{r['family']}</td>"
        f"<td>{r['operator']}</td><td>{_cell(r['score'], r['cv_std'])}</td>"
        f"<td>{r['copies']}</td><td>{r['job_s']:.1f}</td>"
        f"<td>{html.escape(str(r['description']))}</td></tr>" for r in board[:25])
    fam_rows = "".join(
        f"<tr><td>{f['family']}</td><td>{f['nodes']}</td><td>{f['failed']}</td>"
        f"<td>{f['job_s']:.1f}</td><td>{_cell(f['best'])}</td></tr>" for f in fams)
    return (f"<h2>Leaderboard</h2><p>one row per pipeline: nodes of one family with the same "
            f"score to {SAME_SCORE_DECIMALS} decimals are its copies</p><table><tr><th>#</th>"
            f"<th>node</th><th>family</th><th>operator</th>"
            f"<th>{metric.name}</th><th>copies</th><th>job s</th><th>pipeline</th></tr>{rows}"
            f"</table><h2>Model families</h2><table><tr><th>family</th><th>nodes</th>"
            f"<th>failed</th><th>job s</th><th>best {metric.name}</th></tr>{fam_rows}</table>")


def write_report(paths: RunPaths, result: RunResult, nodes: dict[str, Node],
                 metric: Metric) -> None:
    """Write ``leaderboard.csv`` and ``report.html`` into the run folder."""
    import pandas as pd

    pd.DataFrame(result.leaderboard).to_csv(paths.root / "leaderboard.csv", index=False)
    scored = f"{result.folds}-fold out-of-fold" if result.folds > 1 else "validation"
    warning = (f"<p style='color:#b00'><b>warning:</b> {html.escape(result.warning)}</p>"
               if result.warning else "")
    plots = (_plots(nodes, metric) + _spread_plot(result.leaderboard, metric)
             if result.leaderboard else "")
    body = f"""<!doctype html><html><head><meta charset="utf-8">
<title>graftml · {html.escape(result.name)}</title>
<style>body{{font-family:sans-serif;margin:2em}} td,th{{padding:2px 8px}}
small{{color:#666}}</style></head><body>
<h1>graftml · {html.escape(result.name)} <small>{html.escape(paths.root.name)}</small></h1>
<p>metric <b>{metric.name}</b> ({metric.direction}) · best node <b>{result.best_node_id}</b> ·
{scored} {_cell(result.valid_score)} · hold-out test {_cell(result.test_score)} ·
{result.n_nodes} nodes · {result.elapsed_s:.1f}s · median orchestration overhead
{result.overhead_ms:.2f} ms/node</p>
<p><b>final model:</b> {html.escape(result.final_fit or "—")}</p>{warning}
<h2>Score vs time</h2>{plots}
<h2>What the final model relies on</h2>{_importance_html(result, metric)}
{_tables(result.leaderboard, families(nodes, metric), metric)}
<h2>Search tree</h2>{_tree_html(nodes, result.best_node_id)}
</body></html>"""
    (paths.root / "report.html").write_text(body)

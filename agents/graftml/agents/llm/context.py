"""What prompts show of a run: the task, earlier nodes, sibling attempts and error output.

Everything here reads the :class:`~graftml.operators.OperatorContext` only; lists are capped so a
long run does not overflow a small model's context.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from graftml.operators import OperatorContext
from graftml.types import Node

MAX_COLUMNS = 20
MAX_LINES = 6
STDERR_CHARS = 1200
CODE_CHARS = 4000


def task_summary(ctx: OperatorContext) -> str:
    """One paragraph: task type, metric with direction, rows, columns by type, description."""
    columns = {c: t for c, t in ctx.feature_types.items() if c != ctx.target}
    counts = Counter(columns.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    typed = len(counts) > 1  # with one type only, the names say enough
    shown = ", ".join(f"{c} ({t})" if typed else c for c, t in list(columns.items())[:MAX_COLUMNS])
    more = f" and {len(columns) - MAX_COLUMNS} more" if len(columns) > MAX_COLUMNS else ""
    classes = f" with {ctx.n_classes} classes" if ctx.n_classes else ""
    better = "higher" if ctx.metric.direction == "maximize" else "lower"
    text = (f"{ctx.task_type} classification{classes}" if ctx.task_type != "regression"
            else "regression")
    summary = (f"{text} of target {ctx.target!r}; metric {ctx.metric.name} ({better} is "
               f"better); {ctx.n_rows} training rows; {len(columns)} features ({kinds}): "
               f"{shown}{more}.")
    return f"{summary} {ctx.description}".strip()


def node_line(node: Node) -> str:
    """``- n3: description -> score 0.91`` (or the status and error of a failed node)."""
    if node.score is not None:
        outcome = f"score {node.score:.4g}"
    else:
        outcome = f"{node.status}{': ' + node.error[:120] if node.error else ''}"
    return f"- {node.id}: {node.description or node.operator} -> {outcome}"


def lines(nodes: list[Node], empty: str = "- none yet") -> str:
    """The last :data:`MAX_LINES` nodes, one line each."""
    return "\n".join(node_line(n) for n in nodes[-MAX_LINES:]) or empty


def drafts(ctx: OperatorContext) -> list[Node]:
    """Finished nodes without parents (what the search has tried from scratch)."""
    return [n for n in ctx.nodes.values() if not n.parent_ids and n.status != "running"]


def siblings(ctx: OperatorContext, parent_id: str) -> list[Node]:
    """Other finished children of ``parent_id``: the memory of earlier attempts on it."""
    return [n for n in ctx.nodes.values()
            if parent_id in n.parent_ids and n.status != "running"]


def parent(ctx: OperatorContext, parent_ids: tuple[str, ...]) -> Node:
    """The single parent of an improve or debug proposal (ValueError otherwise)."""
    if len(parent_ids) != 1 or parent_ids[0] not in ctx.nodes:
        raise ValueError(f"expected one known parent, got {list(parent_ids)}")
    return ctx.nodes[parent_ids[0]]


def stderr_tail(ctx: OperatorContext, node_id: str) -> str:
    """The end of a node's job stderr (``nodes/<id>/stderr.txt`` of the run), if saved."""
    path = ctx.run_dir / "nodes" / node_id / "stderr.txt"
    text = path.read_text(errors="replace") if path.exists() else ""
    return text[-STDERR_CHARS:].strip() or "(none)"


def clip_code(code: str) -> str:
    """Code shown in a prompt, cut (with a marker) past :data:`CODE_CHARS` characters."""
    return code if len(code) <= CODE_CHARS else code[:CODE_CHARS] + "\n# ... (cut)"


def compact(value: Any) -> str:
    """JSON on one line, for specs and bounds in prompts."""
    return json.dumps(value, separators=(", ", ": "), default=str)

"""The build graph: checkpointed after every node, resumed from the SQLite file by thread id."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver

from graftml.agents.llm import BuildGraph, GraphDeps, StepInput, StructuredDraft, load_prompts
from graftml.agents.llm.models import ModelHandle
from graftml.budget import Budget, Ledger
from graftml.llm import ScriptedBackend
from graftml.llm.registry import get_model
from graftml.operators import OperatorContext
from graftml.types import Proposal

from .conftest import draft_answer


def deps_for(ctx: OperatorContext, backend: ScriptedBackend, ledger: Ledger) -> GraphDeps:
    return GraphDeps(given=StepInput(Proposal("n7", "draft"), ctx), step=StructuredDraft(),
                     prompts=load_prompts("structured"),
                     model=ModelHandle(get_model("smollm2"), backend, ledger),
                     temperature=0.7, max_tokens=64)


def graph_on(path: Path, interrupt_after: tuple[str, ...] = ()) -> tuple[BuildGraph,
                                                                          sqlite3.Connection]:
    conn = sqlite3.connect(str(path), check_same_thread=False)
    return BuildGraph(SqliteSaver(conn), interrupt_after), conn


def test_an_interrupted_build_resumes_from_the_file_without_a_second_model_call(
        tmp_path: Path, ctx: OperatorContext) -> None:
    backend, ledger = ScriptedBackend([draft_answer()], model="smollm2"), Ledger(Budget())
    first, conn = graph_on(tmp_path / "agents.sqlite", interrupt_after=("call_model",))
    paused = first.run("n7", deps_for(ctx, backend, ledger))
    conn.close()
    assert paused.get("candidate") is None and paused["attempts"] == 1

    second, conn = graph_on(tmp_path / "agents.sqlite")
    done = second.run("n7", deps_for(ctx, backend, ledger))
    conn.close()
    candidate = done.get("candidate")
    assert candidate is not None and candidate["spec"] is not None
    assert candidate["spec"]["model"] == "xgboost"
    assert len(backend.requests) == 1
    assert done["tokens"] == ledger.spent.tokens > 0


def test_a_finished_build_is_returned_as_saved(tmp_path: Path, ctx: OperatorContext) -> None:
    backend, ledger = ScriptedBackend([draft_answer()], model="smollm2"), Ledger(Budget())
    graph, conn = graph_on(tmp_path / "agents.sqlite")
    first = graph.run("n7", deps_for(ctx, backend, ledger))
    again = graph.run("n7", deps_for(ctx, backend, ledger))
    conn.close()
    assert again == first
    assert len(backend.requests) == 1

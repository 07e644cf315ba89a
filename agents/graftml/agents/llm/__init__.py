"""LLM operators: ``draft``, ``improve``, ``debug`` and ``merge`` as LangGraph build graphs.

Two action levels: ``structured`` (a JSON action over the built-in pipeline space, under
grammar-constrained decoding; for small local models) and ``code`` (a whole candidate module).
Every call is metered by the run's ledger; failures fall back to the built-in operators.
"""

from __future__ import annotations

from graftml.agents.llm.code import CodeStep
from graftml.agents.llm.factory import make_llm_operators, make_step, resolve_level
from graftml.agents.llm.graph import BuildGraph, BuildState, GraphDeps, build_graph
from graftml.agents.llm.models import ModelHandle, ModelPool
from graftml.agents.llm.operator import LLMOperator, close_operators
from graftml.agents.llm.prompts import PromptSet, load_prompts
from graftml.agents.llm.repair import StructuredDebug, StructuredMerge
from graftml.agents.llm.step import Record, Step, StepInput
from graftml.agents.llm.structured import StructuredDraft, StructuredImprove

__all__ = [
    "BuildGraph",
    "BuildState",
    "CodeStep",
    "GraphDeps",
    "LLMOperator",
    "ModelHandle",
    "ModelPool",
    "PromptSet",
    "Record",
    "Step",
    "StepInput",
    "StructuredDebug",
    "StructuredDraft",
    "StructuredImprove",
    "StructuredMerge",
    "build_graph",
    "close_operators",
    "load_prompts",
    "make_llm_operators",
    "make_step",
    "resolve_level",
]

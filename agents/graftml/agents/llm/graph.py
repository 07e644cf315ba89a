"""The build graph every LLM operator runs, as a LangGraph ``StateGraph``::

    START -> build_prompt -> call_model -> parse --ok--> emit -> END
                  ^                          |
                  +------ retry (once) ------+--gave up--> END

State is checkpointed after every node (``SqliteSaver`` on ``<run>/agents.sqlite``, thread id =
proposal id), so a build interrupted mid-graph resumes where it stopped and a finished model call
is never paid for twice. What a node needs besides the state (the proposal, the run, the model)
comes in the runtime context, which is never checkpointed.
"""

from __future__ import annotations

import operator
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from graftml.agents.llm.models import ModelHandle
from graftml.agents.llm.prompts import PromptSet, render
from graftml.agents.llm.step import Record, Step, StepInput
from graftml.llm.types import GenerationRequest

NODES = ("build_prompt", "call_model", "parse", "emit")


class BuildState(TypedDict, total=False):
    """Checkpointed state of one build. Counters add up across attempts (reducers)."""

    system: str
    user: str
    completion: str
    feedback: str  # why the last answer was rejected; shown on the retry
    payload: dict[str, Any] | None  # the validated answer
    candidate: Record | None
    attempts: Annotated[int, operator.add]
    tokens: Annotated[int, operator.add]
    usd: Annotated[float, operator.add]
    errors: Annotated[list[str], operator.add]


@dataclass(frozen=True)
class GraphDeps:
    """The runtime context of one build (not checkpointed)."""

    given: StepInput
    step: Step
    prompts: PromptSet
    model: ModelHandle
    temperature: float
    max_tokens: int
    max_attempts: int = 2


def build_prompt(state: BuildState, runtime: Runtime[GraphDeps]) -> dict[str, Any]:
    """Node: the system and user text of the next attempt (with the rejection reason on a retry).

    Raises ValueError when the step does not apply to the proposal (before any model call).
    """
    deps = runtime.context
    variables = deps.step.variables(deps.given, deps.prompts)
    user = render(deps.prompts.template(deps.step.operator), variables)
    if state.get("feedback"):
        user += "\n\n" + render(deps.prompts.retry, {"error": state["feedback"]})
    return {"system": deps.prompts.system, "user": user}


def request_for(state: BuildState, deps: GraphDeps) -> GenerationRequest:
    """Chat messages for chat models, one completion prompt for base models."""
    seed = zlib.crc32(deps.given.proposal.id.encode()) + state.get("attempts", 0)
    caps = deps.model.spec.capabilities
    # without grammar support the prompt's field list guides the model and parse() finds the JSON
    schema = deps.step.schema(deps.given) if caps.json_schema else None
    common: dict[str, Any] = {"temperature": deps.temperature, "max_tokens": deps.max_tokens,
                              "seed": seed, "json_schema": schema}
    if caps.chat:
        messages = ({"role": "system", "content": state["system"]},
                    {"role": "user", "content": state["user"]})
        return GenerationRequest(messages=messages, **common)
    prompt = render(deps.prompts.completion, {"system": state["system"], "user": state["user"]})
    stop = ("\n```",) if schema is None else ()
    return GenerationRequest(prompt=prompt, stop=stop, **common)


def call_model(state: BuildState, runtime: Runtime[GraphDeps]) -> dict[str, Any]:
    """Node: one metered call; adds its tokens and dollars to the state.

    Raises BudgetExceeded (refused before the call) or LLMError (the backend failed).
    """
    deps = runtime.context
    source = f"{deps.step.operator}:{deps.given.proposal.id}"
    result = deps.model.generate(request_for(state, deps), source)
    usage = result.usage
    return {"completion": result.texts[0] if result.completions else "", "attempts": 1,
            "tokens": usage.total,
            "usd": deps.model.spec.cost_usd(usage.prompt_tokens, usage.completion_tokens)}


def parse(state: BuildState, runtime: Runtime[GraphDeps]) -> dict[str, Any]:
    """Node: the validated payload, or the reason the answer was rejected (never raises)."""
    deps = runtime.context
    text = state.get("completion", "")
    try:
        if not text.strip():
            raise ValueError("empty completion")
        return {"payload": deps.step.parse(text, deps.given), "feedback": ""}
    except ValueError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "invalid answer"
        shown = " ".join(text.split())[:160]
        return {"payload": None, "errors": [reason],
                "feedback": f"{reason}. Your answer was: {shown}" if shown else reason}


def after_parse(state: BuildState, runtime: Runtime[GraphDeps]) -> str:
    """Edge: emit a valid answer, retry while attempts are left, else give up."""
    if state.get("payload") is not None:
        return "emit"
    return "build_prompt" if state.get("attempts", 0) < runtime.context.max_attempts else END


def emit(state: BuildState, runtime: Runtime[GraphDeps]) -> dict[str, Any]:
    """Node: the candidate record of the accepted payload."""
    deps = runtime.context
    payload = state.get("payload")
    assert payload is not None  # routed here only with a payload
    return {"candidate": deps.step.emit(payload, deps.given)}


def build_graph() -> StateGraph[BuildState, GraphDeps, BuildState, BuildState]:
    """The uncompiled graph (compile it with a checkpointer)."""
    graph = StateGraph(BuildState, context_schema=GraphDeps)
    graph.add_node("build_prompt", build_prompt)
    graph.add_node("call_model", call_model)
    graph.add_node("parse", parse)
    graph.add_node("emit", emit)
    graph.add_edge(START, "build_prompt")
    graph.add_edge("build_prompt", "call_model")
    graph.add_edge("call_model", "parse")
    graph.add_conditional_edges("parse", after_parse, ["emit", "build_prompt", END])
    graph.add_edge("emit", END)
    return graph


def thread_config(thread_id: str) -> RunnableConfig:
    """The LangGraph config of one build thread."""
    return RunnableConfig(configurable={"thread_id": thread_id})


class BuildGraph:
    """The compiled graph with its checkpointer: run a build, or resume an interrupted one.

    Args:
        checkpointer: where state is saved after every node.
        interrupt_after: node names to pause after (tests use it to simulate a kill).
    """

    def __init__(self, checkpointer: BaseCheckpointSaver[Any],
                 interrupt_after: Sequence[str] = ()) -> None:
        self.compiled = build_graph().compile(checkpointer=checkpointer,
                                              interrupt_after=list(interrupt_after) or None)

    def run(self, thread_id: str, deps: GraphDeps) -> BuildState:
        """Run (or resume) the build of ``thread_id``; its final (or paused) state.

        A thread that already finished is not run again. Exceptions of a node (LLMError,
        BudgetExceeded, ValueError) propagate; the state up to the last finished node is kept.
        """
        config = thread_config(thread_id)
        snapshot = self.compiled.get_state(config)
        if snapshot.values and not snapshot.next:
            return cast(BuildState, snapshot.values)
        start = None if snapshot.next else BuildState(payload=None, candidate=None, feedback="")
        self.compiled.invoke(start, config, context=deps, durability="sync")
        return self.state(thread_id)

    def state(self, thread_id: str) -> BuildState:
        """The saved state of ``thread_id`` (empty when it never ran)."""
        values = self.compiled.get_state(thread_config(thread_id)).values
        return cast(BuildState, values or {})

"""What one LLM operator graph needs to know about its operator and level: a :class:`Step`.

A step turns the run's state into prompt variables (and a JSON schema for structured output),
validates the model's answer into a JSON-able payload, and turns the payload into a candidate
:data:`Record`. Steps are pure: no model calls, no I/O beyond reading the run folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

from graftml.agents.llm.prompts import PromptSet
from graftml.operators import OperatorContext
from graftml.types import Proposal


class Delegate(TypedDict):
    """A proposal handed to a built-in operator (e.g. the merge the model chose)."""

    operator: str
    parent_ids: list[str]
    params: dict[str, Any]


class Record(TypedDict):
    """A candidate as JSON-able graph state (predictions are never checkpointed)."""

    code: str
    description: str
    spec: dict[str, Any] | None
    params: dict[str, Any]
    delegate: Delegate | None


@dataclass(frozen=True)
class StepInput:
    """What a step may read: the proposal and the run, as the operator saw them."""

    proposal: Proposal
    ctx: OperatorContext


class Step(Protocol):
    """One operator at one action level."""

    operator: str
    level: str

    def variables(self, given: StepInput, prompts: PromptSet) -> dict[str, str]:
        """Called before each model call: the template variables.

        Raises:
            ValueError: the step cannot apply to this proposal (no model call is made).
        """
        ...

    def schema(self, given: StepInput) -> dict[str, Any] | None:
        """The JSON schema of the answer (grammar-constrained decoding), or None for free text."""
        ...

    def parse(self, text: str, given: StepInput) -> dict[str, Any]:
        """Called on each completion: the validated payload; ValueError(one-line reason)."""
        ...

    def emit(self, payload: dict[str, Any], given: StepInput) -> Record:
        """Called once on the accepted payload: the candidate record."""
        ...


def record(code: str, description: str, spec: dict[str, Any] | None = None,
           params: dict[str, Any] | None = None, delegate: Delegate | None = None) -> Record:
    """A :data:`Record` with defaults."""
    return Record(code=code, description=description, spec=spec, params=dict(params or {}),
                  delegate=delegate)


def first_json_object(text: str) -> dict[str, Any]:
    """The first JSON object in ``text`` (models without grammar support may add prose).

    Raises:
        ValueError: no object, or invalid JSON.
    """
    start = text.find("{")
    if start < 0:
        raise ValueError(f"no JSON object in the answer {text.strip()[:80]!r}")
    try:
        value, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON ({exc.msg} at char {exc.pos})") from None
    if not isinstance(value, dict):
        raise ValueError("the answer is not a JSON object")
    return value

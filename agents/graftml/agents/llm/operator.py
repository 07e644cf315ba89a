"""The LLM operator: routes proposals to its build graph or to the built-in operator.

Every ``every``-th proposal of an operator (counted over the run's nodes, so a resumed run
routes as the original did) goes to the LLM; the rest go to the built-in operator of the same
name. When the LLM cannot deliver (ledger refusal, backend failure, no valid answer after the
retry) the built-in operator builds that proposal instead, and the candidate says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from graftml.agents.llm.graph import BuildGraph, BuildState, GraphDeps
from graftml.agents.llm.models import ModelHandle, ModelPool
from graftml.agents.llm.prompts import PromptSet
from graftml.agents.llm.step import Record, Step, StepInput
from graftml.candidate import Candidate
from graftml.config import LLMOperatorConfig
from graftml.errors import BudgetExceeded, LLMError
from graftml.operators import DEFAULT_ROLES, BuildFailed, Operator, OperatorContext
from graftml.types import Node, Proposal

STRUCTURED_MAX_TOKENS = 128  # a JSON action is short; this caps the worst case the ledger holds


def one_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


class LLMOperator(Operator):
    """An operator built by a language model, with the built-in one as router target and fallback.

    Args:
        name: the operator name (draft, improve, debug, merge).
        config: model, level, sampling and routing settings.
        model: the shared, metered model.
        step: what to ask and how to read the answer at this level.
        prompts: the templates of the step's level.
        graph: the compiled build graph (shared checkpointer).
        builtin: the built-in operator of the same name (None: the LLM serves every proposal and
            a failure is a failed node). A merge delegates its ensemble to it.
        pool: released on :meth:`close`.
    """

    def __init__(self, name: str, config: LLMOperatorConfig, model: ModelHandle, step: Step,
                 prompts: PromptSet, graph: BuildGraph, builtin: Operator | None,
                 pool: ModelPool | None = None) -> None:
        super().__init__()
        self.name, self.config, self.model, self.step = name, config, model, step
        self.role = builtin.role if builtin is not None else DEFAULT_ROLES.get(name)
        self.prompts, self.graph, self.builtin, self.pool = prompts, graph, builtin, pool
        if pool is not None:
            pool.acquire()

    def routes_to_llm(self, proposal: Proposal, ctx: OperatorContext) -> bool:
        """True when this proposal is the LLM's: every ``config.every``-th of this operator."""
        if self.builtin is None:
            return True
        index = sum(1 for n in ctx.nodes.values() if n.operator == self.name
                    and n.id != proposal.id)
        return index % self.config.every == 0

    def build(self, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        """Called by the orchestrator per proposal; never raises LLMError or BudgetExceeded.

        Returns a candidate whose params carry ``model``, ``tokens`` and ``usd`` (what the LLM
        spent on it, retries and failed attempts included). Raises ValueError (a failed node)
        only when the LLM failed and no built-in operator could build the proposal either.
        """
        if not self.routes_to_llm(proposal, ctx):
            assert self.builtin is not None
            return self.builtin.build(proposal, ctx)
        try:
            deps = self._deps(proposal, ctx)  # ValueError: the step does not apply here
            state = self.graph.run(proposal.id, deps)
        except (LLMError, BudgetExceeded, ValueError) as exc:
            return self._fallback(proposal, ctx, one_line(exc), self.graph.state(proposal.id))
        record = state.get("candidate")
        if record is None:
            errors = state.get("errors") or ["no answer"]
            reason = f"no valid answer in {state.get('attempts', 0)} attempts: {errors[-1]}"
            return self._fallback(proposal, ctx, reason, state)
        try:
            candidate = self._candidate(record, proposal, ctx)
        except ValueError as exc:
            return self._fallback(proposal, ctx, one_line(exc), state)
        return replace(candidate, params={**candidate.params, **self._cost(state),
                                          "model": self.model.spec.name})

    def _deps(self, proposal: Proposal, ctx: OperatorContext) -> GraphDeps:
        max_tokens = self.config.max_tokens
        if self.step.schema(StepInput(proposal, ctx)) is not None:
            max_tokens = min(max_tokens, STRUCTURED_MAX_TOKENS)
        return GraphDeps(given=StepInput(proposal, ctx), step=self.step, prompts=self.prompts,
                         model=self.model, temperature=self.config.temperature,
                         max_tokens=max_tokens)

    def _cost(self, state: BuildState) -> dict[str, Any]:
        return {"tokens": int(state.get("tokens", 0)), "usd": float(state.get("usd", 0.0)),
                "llm": {"model": self.model.spec.name, "level": self.step.level,
                        "attempts": int(state.get("attempts", 0))}}

    def _candidate(self, record: Record, proposal: Proposal, ctx: OperatorContext) -> Candidate:
        delegate = record["delegate"]
        if delegate is None:
            return Candidate(code=record["code"], description=record["description"],
                             spec=record["spec"], params=dict(record["params"]))
        if self.builtin is None:
            raise ValueError(f"no built-in {delegate['operator']} operator to delegate to")
        chosen = Proposal(id=proposal.id, operator=proposal.operator,
                          parent_ids=tuple(delegate["parent_ids"]),
                          params={**proposal.params, **delegate["params"]})
        built = self.builtin.build(chosen, ctx)
        return replace(built, description=f"llm {built.description}",
                       params={**built.params, **record["params"]})

    def _fallback(self, proposal: Proposal, ctx: OperatorContext, reason: str,
                  state: BuildState) -> Candidate:
        cost = {**self._cost(state), "model": self.model.spec.name}
        cost["llm"]["failed"] = reason
        if self.builtin is None:
            raise BuildFailed(f"llm {self.name} failed: {reason}", cost)
        try:
            built = self.builtin.build(proposal, ctx)
        except ValueError as exc:
            raise BuildFailed(f"llm {self.name} failed: {reason}; the built-in fallback failed "
                              f"too: {one_line(exc)}", cost) from None
        del cost["model"]  # the built-in operator built this candidate
        return replace(built, description=f"[llm failed: {reason}; built-in fallback] "
                                          f"{built.description}",
                       params={**built.params, **cost})

    def should_promote(self, node: Node, low_fidelity_score: float, ctx: OperatorContext) -> bool:
        """The built-in operator's decision (it may own a pruner); True without one."""
        if self.builtin is None:
            return True
        return self.builtin.should_promote(node, low_fidelity_score, ctx)

    def on_finish(self, node: Node, ctx: OperatorContext) -> None:
        """Forwarded to the built-in operator."""
        if self.builtin is not None:
            self.builtin.on_finish(node, ctx)

    def close(self) -> None:
        """Release the shared model and checkpointer (the last operator closes them)."""
        if self.pool is not None:
            self.pool.release()
            self.pool = None


def close_operators(operators: Mapping[str, Operator]) -> None:
    """Call ``close()`` on every operator that has one (the end of a session)."""
    for op in operators.values():
        close = getattr(op, "close", None)
        if callable(close):
            close()

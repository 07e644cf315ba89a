"""Build the LLM operators of a run from ``RunConfig.llm_operators``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from graftml.agents.llm.code import CodeStep
from graftml.agents.llm.graph import BuildGraph
from graftml.agents.llm.models import ModelPool
from graftml.agents.llm.operator import LLMOperator
from graftml.agents.llm.prompts import load_prompts
from graftml.agents.llm.repair import StructuredDebug, StructuredMerge
from graftml.agents.llm.step import Step
from graftml.agents.llm.structured import StructuredDraft, StructuredImprove
from graftml.budget import Ledger
from graftml.config import LLMOperatorConfig
from graftml.errors import ConfigError
from graftml.llm.base import LLMBackend
from graftml.llm.registry import ModelSpec
from graftml.operators import Operator

#: models at least this large (or of unknown size, e.g. hosted APIs) are trusted to write code
CODE_MIN_PARAMETERS = 7e9
CHECKPOINT_FILE = "agents.sqlite"


def resolve_level(level: str, spec: ModelSpec) -> str:
    """``structured`` or ``code``; ``auto`` decides by the model's registry entry.

    Small models with JSON-schema output pick structured actions; chat models that are large
    (or of unknown size) write code; anything else is structured.
    """
    if level != "auto":
        return level
    large = spec.parameters == 0 or spec.parameters >= CODE_MIN_PARAMETERS
    return "code" if large and spec.capabilities.chat else "structured"


def make_step(operator: str, level: str) -> Step:
    """The step of ``operator`` at ``level`` (merge is always a structured choice)."""
    if level == "code" and operator != "merge":
        return CodeStep(operator)
    steps: dict[str, type[Step]] = {"draft": StructuredDraft, "improve": StructuredImprove,
                                    "debug": StructuredDebug, "merge": StructuredMerge}
    if operator not in steps:
        raise ConfigError(f"no LLM operator {operator!r}; choose from {', '.join(steps)}")
    return steps[operator]()


def make_llm_operators(configs: Mapping[str, LLMOperatorConfig], builtin: Mapping[str, Operator],
                       ledger: Ledger, run_dir: Path, models_dir: Path | None = None, *,
                       backends: Mapping[str, LLMBackend] | None = None,
                       prompts_dir: Path | None = None) -> dict[str, Operator]:
    """One :class:`LLMOperator` per configured operator name, sharing models and checkpointer.

    Called once per session, before the search. Each distinct model gets one backend (built
    lazily, so a model is loaded at its first call), metered by ``ledger``; build state is
    checkpointed in ``run_dir/agents.sqlite``. Call ``close()`` on every returned operator at
    the end: the last one closes the backends.

    Args:
        configs: operator name -> its LLM settings.
        builtin: built-in operators by name: routing targets and fallbacks.
        ledger: the run's ledger; every call is checked and charged.
        run_dir: the run folder.
        models_dir: a model folder to use instead of the registry (tests).
        backends: ready backends by model name, used instead of building them.
        prompts_dir: a prompt folder to use instead of the packaged one (tests).

    Raises:
        ConfigError: unknown model, operator or prompt file (before any model is loaded).
    """
    pool = ModelPool(ledger, Path(run_dir) / CHECKPOINT_FILE, models_dir, backends)
    graph = BuildGraph(pool.checkpointer())
    operators: dict[str, Operator] = {}
    for name, config in configs.items():
        model = pool.model(config.model)
        step = make_step(name, resolve_level(config.level, model.spec))
        prompts = load_prompts(step.level if step.operator != "merge" else "structured",
                               prompts_dir)
        operators[name] = LLMOperator(name, config, model, step, prompts, graph,
                                      builtin.get(name), pool)
    return operators

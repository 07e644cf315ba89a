"""Run configuration: frozen pydantic models validated from YAML, with ``--set`` overrides.

Every model forbids unknown keys. The ``searcher`` and ``executor`` sections are plugin settings:
their ``kind`` names a registered plugin (:mod:`graftml.plugins`) whose ``Settings`` model (a
:class:`SearcherSettings` or :class:`ExecutorSettings` subclass) validates the section. Errors come
back as one-line :class:`~graftml.errors.ConfigError` messages that name the key, the bad value and
what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    model_validator,
)

from graftml.budget import Budget
from graftml.data.task import Task
from graftml.errors import ConfigError
from graftml.plugins import EXECUTORS, SEARCHERS, Registry


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BudgetConfig(_Model):
    wall_s: float | None = Field(120.0, gt=0)
    tokens: int | None = Field(None, ge=0)
    usd: float | None = Field(None, ge=0)

    def to_budget(self) -> Budget:
        return Budget(wall_s=self.wall_s, tokens=self.tokens, usd=self.usd)


class SearcherSettings(_Model):
    """The ``searcher`` section: what every searcher takes. A searcher plugin's ``Settings``
    subclasses it with its own keys (``kind: Literal["name"]`` first)."""

    kind: str = "greedy"
    num_drafts: int | None = Field(None, ge=1)  # default: the portfolio size
    operators: tuple[str, ...] | None = None  # default: every operator the run has
    max_debug_depth: int = Field(3, ge=0)

    def constructor_kwargs(self) -> dict[str, Any]:
        """The plugin's own keys, passed to its constructor with ``num_drafts``, ``seed`` and
        the operators' roles."""
        return self.model_dump(exclude={"kind", "num_drafts", "operators"})


class ExecutorSettings(_Model):
    """The ``executor`` section: job limits every executor applies. An executor plugin's
    ``Settings`` subclasses it with its own keys."""

    kind: str = "local"
    workers: int | None = Field(None, ge=1)  # default: the number of cores
    timeout_s: float = Field(300.0, gt=0)
    memory_mb: int = Field(4096, ge=256)
    max_procs: int = Field(64, ge=4)
    threads: int = Field(1, ge=1)

    def constructor_kwargs(self) -> dict[str, Any]:
        """The plugin's own keys (the job limits are the orchestrator's), for ``from_settings``."""
        return self.model_dump(exclude=set(ExecutorSettings.model_fields))


SettingsT = TypeVar("SettingsT", SearcherSettings, ExecutorSettings)


def plugin_settings(registry: Registry, section: str, raw: dict[str, Any],
                    base: type[SettingsT]) -> SettingsT:
    """Validate a plugin section with the ``Settings`` of the plugin its ``kind`` names."""
    kind = raw.get("kind", base.model_fields["kind"].default)
    if not isinstance(kind, str):
        raise ConfigError(f"{section}.kind must be a name, got {kind!r}")
    settings = getattr(registry.get(kind), "Settings", base)
    try:
        validated = settings.model_validate({**raw, "kind": kind})
    except ValidationError as exc:
        raise ConfigError(_format(exc, section)) from None
    if not isinstance(validated, base):
        raise ConfigError(f"{section} {kind!r}: its Settings must subclass {base.__name__}")
    return validated


class CheapEvalConfig(_Model):
    enabled: bool = True
    min_rows: int = Field(4000, ge=100)  # subsample-first only above this many training rows
    fraction: float = Field(0.3, gt=0, lt=1)
    # stop a node whose cheap score predicts a final score that cannot reach the best single
    # model's (see graftml.agents.loop.early_stop); z: residual standard deviations of optimism
    early_stop: bool = True
    early_stop_z: float = Field(1.0, ge=0)
    early_stop_min_pairs: int = Field(6, ge=3)


class LLMOperatorConfig(_Model):
    """An LLM operator: which registered model it uses and how."""

    model: str  # a registered model (graftml.llm.registry)
    level: Literal["auto", "structured", "code"] = "auto"  # auto: by the model's capabilities
    temperature: float = Field(0.7, ge=0, le=2)
    max_tokens: int = Field(768, ge=16)
    every: int = Field(1, ge=1)  # the LLM serves every k-th proposal, the built-in one the rest


class RunConfig(_Model):
    name: str = "run"
    task: Task
    budget: BudgetConfig = BudgetConfig()
    searcher: SerializeAsAny[SearcherSettings] = Field(
        default_factory=lambda: plugin_settings(SEARCHERS, "searcher", {}, SearcherSettings))
    executor: SerializeAsAny[ExecutorSettings] = Field(
        default_factory=lambda: plugin_settings(EXECUTORS, "executor", {}, ExecutorSettings))
    cheap_eval: CheapEvalConfig = CheapEvalConfig()
    llm_operators: dict[str, LLMOperatorConfig] = Field(default_factory=dict)
    refit: bool = True  # refit an unbagged final pick on every search row
    importance: bool = True  # permutation importances of the final pick (one job, in budget)
    runs_dir: str = "runs"

    @model_validator(mode="before")
    @classmethod
    def _plugin_sections(cls, raw: Any) -> Any:
        """Validate each plugin section with its plugin's own settings model."""
        if not isinstance(raw, dict):
            return raw
        budget = raw.get("budget")
        if isinstance(budget, dict) and "gpu_s" in budget and budget["gpu_s"] is None:
            # run.yaml of an older graftml (the key was never charged): still resumable
            raw = {**raw, "budget": {k: v for k, v in budget.items() if k != "gpu_s"}}
        if isinstance(raw.get("searcher"), dict):
            raw = {**raw, "searcher": plugin_settings(SEARCHERS, "searcher", raw["searcher"],
                                                      SearcherSettings)}
        if isinstance(raw.get("executor"), dict):
            raw = {**raw, "executor": plugin_settings(EXECUTORS, "executor", raw["executor"],
                                                      ExecutorSettings)}
        return raw



def _format(exc: ValidationError, section: str = "") -> str:
    # an unknown key usually explains a missing one (a typo), so report it first
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    parts = [section] if section else []
    parts += [str(p) for p in err["loc"] if not str(p).startswith(("function-", "tagged"))]
    loc = ".".join(parts)
    if err["type"] == "extra_forbidden":
        return f"unknown key {loc!r}; remove it or check its spelling"
    if err["type"] == "missing":
        return f"missing required key {loc!r}"
    value = err.get("input")
    return f"{loc}: {err['msg']} (got {value!r})"


def validate(raw: dict[str, Any], source: str = "config") -> RunConfig:
    """Validate a raw mapping; one-line :class:`ConfigError` on failure."""
    try:
        cfg = RunConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_format(exc)}") from None
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    bad_llm = set(cfg.llm_operators) - {"draft", "improve", "debug", "merge"}
    if bad_llm:
        raise ConfigError(f"{source}: llm_operators may configure draft, improve, debug and "
                          f"merge, not {', '.join(sorted(bad_llm))}")
    return cfg  # searcher.operators without a draft-role operator: refused by the searcher


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``a.b=v`` overrides (values parsed as YAML scalars) to a raw mapping."""
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. --set budget.wall_s=60")
        node = raw
        *parents, leaf = key.split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"--set {item!r}: {part!r} is not a section")
            node = child
        node[leaf] = yaml.safe_load(text) if text else None
    return raw


def load_config(path: str | Path, overrides: list[str] | None = None) -> RunConfig:
    """Read, override and validate a run config file."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file {str(path)!r} not found")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: invalid YAML{where}; fix the syntax") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a run config is a mapping with at least a 'task' section")
    return validate(apply_overrides(raw, overrides or []), str(path))

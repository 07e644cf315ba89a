"""Run configuration: frozen pydantic models validated from YAML, with ``--set`` overrides.

Every model forbids unknown keys; plugin families (searcher, executor) carry a ``kind``
discriminator. Errors come back as one-line :class:`~graftml.errors.ConfigError` messages that name
the key, the bad value and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graftml.budget import Budget
from graftml.data.task import DEFAULT_HOLDOUT, Task
from graftml.errors import ConfigError

OPERATORS = ("draft", "improve", "debug", "tune", "merge", "crossover")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskConfig(_Model):
    data: str
    target: str
    metric: str | None = None
    direction: Literal["maximize", "minimize"] | None = None
    seed: int = 0
    # rows held out for an honest final score; default 0.1, or 0 when test_data is given (every
    # labelled row then goes into the final model)
    holdout: float | None = Field(None, ge=0, le=0.5)
    folds: int | None = Field(None, ge=1, le=20)  # default: by rows (8, 5, 3; 1 = hold-out)
    valid_size: float = Field(0.2, ge=0.05, le=0.5)  # validation share when folds is 1
    description: str = ""
    test_data: str | None = None  # a user table to predict after the final pick

    @property
    def holdout_share(self) -> float:
        """The hold-out share in force (the default depends on ``test_data``)."""
        if self.holdout is not None:
            return self.holdout
        return 0.0 if self.test_data else DEFAULT_HOLDOUT


class BudgetConfig(_Model):
    wall_s: float | None = Field(120.0, gt=0)
    tokens: int | None = Field(None, ge=0)
    usd: float | None = Field(None, ge=0)

    def to_budget(self) -> Budget:
        return Budget(wall_s=self.wall_s, tokens=self.tokens, usd=self.usd)


class _SearcherBase(_Model):
    num_drafts: int | None = Field(None, ge=1)  # default: the portfolio size
    operators: tuple[str, ...] = OPERATORS
    max_debug_depth: int = Field(3, ge=0)


class GreedyConfig(_SearcherBase):
    kind: Literal["greedy"] = "greedy"
    debug_prob: float = Field(0.5, ge=0, le=1)
    merge_every: int = Field(5, ge=1)


class MCTSConfig(_SearcherBase):
    kind: Literal["mcts"]
    exploration: float = Field(1.0, ge=0)


class MergeConfig(_SearcherBase):
    kind: Literal["merge"]
    population: int = Field(8, ge=2)


SearcherConfig = Annotated[GreedyConfig | MCTSConfig | MergeConfig, Field(discriminator="kind")]


class _ExecutorBase(_Model):
    workers: int | None = Field(None, ge=1)  # default: the number of cores
    timeout_s: float = Field(300.0, gt=0)
    memory_mb: int = Field(4096, ge=256)
    max_procs: int = Field(64, ge=4)
    threads: int = Field(1, ge=1)


class LocalExecutorConfig(_ExecutorBase):
    kind: Literal["local"] = "local"


class RayExecutorConfig(_ExecutorBase):
    kind: Literal["ray"]
    address: str | None = None


ExecutorConfig = Annotated[
    LocalExecutorConfig | RayExecutorConfig, Field(discriminator="kind")
]


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

    model: str  # a name in configs/models/
    level: Literal["auto", "structured", "code"] = "auto"  # auto: by the model's capabilities
    temperature: float = Field(0.7, ge=0, le=2)
    max_tokens: int = Field(768, ge=16)
    every: int = Field(1, ge=1)  # the LLM serves every k-th proposal, the built-in one the rest


class RunConfig(_Model):
    name: str = "run"
    task: TaskConfig
    budget: BudgetConfig = BudgetConfig()
    searcher: SearcherConfig = GreedyConfig()
    executor: ExecutorConfig = LocalExecutorConfig()
    cheap_eval: CheapEvalConfig = CheapEvalConfig()
    llm_operators: dict[str, LLMOperatorConfig] = Field(default_factory=dict)
    refit: bool = True  # refit an unbagged final pick on every search row
    importance: bool = True  # permutation importances of the final pick (one job, in budget)
    runs_dir: str = "runs"

    @model_validator(mode="before")
    @classmethod
    def _default_kinds(cls, raw: Any) -> Any:
        """A plugin section without ``kind`` gets the default one."""
        if isinstance(raw, dict):
            for section, kind in (("searcher", "greedy"), ("executor", "local")):
                if isinstance(raw.get(section), dict) and "kind" not in raw[section]:
                    raw = {**raw, section: {"kind": kind, **raw[section]}}
        return raw

    def to_task(self) -> Task:
        t = self.task
        return Task(data=t.data, target=t.target, metric=t.metric, direction=t.direction,
                    budget=self.budget.to_budget(), seed=t.seed, holdout=t.holdout_share,
                    folds=t.folds, valid_size=t.valid_size, name=self.name)


def _format(exc: ValidationError, source: str) -> str:
    # an unknown key usually explains a missing one (a typo), so report it first
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith(("function-", "tagged")))
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key {loc!r}; remove it or check its spelling"
    if err["type"] == "missing":
        return f"{source}: missing required key {loc!r}"
    value = err.get("input")
    return f"{source}: {loc}: {err['msg']} (got {value!r})"


def validate(raw: dict[str, Any], source: str = "config") -> RunConfig:
    """Validate a raw mapping; one-line :class:`ConfigError` on failure."""
    try:
        cfg = RunConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format(exc, source)) from None
    bad_llm = set(cfg.llm_operators) - {"draft", "improve", "debug", "merge"}
    if bad_llm:
        raise ConfigError(f"{source}: llm_operators may configure draft, improve, debug and "
                          f"merge, not {', '.join(sorted(bad_llm))}")
    unknown = set(cfg.searcher.operators) - set(OPERATORS)
    if unknown or "draft" not in cfg.searcher.operators:
        raise ConfigError(
            f"{source}: searcher.operators must include 'draft' and only: {', '.join(OPERATORS)}"
        )
    return cfg


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

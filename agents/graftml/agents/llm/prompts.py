"""Prompt templates: ``configs/prompts/<level>.yaml``, loaded at run time.

Each file holds a system message, a completion wrapper for base (non-chat) models, a retry
message and one template per operator. Templates use ``$name`` placeholders
(:class:`string.Template`), so JSON braces and code need no escaping.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from string import Template

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from graftml.errors import ConfigError

LEVELS = ("structured", "code")


class PromptSet(BaseModel):
    """The templates of one action level (one file of ``configs/prompts``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str
    completion: str  # wraps $system and $user into one prompt for base models
    retry: str  # appended to the user message after a rejected answer ($error)
    draft: str
    improve: str
    debug: str
    merge: str | None = None
    contract: str = ""  # the fit_predict contract ($contract in the code level)

    def template(self, operator: str) -> str:
        """The user template of ``operator``; ConfigError if this level has none."""
        text = getattr(self, operator, None) if operator in ("draft", "improve", "debug",
                                                             "merge") else None
        if not isinstance(text, str):
            raise ConfigError(f"prompt set has no template for operator {operator!r}")
        return text


def default_prompts_dir() -> Path:
    """``configs/prompts`` of the source tree, or ``$GRAFTML_PROMPTS_DIR``."""
    env = os.environ.get("GRAFTML_PROMPTS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4] / "configs" / "prompts"


@cache
def load_prompts(level: str, directory: Path | None = None) -> PromptSet:
    """The prompt set of an action level; one-line ConfigError for a missing or bad file."""
    path = (directory or default_prompts_dir()) / f"{level}.yaml"
    if not path.exists():
        raise ConfigError(f"prompt file {str(path)!r} not found; levels: {', '.join(LEVELS)}")
    try:
        return PromptSet.model_validate(yaml.safe_load(path.read_text()))
    except (yaml.YAMLError, ValidationError) as exc:
        first = " ".join(str(exc).splitlines()[:3])
        raise ConfigError(f"{path}: invalid prompt file: {first}") from None


def render(template: str, variables: dict[str, str]) -> str:
    """Fill ``$name`` placeholders; a placeholder without a value is a ValueError."""
    try:
        return Template(template).substitute(variables)
    except KeyError as exc:
        raise ValueError(f"prompt template needs the variable {exc.args[0]!r}") from None

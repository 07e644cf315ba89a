"""Prompt templates: ``<level>.yaml`` per action level, loaded at run time.

graftml's own prompt files ship inside the package (``graftml/agents/llm/prompt_sets/``); a file
of the same name in the folder named by ``$GRAFTML_PROMPTS_DIR`` replaces one.

Each file holds a system message, a completion wrapper for base (non-chat) models, a retry
message and one template per operator. Templates use ``$name`` placeholders
(:class:`string.Template`), so JSON braces and code need no escaping.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.resources import files
from pathlib import Path
from string import Template

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from graftml.errors import ConfigError

LEVELS = ("structured", "code")


class PromptSet(BaseModel):
    """The templates of one action level (one prompt file)."""

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
    """The prompt files that ship inside the package."""
    return Path(str(files("graftml.agents.llm").joinpath("prompt_sets")))


def prompt_file(level: str, directory: Path | None = None) -> Path:
    """``<level>.yaml`` of ``directory``; else the user's (``$GRAFTML_PROMPTS_DIR``) if it has
    one, else the packaged one."""
    if directory is not None:
        return directory / f"{level}.yaml"
    user = os.environ.get("GRAFTML_PROMPTS_DIR")
    if user and (Path(user) / f"{level}.yaml").exists():
        return Path(user) / f"{level}.yaml"
    return default_prompts_dir() / f"{level}.yaml"


@cache
def load_prompts(level: str, directory: Path | None = None) -> PromptSet:
    """The prompt set of an action level; one-line ConfigError for a missing or bad file."""
    path = prompt_file(level, directory)
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

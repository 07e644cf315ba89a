"""Shared model entries for logic tests with ScriptedBackend (no weights needed)."""

from __future__ import annotations

from typing import Any

from graftml.llm.registry import Capabilities, ModelSpec


def toy_spec(**changes: Any) -> ModelSpec:
    """A scripted model with cost constants; ``changes`` override fields or capabilities."""
    caps = {k: changes.pop(k) for k in list(changes) if k in Capabilities.model_fields}
    fields: dict[str, Any] = {"name": "toy", "provider": "scripted", "parameters": 1e6,
                              "kv_bytes_per_token": 1024, "context_length": 2048, **changes}
    return ModelSpec(capabilities=Capabilities(**caps), **fields)

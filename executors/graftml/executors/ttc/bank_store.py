"""A sample bank on disk: every seeded sample a sweep drew, replayable without the model.

``graft ttc bank build`` draws each problem's samples once per model through a
:class:`~graftml.executors.ttc.sample_bank.SampleBank` that appends every new sample here, one JSON
line each, flushed as it is drawn: a killed build loses at most the samples in flight (one sample,
or one batch of problems on vLLM) and resumes where it stopped. ``graft ttc eval --bank FILE`` (and
benchmarks, and the router) then replay strategies from the file alone, with the samples, token
counts and latencies the live run had. The first line is a header naming the data file (and its
SHA-256), the models and the sampling settings; a bank is refused for another data file or other
settings. Files ending in ``.gz`` are read (not appended to) compressed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from graftml.llm.types import Completion, GenerationRequest, Usage
from graftml.ttc.types import TTCError

__all__ = ["BankHeader", "BankStore", "Sample", "read_header"]

BANK_FORMAT = 1
Sample = tuple[Completion, Usage, float]


@dataclass(frozen=True)
class BankHeader:
    """What a bank holds samples of; replaying needs the same data file and settings."""

    data: str
    data_sha256: str
    models: tuple[str, ...]
    max_tokens: int
    temperature: float

    def check_against(self, wanted: BankHeader, path: Path) -> None:
        """Raise :class:`TTCError` unless ``wanted`` can be answered from this bank."""
        if self.data_sha256 != wanted.data_sha256:
            raise TTCError(f"bank {path} holds samples of {self.data}, not of {wanted.data} "
                           "(contents differ); build a bank for this file")
        missing = sorted(set(wanted.models) - set(self.models))
        if missing:
            raise TTCError(f"bank {path} has no samples of {missing} (it holds "
                           f"{list(self.models)}); build one with those models")
        if (self.max_tokens, self.temperature) != (wanted.max_tokens, wanted.temperature):
            raise TTCError(f"bank {path} was drawn with max_tokens={self.max_tokens}, "
                           f"temperature={self.temperature:g}, not {wanted.max_tokens}, "
                           f"{wanted.temperature:g}; use those settings or rebuild")


def sample_key(model: str, request: GenerationRequest) -> str:
    """The bank key of one single-sample request of ``model``."""
    return hashlib.sha256(f"{model}|{request!r}".encode()).hexdigest()[:32]


class BankStore:
    """The samples of one bank file, by key; :meth:`add` appends a new one (plain files only).

    Args:
        path: the bank file (created with ``header`` when absent).
        header: what the caller needs; checked against the file's own header.
    """

    def __init__(self, path: Path, header: BankHeader) -> None:
        self.path, self.header = path, header
        self.samples: dict[str, Sample] = {}
        self._sink: IO[str] | None = None
        if path.exists():
            self._load()
        elif path.suffix == ".gz":
            raise TTCError(f"bank {path} not found")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._append({"bank": BANK_FORMAT, **asdict(header)})

    def _load(self) -> None:
        raw = self.path.read_bytes()
        if self.path.suffix == ".gz":
            raw = gzip.decompress(raw)
        elif raw and not raw.endswith(b"\n"):  # a kill cut the last line: drop it, so the
            raw = raw[: raw.rfind(b"\n") + 1]  # next sample starts a line of its own
            with self.path.open("r+b") as sink:
                sink.truncate(len(raw))
        rows = raw.decode("utf-8").splitlines()
        _header_of(rows[0] if rows else "", self.path).check_against(self.header, self.path)
        for row in rows[1:]:
            try:
                record = json.loads(row)
            except json.JSONDecodeError:
                continue  # a damaged line: that sample is drawn again
            self.samples[record["key"]] = _sample_of(record)

    def add(self, key: str, model: str, sample: Sample) -> None:
        """Append ``sample`` to the file at once (flushed), then keep it."""
        completion, usage, latency = sample
        self._append({"key": key, "model": model, "text": completion.text,
                      "finish_reason": completion.finish_reason,
                      "completion_tokens": completion.completion_tokens,
                      "token_logprobs": completion.token_logprobs,
                      "prompt_tokens": usage.prompt_tokens, "usage_completion_tokens":
                      usage.completion_tokens, "cached_tokens": usage.cached_tokens,
                      "latency_s": latency})
        self.samples[key] = sample

    def _append(self, record: dict[str, Any]) -> None:
        if self.path.suffix == ".gz":
            raise TTCError(f"bank {self.path} is compressed and read-only; build into a "
                           ".jsonl file")
        if self._sink is None:
            self._sink = self.path.open("a", encoding="utf-8")
        self._sink.write(json.dumps(record) + "\n")
        self._sink.flush()

    def close(self) -> None:
        """Close the file."""
        if self._sink is not None:
            self._sink.close()
            self._sink = None


def read_header(path: Path) -> BankHeader:
    """The header of the bank at ``path`` (which data file, models and settings it holds).

    Raises:
        TTCError: no such file, or not a bank.
    """
    if not path.is_file():
        raise TTCError(f"bank {path} not found")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as source:
        return _header_of(source.readline(), path)


def _header_of(line: str, path: Path) -> BankHeader:
    try:
        first = json.loads(line) if line else None
        if not isinstance(first, dict) or first.get("bank") != BANK_FORMAT:
            raise KeyError("bank")
        return BankHeader(first["data"], first["data_sha256"], tuple(first["models"]),
                          first["max_tokens"], first["temperature"])
    except (json.JSONDecodeError, KeyError):
        raise TTCError(f"{path} is not a graftml sample bank (no bank header); give a file "
                       "written by `graft ttc bank build`") from None


def _sample_of(record: dict[str, Any]) -> Sample:
    logprobs = record.get("token_logprobs")
    completion = Completion(record["text"], record["finish_reason"],
                            tuple(logprobs) if logprobs is not None else None,
                            record["completion_tokens"])
    usage = Usage(record["prompt_tokens"], record["usage_completion_tokens"], 0,
                  record["cached_tokens"])
    return completion, usage, float(record["latency_s"])

"""A bank on disk: replay equals the live sweep, a killed build resumes, a wrong bank is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from graftml.executors.ttc import TTCError
from graftml.executors.ttc.bank_store import BankHeader, BankStore
from graftml.executors.ttc.evaluate import EvalConfig, evaluate
from graftml.files import file_sha256
from graftml.llm.types import Completion, GenerationRequest, GenerationResult, Usage
from graftml.testing.strategies import SeededBackend

GSM8K_HEAD = Path(__file__).parent / "data" / "gsm8k_test_head5.jsonl"
CONFIG = EvalConfig(dataset=str(GSM8K_HEAD), models=("seeded",),
                    strategies=("single", "self_consistency", "best_of_n"), ns=(1, 2, 4),
                    seeds=2, max_tokens=16)


class CountingBackend(SeededBackend):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def generate(self, request: GenerationRequest) -> GenerationResult:
        self.calls += 1
        return super().generate(request)


def header(**changes: object) -> BankHeader:
    fields = {"data": GSM8K_HEAD.name, "data_sha256": file_sha256(GSM8K_HEAD),
              "models": ("seeded",), "max_tokens": 16, "temperature": 0.7, **changes}
    return BankHeader(**fields)  # type: ignore[arg-type]


def sweep(bank: Path, backend: SeededBackend | None) -> list[tuple[object, ...]]:
    live = {"seeded": backend} if backend is not None else {}
    rows = evaluate(CONFIG, live, {"seeded": SeededBackend().spec},
                    stores={"seeded": BankStore(bank, header())})
    return [(r.strategy, r.n, r.seed, r.correct, r.answers, r.cost) for r in rows]


def test_a_replay_from_the_file_alone_equals_the_live_sweep(tmp_path: Path) -> None:
    live = sweep(tmp_path / "bank.jsonl", CountingBackend())
    assert sweep(tmp_path / "bank.jsonl", None) == live


def test_a_killed_build_resumes_drawing_only_what_is_missing(tmp_path: Path) -> None:
    bank = tmp_path / "bank.jsonl"
    full = CountingBackend()
    live = sweep(bank, full)
    lines = bank.read_text().splitlines(keepends=True)
    bank.write_text("".join(lines[:-3]) + lines[-3][:20])  # two whole samples and a half line
    again = CountingBackend()
    assert sweep(bank, again) == live
    assert again.calls == 3 and full.calls > 3
    assert sweep(bank, None) == live  # the resumed file replays whole


@pytest.mark.parametrize(("changes", "message"), [
    ({"data_sha256": "0" * 64}, "holds samples of gsm8k_test_head5.jsonl, not of"),
    ({"models": ("qwen",)}, r"has no samples of \['seeded'\]"),
    ({"max_tokens": 400}, "was drawn with max_tokens=400, temperature=0.7, not 16, 0.7"),
])
def test_a_bank_for_other_data_models_or_settings_is_refused(
        tmp_path: Path, changes: dict[str, object], message: str) -> None:
    BankStore(tmp_path / "bank.jsonl", header(**changes)).close()
    with pytest.raises(TTCError, match=message) as caught:
        BankStore(tmp_path / "bank.jsonl", header())
    assert "\n" not in str(caught.value)


def test_a_sample_the_bank_lacks_is_a_one_line_error_naming_the_fix(tmp_path: Path) -> None:
    BankStore(tmp_path / "bank.jsonl", header()).close()
    with pytest.raises(TTCError, match="build it with `graft ttc bank build`"):
        sweep(tmp_path / "bank.jsonl", None)


def test_a_file_that_is_not_a_bank_is_refused(tmp_path: Path) -> None:
    (tmp_path / "other.jsonl").write_text('{"question": "q", "answer": "1"}\n')
    with pytest.raises(TTCError, match="not a graftml sample bank"):
        BankStore(tmp_path / "other.jsonl", header())


def test_a_compressed_bank_replays_and_refuses_to_grow(tmp_path: Path) -> None:
    import gzip

    live = sweep(tmp_path / "bank.jsonl", CountingBackend())
    packed = tmp_path / "bank.jsonl.gz"
    packed.write_bytes(gzip.compress((tmp_path / "bank.jsonl").read_bytes()))
    assert sweep(packed, None) == live
    with pytest.raises(TTCError, match="compressed and read-only"):
        BankStore(packed, header()).add("k", "seeded", (Completion("x"), Usage(), 0.0))

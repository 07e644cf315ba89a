from __future__ import annotations

import threading
from pathlib import Path

import pytest

from graftml.budget import Budget, Ledger
from graftml.errors import BudgetExceeded


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_limit_is_hard_before_work_starts() -> None:
    ledger = Ledger(Budget(tokens=100))
    ledger.charge("llm", "m", tokens=90)
    with pytest.raises(BudgetExceeded, match="tokens"):
        ledger.check(tokens=11)
    ledger.check(tokens=10)


def test_usd_limit_is_hard() -> None:
    ledger = Ledger(Budget(usd=1.0))
    ledger.charge("llm", "m", usd=0.75)
    with pytest.raises(BudgetExceeded, match="usd"):
        ledger.check(usd=0.3)


def test_wall_budget_uses_the_clock() -> None:
    clock = FakeClock()
    ledger = Ledger(Budget(wall_s=10), clock=clock)
    clock.now += 9.5
    assert ledger.remaining_wall_s() == pytest.approx(0.5)
    assert not ledger.exhausted()
    clock.now += 1
    assert ledger.exhausted()


def test_ledger_file_restores_totals_and_elapsed(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "ledger.jsonl"
    first = Ledger(Budget(wall_s=100, tokens=1000), path, clock=clock)
    clock.now += 30
    first.charge("llm", "m", tokens=400, usd=0.5)
    with path.open("a") as fh:
        fh.write('{"kind": "job", "sour')  # a torn line from kill -9
    second = Ledger(Budget(wall_s=100, tokens=1000), path, clock=clock)
    assert second.spent.tokens == 400
    assert second.spent.usd == pytest.approx(0.5)
    assert second.elapsed_s == pytest.approx(30)


def test_concurrent_charges_are_all_counted() -> None:
    ledger = Ledger(Budget())

    def work() -> None:
        for _ in range(1000):
            ledger.charge("llm", "m", tokens=1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ledger.spent.tokens == 4000

"""Budget and the ledger that charges every token, second and dollar against it.

A :class:`Budget` is the set of hard limits; a :class:`Ledger` is the running account. Work that
cannot be paid for is refused *before* it starts (:meth:`Ledger.check`), so a run stops cleanly
with its partial results. The ledger is thread-safe and optionally appends every charge to a JSONL
file, from which a resumed run recovers what was already spent (including elapsed wall time).
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graftml.errors import BudgetExceeded


@dataclass(frozen=True)
class Budget:
    """Hard limits; ``None`` means unlimited."""

    wall_s: float | None = None
    tokens: int | None = None
    usd: float | None = None


@dataclass(frozen=True)
class Charge:
    """One line of the ledger."""

    kind: str  # "llm", "job", "heartbeat", ...
    source: str  # node id, operator name or model name
    tokens: int = 0
    usd: float = 0.0
    job_s: float = 0.0
    elapsed_s: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Spent:
    """Totals charged so far."""

    tokens: int = 0
    usd: float = 0.0
    job_s: float = 0.0


class Ledger:
    """Running account against a :class:`Budget`.

    Args:
        budget: the hard limits.
        path: optional JSONL file; every charge is appended (and fsync'd) and, when the file
            exists, its totals and elapsed wall time are loaded so a resumed run continues the
            same account.
        clock: monotonic clock, injectable for tests.
        started: the clock reading at which this session began (default: now), so that work
            done before the ledger existed (loading data) counts against the wall budget.
    """

    def __init__(
        self,
        budget: Budget,
        path: Path | None = None,
        clock: Any = time.monotonic,
        started: float | None = None,
    ) -> None:
        self.budget = budget
        self._path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._spent = Spent()
        self._elapsed_before = 0.0
        if path is not None and path.exists():
            self._load(path)
        self._started = float(clock()) if started is None else started

    def _load(self, path: Path) -> None:
        for line in path.read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line after kill -9
            row.pop("gpu_s", None)  # an older graftml wrote it; it was never charged
            self._add(Charge(**row))
            self._elapsed_before = max(self._elapsed_before, float(row.get("elapsed_s", 0.0)))

    def _add(self, charge: Charge) -> None:
        self._spent.tokens += charge.tokens
        self._spent.usd += charge.usd
        self._spent.job_s += charge.job_s

    @property
    def elapsed_s(self) -> float:
        """Wall seconds spent, including earlier sessions of a resumed run."""
        return self._elapsed_before + (float(self._clock()) - self._started)

    @property
    def spent(self) -> Spent:
        """A copy of the totals."""
        with self._lock:
            return Spent(**asdict(self._spent))

    def remaining_wall_s(self) -> float:
        """Seconds left on the wall budget (``inf`` when unlimited)."""
        if self.budget.wall_s is None:
            return float("inf")
        return self.budget.wall_s - self.elapsed_s

    def charge(self, kind: str, source: str, **amounts: Any) -> Charge:
        """Record a charge (after the work is done) and persist it."""
        with self._lock:
            entry = Charge(kind=kind, source=source, elapsed_s=round(self.elapsed_s, 3), **amounts)
            self._add(entry)
            if self._path is not None:
                with self._path.open("a") as fh:
                    fh.write(json.dumps(asdict(entry)) + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
            return entry

    def check(self, tokens: int = 0, usd: float = 0.0, wall_s: float = 0.0) -> None:
        """Raise :class:`BudgetExceeded` if work costing these amounts cannot be paid for."""
        b, s = self.budget, self.spent
        if b.wall_s is not None and self.elapsed_s + wall_s > b.wall_s:
            raise BudgetExceeded("wall_s", round(self.elapsed_s, 2), b.wall_s)
        if b.tokens is not None and s.tokens + tokens > b.tokens:
            raise BudgetExceeded("tokens", s.tokens + tokens, b.tokens)
        if b.usd is not None and s.usd + usd > b.usd:
            raise BudgetExceeded("usd", s.usd + usd, b.usd)

    def exhausted(self) -> bool:
        """True when no further work of any size can be paid for."""
        try:
            self.check()
        except BudgetExceeded:
            return True
        return False

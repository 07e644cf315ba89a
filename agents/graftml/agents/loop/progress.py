"""A live progress panel for a run (rich): budget spent, nodes done/running/failed, best score."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.table import Table

from graftml.agents.loop.orchestrator import Stats
from graftml.budget import Ledger


class Progress:
    """Context manager; ``update(stats)`` is cheap and rate-limited (~4 redraws a second)."""

    def __init__(self, ledger: Ledger, metric: str, enabled: bool = True) -> None:
        self._ledger = ledger
        self._metric = metric
        self._console = Console(stderr=True)
        self._live = Live(console=self._console, auto_refresh=False, transient=False)
        self._enabled = enabled
        self._last = 0.0

    def __enter__(self) -> Progress:
        if self._enabled:
            self._live.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._enabled:
            self._live.stop()

    def update(self, stats: Stats, force: bool = False) -> None:
        """Called by the orchestrator after every loop turn."""
        now = time.monotonic()
        if not self._enabled or (not force and now - self._last < 0.25):
            return
        self._last = now
        self._live.update(self._render(stats), refresh=True)

    def _render(self, stats: Stats) -> Table:
        budget = self._ledger.budget.wall_s
        elapsed = self._ledger.elapsed_s
        bar_width = 30
        frac = min(1.0, elapsed / budget) if budget else 0.0
        bar = "█" * int(frac * bar_width) + "░" * (bar_width - int(frac * bar_width))
        table = Table.grid(padding=(0, 2))
        table.add_row("budget", f"{bar} {elapsed:6.1f}s / {budget or float('inf'):.0f}s")
        table.add_row("nodes", f"{stats.done} done · {stats.running} running · "
                               f"{stats.failed} failed · {stats.pruned} pruned")
        best = "—" if stats.best is None else f"{stats.best:.5f} ({stats.best_node})"
        table.add_row(f"best {self._metric}", best)
        table.add_row("last", stats.last or "—")
        return table

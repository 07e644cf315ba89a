"""Optuna's journal file storage for the tune operator, without a lock and fsync per write.

Optuna's ``JournalFileBackend`` takes a file lock and fsyncs on every log record, and a trial
writes about a dozen records (one per suggested parameter): about 30 ms per tuned node on this
machine's disk, spent on the orchestrator's thread. In graftml one process (the orchestrator's
thread) writes a run's studies, so no lock is needed, and the records are flushed to the OS at
once, which survives ``kill -9`` of the run. The run's own journal stays fsync'd.
"""

from __future__ import annotations

import json
from typing import Any

from optuna.storages.journal import JournalFileBackend


class FlushedJournalBackend(JournalFileBackend):
    """A ``JournalFileBackend`` whose appends are plain flushed writes (single writer)."""

    def __init__(self, file_path: str) -> None:
        super().__init__(file_path)
        self._path = file_path

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        """Append ``logs`` as JSON lines; called by Optuna for every storage change."""
        text = "".join(json.dumps(log, separators=(",", ":")) + "\n" for log in logs)
        with open(self._path, "ab") as fh:
            fh.write(text.encode("utf-8"))

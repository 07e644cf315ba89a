"""Run jobs on this machine: a pool of ``capacity`` threads, each driving one sandboxed process.

Jobs start warm by default: forked by one :class:`~graftml.executors.Zygote` per executor, started
with the first job and stopped by :meth:`LocalExecutor.shutdown`.
"""

from __future__ import annotations

import os
import threading
from typing import Literal

from graftml.config import ExecutorSettings
from graftml.executors.pool import PoolExecutor
from graftml.executors.sandbox import SandboxPolicy, Zygote, run_job
from graftml.types import Job, JobResult


class LocalSettings(ExecutorSettings):
    """The ``executor`` section of ``kind: local``."""

    kind: Literal["local"] = "local"


class LocalExecutor(PoolExecutor):
    """Runs at most ``capacity`` jobs at once as local sandboxed subprocesses.

    Args:
        capacity: jobs run at once; default ``os.cpu_count()``.
        policy: sandbox isolation and start mode; default :class:`SandboxPolicy()` (warm).
    """

    Settings = LocalSettings

    def __init__(self, capacity: int | None = None, *, policy: SandboxPolicy | None = None) -> None:
        super().__init__((os.cpu_count() or 1) if capacity is None else capacity, "graftml-local")
        self.policy = policy or SandboxPolicy()
        self.zygote = (Zygote(self.policy.interpreter, self.policy.preload)
                       if self.policy.start == "warm" else None)

    @classmethod
    def from_settings(cls, settings: ExecutorSettings, capacity: int) -> LocalExecutor:
        """Called once per run session with its ``executor`` section and worker count."""
        return cls(capacity)

    def shutdown(self) -> None:
        """Cancel every job, wait for their process trees to die, stop the zygote. Idempotent."""
        super().shutdown()
        if self.zygote is not None:
            self.zygote.close()

    def _run(self, job: Job, cancel_event: threading.Event) -> JobResult:
        return run_job(job, cancel_event, policy=self.policy, zygote=self.zygote)

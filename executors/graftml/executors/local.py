"""Run jobs on this machine: a pool of ``capacity`` threads, each driving one sandboxed process."""

from __future__ import annotations

import os
import threading

from graftml.executors._pool import PoolExecutor
from graftml.executors.sandbox import SandboxPolicy, run_job
from graftml.types import Job, JobResult


class LocalExecutor(PoolExecutor):
    """Runs at most ``capacity`` jobs at once as local sandboxed subprocesses.

    Args:
        capacity: jobs run at once; default ``os.cpu_count()``.
        policy: sandbox isolation options; default :class:`SandboxPolicy()`.
    """

    def __init__(self, capacity: int | None = None, *, policy: SandboxPolicy | None = None) -> None:
        super().__init__((os.cpu_count() or 1) if capacity is None else capacity, "graftml-local")
        self.policy = policy or SandboxPolicy()

    def _run(self, job: Job, cancel_event: threading.Event) -> JobResult:
        return run_job(job, cancel_event, policy=self.policy)

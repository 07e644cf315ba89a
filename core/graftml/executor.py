"""The executor contract: submit a :class:`~graftml.types.Job`, get a handle, collect a result.

A bad script is never an exception: it comes back as a :class:`~graftml.types.JobResult` with
status ``error``, ``timeout``, ``oom`` or ``killed``. Only infrastructure faults raise
:class:`~graftml.errors.ExecutorError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from graftml.types import Job, JobResult


@runtime_checkable
class JobHandle(Protocol):
    """A job in flight."""

    job_id: str

    def done(self) -> bool:
        """True once :meth:`result` will return without blocking."""
        ...

    def result(self) -> JobResult:
        """Block until the job ends and return its result."""
        ...

    def cancel(self) -> None:
        """Kill the job's whole process tree; its result then has status ``killed``."""
        ...


@runtime_checkable
class Executor(Protocol):
    """Runs jobs, at most ``capacity`` at once."""

    capacity: int

    def submit(self, job: Job) -> JobHandle:
        """Start ``job`` (or queue it) and return at once."""
        ...

    def wait(self, handles: Sequence[JobHandle], timeout_s: float | None) -> list[JobHandle]:
        """Block until at least one handle is done or ``timeout_s`` passes; return the done ones."""
        ...

    def shutdown(self) -> None:
        """Cancel everything in flight and release resources. Idempotent."""
        ...

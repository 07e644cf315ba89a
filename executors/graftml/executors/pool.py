"""A thread pool of ``capacity`` slots shared by the local and the Ray executor.

Each slot runs one job at a time through :meth:`PoolExecutor._run` (the sandbox in-process, or a
Ray task it waits on), so at most ``capacity`` jobs run at once whatever the backend would allow,
and a queued job can be cancelled before it ever starts.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures

from graftml.errors import ConfigError, ExecutorError
from graftml.executor import JobHandle
from graftml.executors.sandbox.outcome import cancelled_result
from graftml.types import Job, JobResult


class PoolJobHandle:
    """A job queued or running in a :class:`PoolExecutor` slot."""

    def __init__(self, job: Job, future: Future[JobResult], cancel_event: threading.Event) -> None:
        self.job_id = job.id
        self.job = job
        self.future = future
        self._cancel_event = cancel_event

    def done(self) -> bool:
        """True once :meth:`result` returns without blocking."""
        return self.future.done()

    def result(self) -> JobResult:
        """Block until the job ends; a job cancelled while queued comes back ``killed``.

        Raises:
            ExecutorError: the executor failed to run the job (not the job itself).
        """
        try:
            return self.future.result()
        except CancelledError:
            return cancelled_result(self.job)

    def cancel(self) -> None:
        """Kill the job's process tree (or drop it from the queue). Safe to call repeatedly."""
        self._cancel_event.set()
        self.future.cancel()


class PoolExecutor:
    """Base of the local and Ray executors; subclasses implement :meth:`_run`."""

    def __init__(self, capacity: int, name: str) -> None:
        if capacity < 1:
            raise ConfigError(f"executor capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._pool = ThreadPoolExecutor(max_workers=capacity, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._in_flight: set[PoolJobHandle] = set()
        self._closed = False

    def submit(self, job: Job) -> JobHandle:
        """Queue ``job`` for the next free slot and return its handle at once.

        Raises:
            ExecutorError: the executor was shut down.
        """
        cancel_event = threading.Event()
        with self._lock:
            if self._closed:
                raise ExecutorError("executor is shut down; create a new one to run more jobs")
            handle = PoolJobHandle(job, self._pool.submit(self._run, job, cancel_event),
                                   cancel_event)
            self._in_flight.add(handle)
        handle.future.add_done_callback(lambda _: self._forget(handle))
        return handle

    def wait(self, handles: Sequence[JobHandle], timeout_s: float | None) -> list[JobHandle]:
        """Block until one of ``handles`` is done or ``timeout_s`` passes; return the done ones."""
        futures = [_own(handle).future for handle in handles]
        wait_futures(futures, timeout=timeout_s, return_when=FIRST_COMPLETED)
        return [handle for handle in handles if handle.done()]

    def shutdown(self) -> None:
        """Cancel every queued and running job, wait for their process trees to die. Idempotent."""
        with self._lock:
            self._closed = True
            handles = list(self._in_flight)
        for handle in handles:
            handle.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, job: Job, cancel_event: threading.Event) -> JobResult:
        """Run ``job`` in the calling slot thread until it ends or ``cancel_event`` is set."""
        raise NotImplementedError

    def _forget(self, handle: PoolJobHandle) -> None:
        with self._lock:
            self._in_flight.discard(handle)


def _own(handle: JobHandle) -> PoolJobHandle:
    if not isinstance(handle, PoolJobHandle):
        raise TypeError(f"expected a handle returned by this executor's submit(), got {handle!r}")
    return handle

"""Run jobs as Ray tasks, each reserving ``job.num_cpus`` and running the same sandbox.

Ray is imported only when a :class:`RayExecutor` is created (``graft --help`` never imports it).
Jobs always start cold (``SandboxPolicy.start`` is ignored here): a warm zygote would have to live
in each Ray worker process, outside any executor that could stop it.
Cancelling uses ``ray.cancel(force=False)``, sent again every second until the task ends (Ray
can lose an interrupt): the task sees a KeyboardInterrupt and kills its job's process group and
cgroup. ``force=True`` would kill the Ray worker; the job's leader dies with it
(parent-death signal) but the processes it started would be orphaned.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import Any, Literal

from graftml.config import ExecutorSettings
from graftml.errors import ConfigError, ExecutorError, GraftError
from graftml.executors.pool import PoolExecutor
from graftml.executors.sandbox import SandboxPolicy, run_job
from graftml.executors.sandbox.outcome import cancelled_result
from graftml.types import Job, JobResult, JobStatus

_POLL_S = 0.1
_CANCEL_GRACE_S = 30.0  # a cancelled task needs well under a second to kill its job
_RESEND_S = 1.0  # an interrupt the task has not acted on by then is sent again


class RaySettings(ExecutorSettings):
    """The ``executor`` section of ``kind: ray``."""

    kind: Literal["ray"] = "ray"
    address: str | None = None  # a Ray cluster (``auto``, ``ray://host:10001``); None: local


class RayExecutor(PoolExecutor):
    """Runs at most ``capacity`` jobs at once as Ray tasks.

    If Ray is not initialised, starts a local instance (``num_cpus=capacity``, no dashboard,
    256 MiB object store, loopback only), or connects to ``address``; :meth:`shutdown` then
    shuts Ray down again. An instance the caller initialised is left running.

    Args:
        capacity: jobs run at once; default the cluster's CPUs (or ``os.cpu_count()``).
        address: a Ray cluster to connect to when Ray is not initialised yet.
        policy: sandbox isolation options, applied inside each task.
    """

    Settings = RaySettings

    def __init__(self, capacity: int | None = None, address: str | None = None, *,
                 policy: SandboxPolicy | None = None) -> None:
        import ray

        if capacity is not None and capacity < 1:
            raise ConfigError(f"executor capacity must be at least 1, got {capacity}")
        self._owns_ray = not ray.is_initialized()
        if self._owns_ray:
            try:
                _init_ray(capacity, address)
            except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
                raise ExecutorError(f"cannot start or reach Ray (address {address or 'local'}): "
                                    f"{exc}; check executor.address or start Ray yourself") from exc
        if capacity is None:
            resources = ray.cluster_resources()  # type: ignore[no-untyped-call]
            capacity = max(1, int(resources.get("CPU", 1)))
        super().__init__(capacity, "graftml-ray")
        self.policy = policy or SandboxPolicy()
        self._task: Any = ray.remote(max_retries=0)(_run_in_worker)

    @classmethod
    def from_settings(cls, settings: ExecutorSettings, capacity: int) -> RayExecutor:
        """Called once per run session with its ``executor`` section and worker count."""
        return cls(capacity, **settings.constructor_kwargs())

    def shutdown(self) -> None:
        """Cancel every job, then shut Ray down if this executor started it. Idempotent."""
        super().shutdown()
        if self._owns_ray:
            import ray

            ray.shutdown()
            self._owns_ray = False

    def _run(self, job: Job, cancel_event: threading.Event) -> JobResult:
        import ray
        from ray.exceptions import RayError

        try:
            ref = self._task.options(num_cpus=job.num_cpus, name=f"graftml-job:{job.id}").remote(
                job, self.policy)
            while not ray.wait([ref], timeout=_POLL_S)[0]:
                if cancel_event.is_set():
                    _interrupt(ref)
                    break
        except RayError as exc:
            raise ExecutorError(f"Ray could not run job {job.id!r}: {exc}") from exc
        return _fetch(ref, job)


def _init_ray(capacity: int | None, address: str | None) -> None:
    import ray

    # per ENVIRONMENT.md, Ray otherwise listens beyond loopback despite _node_ip_address
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    if address is not None:
        ray.init(address=address, logging_level=logging.WARNING)
        return
    ray.init(num_cpus=capacity or os.cpu_count() or 1, include_dashboard=False,
             object_store_memory=256 * 2**20, _node_ip_address="127.0.0.1",
             logging_level=logging.WARNING)


def _interrupt(ref: Any) -> None:
    """Cancel a running task without killing its worker, repeating the interrupt.

    An interrupt can be lost (Ray delivers it to the worker's main thread only while that
    thread runs the task), so it is sent again every :data:`_RESEND_S` until the task ends or
    :data:`_CANCEL_GRACE_S` passes; :func:`_fetch` then forces the worker down.
    """
    import ray

    deadline = time.monotonic() + _CANCEL_GRACE_S
    while time.monotonic() < deadline:
        ray.cancel(ref, force=False)
        if ray.wait([ref], timeout=_RESEND_S)[0]:
            return


def _fetch(ref: Any, job: Job) -> JobResult:
    """The task's result; Ray's exceptions become results (cancel, memory) or ExecutorError."""
    import ray
    from ray import exceptions as ray_errors

    try:
        result: JobResult = ray.get(ref, timeout=_CANCEL_GRACE_S)
        return result
    except ray_errors.TaskCancelledError:  # before RayTaskError: Ray raises a subclass of both
        return cancelled_result(job)
    except ray_errors.GetTimeoutError:
        ray.cancel(ref, force=True)
        return JobResult(job.id, JobStatus.KILLED, None, 0.0, workdir=job.workdir,
                         error="cancel did not finish in time; the Ray worker was killed")
    except ray_errors.OutOfMemoryError as exc:
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else "out of memory"
        return JobResult(job.id, JobStatus.OOM, None, 0.0, workdir=job.workdir,
                         error=f"Ray's memory monitor killed the task: {line[:200]}")
    except ray_errors.RayTaskError as exc:
        if isinstance(exc.cause, GraftError):
            raise exc.cause from None
        raise ExecutorError(f"Ray task for job {job.id!r} failed: {exc.cause!r}") from exc
    except ray_errors.RayError as exc:
        raise ExecutorError(f"Ray could not run job {job.id!r}: {exc}") from exc


def _run_in_worker(job: Job, policy: SandboxPolicy) -> JobResult:
    """The Ray task body; runs in a Ray worker's main thread.

    ``ray.cancel(force=False)`` raises KeyboardInterrupt in this thread. The sandbox runs in a
    helper thread so the interrupt only sets its cancel event; the kill and clean-up of the job's
    process tree then cannot be cut short by the exception.
    """
    _accept_interrupts()
    cancel_event = threading.Event()
    outcome: list[JobResult | BaseException] = []

    def target() -> None:
        try:
            outcome.append(run_job(job, cancel_event, policy=policy))
        except BaseException as exc:  # handed to the task thread, which re-raises it
            outcome.append(exc)

    thread = threading.Thread(target=target, name=f"graftml-job-{job.id}")
    try:  # an interrupt right after start() must still reach the job through cancel_event
        thread.start()
        while thread.is_alive():
            thread.join(_POLL_S)
    except KeyboardInterrupt:
        cancel_event.set()
        if thread.ident is not None:  # started: let the job see the event and clean up
            _join_through_interrupts(thread)
        raise
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _accept_interrupts() -> None:
    """Make SIGINT raise KeyboardInterrupt in this worker, as Ray's cancel needs.

    A worker inherits an ignored SIGINT from a driver started in the background of a script
    (``graft serve &``); Ray's interrupt is then silently dropped and cancel never lands.
    """
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _join_through_interrupts(thread: threading.Thread) -> None:
    """Wait for ``thread``; repeated cancel interrupts must not cut the job's clean-up short."""
    while thread.is_alive():
        try:
            thread.join(_POLL_S)
        except KeyboardInterrupt:
            continue

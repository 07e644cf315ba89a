"""The code sandbox: run one :class:`~graftml.types.Job` as a limited process.

A job runs as ``python candidate.py job.json`` in its own working directory, in a new session,
with a wall timeout, an address-space cap (``RLIMIT_AS``), a process cap (see
:mod:`graftml.executors.sandbox.limits`), a CPU-time backstop, no core dumps, capped CPU threads and
a minimal environment. Started cold it is a fresh interpreter; started warm, a child forked by a
:class:`~graftml.executors.Zygote` that has the heavy modules imported already, confined the same
way. When it ends for any reason its whole process group and cgroup are killed, so nothing
outlives it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import threading
import time
from contextlib import ExitStack, suppress
from typing import IO

from graftml.errors import ExecutorError
from graftml.executors.sandbox.environment import THREAD_ENV_VARS, job_env, needs_cold_start
from graftml.executors.sandbox.limits import Isolation, SandboxPolicy
from graftml.executors.sandbox.outcome import Ending, cancelled_result, classify, read_tail
from graftml.executors.sandbox.start import JobProcess, start_cold, start_warm
from graftml.executors.sandbox.zygote import Zygote
from graftml.types import Job, JobResult

__all__ = ["THREAD_ENV_VARS", "SandboxPolicy", "Zygote", "job_env", "run_job"]

_POLL_S = 0.1  # how often a running job checks its cancel event


def run_job(job: Job, cancel_event: threading.Event | None = None, *,
            policy: SandboxPolicy | None = None, zygote: Zygote | None = None) -> JobResult:
    """Run ``job`` in a sandboxed process and return how it ended.

    Called by an executor in a worker thread (or a Ray task); blocks until the job exits, times
    out or is cancelled by setting ``cancel_event``. Writes ``candidate.py``, ``job.json``,
    ``stdout.txt`` and ``stderr.txt`` into ``job.workdir``.

    Args:
        job: what to run.
        cancel_event: set it to kill the job; the result is then ``killed``.
        policy: isolation options; default :class:`SandboxPolicy()`.
        zygote: start the job warm, forked by this zygote (made for ``policy.interpreter``).
            Without one, or when the zygote is unavailable or ``job.env`` gives a variable that
            only a new interpreter reads (``PYTHON*``, ``LD_*``, ``OMP_*``, ...) another value
            than the zygote's environment has, the job starts cold.

    Returns:
        A result with status ``ok``, ``error`` (non-zero exit), ``timeout``, ``oom`` or
        ``killed``, the last 8 KB of stdout/stderr and a one-line ``error`` summary.

    Raises:
        ExecutorError: the workdir cannot be prepared or the process cannot be started.
    """
    policy = policy or SandboxPolicy()
    interpreter = policy.interpreter or sys.executable
    _prepare_workdir(job)
    if zygote is not None and (needs_cold_start(job, zygote.env) or not zygote.warm_up()):
        zygote = None
    if cancel_event is not None and cancel_event.is_set():
        return cancelled_result(job)
    isolation = Isolation.for_job(job, policy, interpreter)
    try:
        ending, returncode, duration_s = _execute(job, interpreter, isolation, zygote,
                                                  cancel_event)
    finally:
        isolation.release()
    stdout, stderr = read_tail(job.workdir / "stdout.txt"), read_tail(job.workdir / "stderr.txt")
    status, error = classify(job, ending, returncode, stderr)
    return JobResult(job.id, status, returncode, round(duration_s, 4), stdout, stderr,
                     job.workdir, error)


def _prepare_workdir(job: Job) -> None:
    try:
        job.workdir.mkdir(parents=True, exist_ok=True)
        (job.workdir / "candidate.py").write_text(job.script)
        (job.workdir / "job.json").write_text(json.dumps(job.job_spec, indent=1, default=str))
    except OSError as exc:
        raise ExecutorError(f"cannot prepare workdir {job.workdir} for job {job.id!r}: {exc}; "
                            "check that the run folder is writable") from exc


def _execute(job: Job, interpreter: str, isolation: Isolation, zygote: Zygote | None,
             cancel_event: threading.Event | None) -> tuple[Ending, int | None, float]:
    with ExitStack() as files:
        try:
            out = files.enter_context((job.workdir / "stdout.txt").open("wb"))
            err = files.enter_context((job.workdir / "stderr.txt").open("wb"))
        except OSError as exc:
            raise ExecutorError(f"cannot create output files in {job.workdir}: {exc}") from exc
        start = time.monotonic()
        process = _start(job, interpreter, isolation, zygote, out, err)
        try:
            ending = _wait(process, start + job.timeout_s, cancel_event)
        finally:
            returncode = _kill_tree(process, isolation)
    return ending, returncode, time.monotonic() - start


def _start(job: Job, interpreter: str, isolation: Isolation, zygote: Zygote | None,
           out: IO[bytes], err: IO[bytes]) -> JobProcess:
    if zygote is not None:
        warm = start_warm(job, zygote, isolation, out, err)
        if warm is not None:
            return warm
    return start_cold(job, interpreter, isolation, out, err)


def _wait(process: JobProcess, deadline: float, cancel_event: threading.Event | None) -> Ending:
    """Wait for the leader to exit *without reaping it*, so its pgid cannot be reused yet."""
    try:
        pidfd: int | None = os.pidfd_open(process.pid)  # works for the zygote's children too
    except OSError:  # kernels before 5.3: poll instead
        pidfd = None
    try:
        while True:
            if cancel_event is not None and cancel_event.is_set():
                return "cancelled"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "timeout"
            step = min(remaining, _POLL_S if cancel_event is not None else remaining)
            if pidfd is not None:
                if select.select([pidfd], [], [], step)[0]:
                    return "exited"
            elif process.exited():
                return "exited"
            else:
                time.sleep(min(step, 0.01))
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _kill_tree(process: JobProcess, isolation: Isolation) -> int | None:
    """Kill the leader, its process group and its cgroup, then reap the leader."""
    for kill in (os.kill, os.killpg):
        with suppress(ProcessLookupError, PermissionError):
            kill(process.pid, signal.SIGKILL)
    isolation.kill_members(process.pid)
    return process.reap()

"""The code sandbox: run one :class:`~graftml.types.Job` as a limited subprocess.

A job runs as ``python candidate.py job.json`` in its own working directory, in a new session,
with a wall timeout, an address-space cap (``RLIMIT_AS``), a process cap (see
:mod:`graftml.executors._isolation`), no core dumps, capped CPU threads and a minimal environment.
When it ends for any reason its whole process group and cgroup are killed, so nothing outlives it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, suppress
from typing import IO

from graftml.errors import ExecutorError
from graftml.executors._isolation import Isolation, SandboxPolicy
from graftml.executors._outcome import Ending, cancelled_result, classify, read_tail
from graftml.types import Job, JobResult

__all__ = ["THREAD_ENV_VARS", "SandboxPolicy", "job_env", "run_job"]

THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "NUMEXPR_NUM_THREADS", "LOKY_MAX_CPU_COUNT")

_POLL_S = 0.1  # how often a running job checks its cancel event


def run_job(job: Job, cancel_event: threading.Event | None = None, *,
            policy: SandboxPolicy | None = None) -> JobResult:
    """Run ``job`` in a fresh sandboxed process and return how it ended.

    Called by an executor in a worker thread (or a Ray task); blocks until the job exits, times
    out or is cancelled by setting ``cancel_event``. Writes ``candidate.py``, ``job.json``,
    ``stdout.txt`` and ``stderr.txt`` into ``job.workdir``.

    Returns:
        A result with status ``ok``, ``error`` (non-zero exit), ``timeout``, ``oom`` or
        ``killed``, the last 8 KB of stdout/stderr and a one-line ``error`` summary.

    Raises:
        ExecutorError: the workdir cannot be prepared or the process cannot be started.
    """
    policy = policy or SandboxPolicy()
    interpreter = policy.interpreter or sys.executable
    _prepare_workdir(job)
    if cancel_event is not None and cancel_event.is_set():
        return cancelled_result(job)
    isolation = Isolation.for_job(job, policy, interpreter)
    try:
        ending, returncode, duration_s = _execute(job, interpreter, isolation, cancel_event)
    finally:
        isolation.release()
    stdout, stderr = read_tail(job.workdir / "stdout.txt"), read_tail(job.workdir / "stderr.txt")
    status, error = classify(job, ending, returncode, stderr)
    return JobResult(job.id, status, returncode, round(duration_s, 4), stdout, stderr,
                     job.workdir, error)


def job_env(job: Job, interpreter: str, user: str | None = None) -> dict[str, str]:
    """The environment a job sees: a clean minimum plus ``job.env``; nothing else is inherited.

    ``user`` sets ``USER``/``LOGNAME`` for a uid without a passwd entry (``getpass.getuser()``).
    """
    env = {
        "PATH": os.pathsep.join([os.path.dirname(interpreter), os.environ.get("PATH", os.defpath)]),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": str(job.workdir),
        "PYTHONUNBUFFERED": "1",  # a killed job still shows its last lines
        "MALLOC_ARENA_MAX": "2",  # glibc reserves 64 MB of address space per arena otherwise
        # pyarrow and catboost bundle mimalloc, which reserves a 1 GiB arena up front; under
        # RLIMIT_AS that reservation alone ate a quarter of the default 4 GB cap (KiB here)
        "MIMALLOC_ARENA_RESERVE": "65536",
    }
    env.update(dict.fromkeys(THREAD_ENV_VARS, str(job.threads)))
    if user is not None:
        env.update(USER=user, LOGNAME=user)
    env.update(job.env)
    return env


def _prepare_workdir(job: Job) -> None:
    try:
        job.workdir.mkdir(parents=True, exist_ok=True)
        (job.workdir / "candidate.py").write_text(job.script)
        (job.workdir / "job.json").write_text(json.dumps(job.job_spec, indent=1, default=str))
    except OSError as exc:
        raise ExecutorError(f"cannot prepare workdir {job.workdir} for job {job.id!r}: {exc}; "
                            "check that the run folder is writable") from exc


def _execute(job: Job, interpreter: str, isolation: Isolation,
             cancel_event: threading.Event | None) -> tuple[Ending, int, float]:
    with ExitStack() as files:
        try:
            out = files.enter_context((job.workdir / "stdout.txt").open("wb"))
            err = files.enter_context((job.workdir / "stderr.txt").open("wb"))
        except OSError as exc:
            raise ExecutorError(f"cannot create output files in {job.workdir}: {exc}") from exc
        start = time.monotonic()
        proc = _spawn(job, interpreter, isolation, out, err)
        try:
            ending = _wait(proc, start + job.timeout_s, cancel_event)
        finally:
            _kill_tree(proc, isolation)
    return ending, proc.returncode, time.monotonic() - start


def _spawn(job: Job, interpreter: str, isolation: Isolation, out: IO[bytes],
           err: IO[bytes]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            [interpreter, "candidate.py", "job.json"], cwd=job.workdir,
            env=job_env(job, interpreter, isolation.user_name), stdin=subprocess.DEVNULL,
            stdout=out, stderr=err, start_new_session=True, preexec_fn=isolation.preexec)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExecutorError(f"cannot start job {job.id!r} with {interpreter} "
                            f"({isolation.describe()}): {exc}") from exc


def _wait(proc: subprocess.Popen[bytes], deadline: float,
          cancel_event: threading.Event | None) -> Ending:
    """Wait for the leader to exit *without reaping it*, so its pgid cannot be reused yet."""
    try:
        pidfd: int | None = os.pidfd_open(proc.pid)
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
            elif _exited(proc.pid):
                return "exited"
            else:
                time.sleep(min(step, 0.01))
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _exited(pid: int) -> bool:
    result = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    return result is not None


def _kill_tree(proc: subprocess.Popen[bytes], isolation: Isolation) -> None:
    """Kill the leader, its process group and its cgroup, then reap the leader."""
    # os.kill, not proc.kill(): Popen.kill() polls first, which would reap the leader
    for kill, target in ((os.kill, proc.pid), (os.killpg, proc.pid)):
        with suppress(ProcessLookupError, PermissionError):
            kill(target, signal.SIGKILL)
    isolation.kill_members(proc.pid)
    proc.wait()

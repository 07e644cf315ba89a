"""Starting a job's process: cold (a fresh interpreter) or warm (forked by the zygote).

Either way the process is the leader of its own session, confined by :mod:`.self_confine`, and is
not reaped until the sandbox has killed its process group, so that pgid cannot be reused first.
"""

from __future__ import annotations

import os
import subprocess
from typing import IO, Protocol

from graftml.errors import ExecutorError
from graftml.executors.sandbox.environment import job_env
from graftml.executors.sandbox.limits import Isolation
from graftml.executors.sandbox.zygote import Zygote
from graftml.types import Job

ARGV = ("candidate.py", "job.json")


class JobProcess(Protocol):
    """The leader process of a running job."""

    pid: int

    def exited(self) -> bool:
        """True once the leader has exited (it is not reaped)."""
        ...

    def reap(self) -> int | None:
        """Wait for the (killed) leader; ``Popen``'s return code, None if it was lost."""
        ...


class ColdProcess:
    """A job started as a fresh interpreter: our child."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen, self.pid = popen, popen.pid

    def exited(self) -> bool:
        return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None

    def reap(self) -> int | None:
        return self.popen.wait()


class WarmProcess:
    """A job forked by the zygote: its child, not ours, so it is reaped through the zygote."""

    def __init__(self, pid: int, zygote: Zygote) -> None:
        self.pid, self.zygote = pid, zygote

    def exited(self) -> bool:
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as handle:
                stat_line = handle.read()
        except OSError:
            return True
        return stat_line[stat_line.rindex(b")") + 2:][:1] in (b"Z", b"X")

    def reap(self) -> int | None:
        return self.zygote.reap(self.pid)


def start_cold(job: Job, interpreter: str, isolation: Isolation, out: IO[bytes],
               err: IO[bytes]) -> ColdProcess:
    """``interpreter candidate.py job.json`` in the job's folder, confined before ``exec``.

    Raises:
        ExecutorError: the process could not be started or confined.
    """
    try:
        return ColdProcess(subprocess.Popen(
            [interpreter, *ARGV], cwd=job.workdir,
            env=job_env(job, interpreter, isolation.user_name), stdin=subprocess.DEVNULL,
            stdout=out, stderr=err, start_new_session=True, preexec_fn=isolation.preexec))
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExecutorError(f"cannot start job {job.id!r} with {interpreter} "
                            f"({isolation.describe()}): {exc}") from exc


def start_warm(job: Job, zygote: Zygote, isolation: Isolation, out: IO[bytes],
               err: IO[bytes]) -> WarmProcess | None:
    """Ask the zygote to fork the job; None when it cannot (start the job cold).

    Raises:
        ExecutorError: the forked child could not be confined.
    """
    request = {
        "op": "spawn", "cwd": str(job.workdir.absolute()), "argv": list(ARGV),
        "env": job_env(job, zygote.interpreter, isolation.user_name),
        "limits": isolation.limits.to_json(), "threads": job.threads,
        "cgroup": str(isolation.cgroup.path) if isolation.cgroup is not None else None,
    }
    fds = [out.fileno(), err.fileno()]
    if isolation.procs_fd is not None:
        fds.append(isolation.procs_fd)
    pid = zygote.spawn(request, fds)
    return None if pid is None else WarmProcess(pid, zygote)

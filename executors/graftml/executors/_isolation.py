"""Process isolation of one sandboxed job: a process cap, an unprivileged uid, rlimits.

The process cap (``Job.max_procs``) uses the first mechanism the host allows:

1. a per-job cgroup v1 ``pids`` group (root, ``/sys/fs/cgroup/pids`` writable): exact per job,
   counts threads, and lists every member, so a job that left its process group with ``setsid``
   is still killed;
2. ``RLIMIT_NPROC``. The kernel ignores it for root and counts it per uid: as root it applies
   once the job dropped to its own uid; an ordinary user gets the tasks it already runs plus
   ``max_procs`` (shared by its concurrent jobs);
3. nothing (root, no cgroup, privileges not dropped): logged once as a warning.

Independently, root drops to a per-job uid where that works (see :mod:`._identity`).
"""

from __future__ import annotations

import functools
import logging
import os
import resource
from dataclasses import dataclass

import psutil

from graftml.errors import ExecutorError
from graftml.executors._containment import PidsCgroup, kill_process_group
from graftml.executors._identity import Identity, hand_over, resolve_identity
from graftml.types import Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxPolicy:
    """How strongly :func:`~graftml.executors.run_job` isolates a job beyond the job's own limits.

    Attributes:
        pids_cgroup: cap processes with a per-job cgroup v1 ``pids`` group when the host allows
            it; otherwise (or when False) fall back to ``RLIMIT_NPROC``.
        drop_privileges: when running as root, run the job under a uid of its own (see
            :mod:`graftml.executors._identity`). ``None`` (auto) drops only when running as
            root and any user can reach the interpreter, the workdir and every absolute path in
            ``job_spec``; ``True`` always drops (``ExecutorError`` when not root); ``False``
            never does.
        interpreter: the Python that runs ``candidate.py``; empty means ``sys.executable``.
    """

    pids_cgroup: bool = True
    drop_privileges: bool | None = None
    interpreter: str = ""


class Isolation:
    """The limits of one job run: built in the parent, applied in the child by :meth:`preexec`."""

    def __init__(self, job: Job, cgroup: PidsCgroup | None, identity: Identity | None) -> None:
        self.cgroup, self.identity = cgroup, identity
        self.memory_bytes = job.memory_mb * 2**20
        self.nproc = None if cgroup is not None else _nproc_limit(job.max_procs, identity)
        if cgroup is None and self.nproc is None:
            _warn_no_process_cap()

    @classmethod
    def for_job(cls, job: Job, policy: SandboxPolicy, interpreter: str) -> Isolation:
        """Resolve ``policy`` for ``job`` (whose workdir exists) and create its cgroup.

        Raises:
            ExecutorError: privileges cannot be dropped as ``policy`` demands.
        """
        identity = resolve_identity(job, policy.drop_privileges, interpreter)
        if identity is not None:
            try:
                hand_over(job.workdir, identity)  # so the job can write there
            except OSError as exc:
                raise ExecutorError(f"cannot hand {job.workdir} to uid {identity.uid}: "
                                    f"{exc}") from exc
        cgroup = PidsCgroup.create(job.max_procs) if policy.pids_cgroup else None
        return cls(job, cgroup, identity)

    def preexec(self) -> None:
        """Runs in the forked child before ``exec``: join the cgroup, set limits, drop root."""
        if self.cgroup is not None:
            self.cgroup.join_from_child()
        _cap(resource.RLIMIT_CORE, 0)
        _cap(resource.RLIMIT_AS, self.memory_bytes)
        if self.nproc is not None:
            _cap(resource.RLIMIT_NPROC, self.nproc)  # before setuid, which checks it
        if self.identity is not None:
            os.setgroups([])
            os.setgid(self.identity.gid)
            os.setuid(self.identity.uid)

    def kill_members(self, pgid: int) -> None:
        """SIGKILL what is left of the job and wait until it is gone.

        That is the cgroup's members; without a cgroup, process group ``pgid`` and every process
        of the job's own uid (if it dropped privileges).
        """
        if self.cgroup is not None:
            self.cgroup.kill_all()
        else:
            kill_process_group(pgid, self.identity.uid if self.identity else None)

    def release(self) -> None:
        """Remove the cgroup (killing any member left). Called once, after the job ended."""
        if self.cgroup is not None:
            self.cgroup.remove()

    @property
    def user_name(self) -> str | None:
        """``USER`` for the job's environment when it runs under a dynamic uid, else None."""
        return self.identity.name if self.identity else None

    def describe(self) -> str:
        """One line for messages, e.g. ``pids cgroup · uid 62001``."""
        cap = "pids cgroup" if self.cgroup else f"RLIMIT_NPROC {self.nproc}"
        return f"{cap} · uid {self.identity.uid if self.identity else os.geteuid()}"


def _cap(which: int, value: int) -> None:
    """Lower a limit (soft and hard) to ``value``, never above the current hard limit."""
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def _nproc_limit(max_procs: int, identity: Identity | None) -> int | None:
    if identity is not None:
        return max_procs
    if os.geteuid() == 0:
        return None  # the kernel does not enforce RLIMIT_NPROC for root
    uid = os.getuid()
    running = sum(p.info["num_threads"] or 0 for p in psutil.process_iter(["uids", "num_threads"])
                  if p.info["uids"] is not None and p.info["uids"].real == uid)
    return running + max_procs


@functools.cache
def _warn_no_process_cap() -> None:
    """Logged once per process: every job would repeat it."""
    logger.warning("jobs run as root without a process cap: no writable pids cgroup and no "
                   "privilege drop (see SandboxPolicy)")

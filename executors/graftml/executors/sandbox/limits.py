"""Process isolation of one sandboxed job: a process cap, an unprivileged uid, rlimits.

The process cap (``Job.max_procs``) uses the first mechanism the host allows:

1. a per-job cgroup v1 ``pids`` group (root, ``/sys/fs/cgroup/pids`` writable): exact per job,
   counts threads, and lists every member, so a job that left its process group with ``setsid``
   is still killed;
2. ``RLIMIT_NPROC``. The kernel ignores it for root and counts it per uid: as root it applies
   once the job dropped to its own uid; an ordinary user gets the tasks it already runs plus
   ``max_procs`` (shared by its concurrent jobs);
3. nothing (root, no cgroup, privileges not dropped): logged once as a warning.

Independently, root drops to a per-job uid where that works (see :mod:`.job_user`).
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from typing import Literal

import psutil

from graftml.errors import ConfigError, ExecutorError
from graftml.executors.sandbox.cgroup import PidsCgroup, kill_process_group
from graftml.executors.sandbox.job_user import Identity, hand_over, resolve_identity
from graftml.executors.sandbox.self_confine import Limits, confine, job_rlimits, parent_death_signal
from graftml.types import Job

logger = logging.getLogger(__name__)

#: What the candidates import, and what their first ``read_parquet`` and scikit-learn fit import
#: lazily (pyarrow.dataset, narwhals: ~25 ms a job). Not catboost: importing it takes 0.13 s, less
#: than any catboost fit, but would add ~265 MB of address space to every warm job's RLIMIT_AS.
DEFAULT_PRELOAD = ("numpy", "pandas", "pyarrow.parquet", "pyarrow.dataset", "pyarrow.pandas_compat",
                   "sklearn.ensemble", "sklearn.linear_model", "sklearn.preprocessing",
                   "sklearn.impute", "sklearn.model_selection", "sklearn.metrics",
                   "sklearn.neighbors", "sklearn.pipeline", "sklearn.compose",
                   "sklearn.feature_extraction.text", "narwhals._pandas_like.namespace",
                   "lightgbm", "xgboost", "threadpoolctl")
CPU_BACKSTOP_FACTOR = 4  # RLIMIT_CPU = factor x timeout x threads + a minute


@dataclass(frozen=True)
class SandboxPolicy:
    """How strongly :func:`~graftml.executors.run_job` isolates a job beyond the job's own limits.

    Attributes:
        pids_cgroup: cap processes with a per-job cgroup v1 ``pids`` group when the host allows
            it; otherwise (or when False) fall back to ``RLIMIT_NPROC``.
        drop_privileges: when running as root, run the job under a uid of its own (see
            :mod:`graftml.executors.sandbox.job_user`). ``None`` (auto) drops only when running as
            root and any user can reach the interpreter, the workdir and every absolute path in
            ``job_spec``; ``True`` always drops (``ExecutorError`` when not root); ``False``
            never does.
        interpreter: the Python that runs ``candidate.py``; empty means ``sys.executable``.
        start: ``"warm"``: a :class:`~graftml.executors.LocalExecutor` forks each job from a
            zygote that imported ``preload`` once (tens of milliseconds instead of seconds);
            ``"cold"``: every job is a fresh interpreter. Limits and results are the same.
            :class:`~graftml.executors.RayExecutor` always starts jobs cold.
        preload: what the zygote imports (modules it cannot import are skipped).
    """

    pids_cgroup: bool = True
    drop_privileges: bool | None = None
    interpreter: str = ""
    start: Literal["warm", "cold"] = "warm"
    preload: tuple[str, ...] = DEFAULT_PRELOAD

    def __post_init__(self) -> None:
        if self.start not in ("warm", "cold"):
            raise ConfigError(f"unknown sandbox start mode {self.start!r}; valid modes: warm, "
                              "cold")


class Isolation:
    """The limits of one job run: built in the parent, applied in the child by :meth:`preexec`."""

    def __init__(self, job: Job, cgroup: PidsCgroup | None, identity: Identity | None) -> None:
        self.cgroup, self.identity = cgroup, identity
        self.nproc = None if cgroup is not None else _nproc_limit(job.max_procs, identity)
        if cgroup is None and self.nproc is None:
            _warn_no_process_cap()
        cpu_s = int(CPU_BACKSTOP_FACTOR * job.timeout_s * max(1, job.threads)) + 60
        rlimits = job_rlimits(job.memory_mb * 2**20, cpu_s, self.nproc)
        self.limits = Limits(rlimits, identity.uid if identity else None,
                             identity.gid if identity else None)
        self._parent_death = parent_death_signal()  # resolved here, never after a fork

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
        """Runs in the forked child before ``exec``: join the cgroup, set limits, drop root.

        The job also gets SIGKILL when the thread that started it dies (with the orchestrator).
        """
        confine(self.limits, self.procs_fd, self._parent_death)

    @property
    def procs_fd(self) -> int | None:
        """The job cgroup's open ``cgroup.procs``, for the child to join with one write."""
        return self.cgroup.procs_fd if self.cgroup is not None else None

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

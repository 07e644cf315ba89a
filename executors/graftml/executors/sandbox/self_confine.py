"""What a job's own process does to confine itself before the candidate runs: both start modes.

A cold job calls :func:`confine` between ``fork`` and ``exec`` (``preexec_fn``); a warm job calls
it in the child the zygote forked. Standard library only: the zygote runs
:mod:`graftml.executors.sandbox.zygote_server`, which imports this module, under any interpreter.
"""

from __future__ import annotations

import ctypes
import functools
import os
import resource
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    """The limits of one job process, as plain data (it also travels to the zygote as JSON).

    Attributes:
        rlimits: ``(resource, soft, hard)`` triples, lowered never above the current hard limit.
        uid: drop to this uid (and ``gid``, no supplementary groups); None keeps the caller's.
        gid: the group that goes with ``uid``.
    """

    rlimits: tuple[tuple[int, int, int], ...]
    uid: int | None = None
    gid: int | None = None

    def to_json(self) -> dict[str, object]:
        """A JSON-able form, read back by :meth:`from_json`."""
        return {"rlimits": [list(r) for r in self.rlimits], "uid": self.uid, "gid": self.gid}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Limits:
        """The limits :meth:`to_json` wrote (read in the zygote's child)."""
        rlimits = data["rlimits"]
        assert isinstance(rlimits, list)
        uid, gid = data.get("uid"), data.get("gid")
        assert (uid is None or isinstance(uid, int)) and (gid is None or isinstance(gid, int))
        return cls(tuple((int(r[0]), int(r[1]), int(r[2])) for r in rlimits), uid, gid)


def confine(limits: Limits, procs_fd: int | None, parent_death: Callable[[], None]) -> None:
    """Join the job's pids cgroup, set rlimits, drop privileges, die with the parent.

    Runs in the job's process before any candidate code, so nothing it forks escapes the
    cgroup. ``parent_death`` is :func:`parent_death_signal`, resolved before the fork.
    """
    if procs_fd is not None:
        os.write(procs_fd, b"0")  # cgroup v1: "0" means the writing process
    for which, soft, hard in limits.rlimits:
        cap(which, soft, hard)
    if limits.uid is not None and limits.gid is not None:
        os.setgroups([])
        os.setgid(limits.gid)
        os.setuid(limits.uid)
    parent_death()  # after setuid, which clears the parent-death signal


def cap(which: int, soft: int, hard: int | None = None) -> None:
    """Lower a limit to ``soft`` (and ``hard``, default ``soft``), never above the current hard."""
    _, current_hard = resource.getrlimit(which)
    hard = soft if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(which, (soft, hard))


def job_rlimits(memory_bytes: int, cpu_s: int, nproc: int | None) -> tuple[tuple[int, int, int],
                                                                             ...]:
    """No core dumps, the address-space cap, the CPU-time backstop and the process cap.

    RLIMIT_CPU only matters for a job that outlives its orchestrator: the wall timeout comes
    first. Its hard limit is a little higher, so the job gets SIGXCPU (reported as such) before
    the SIGKILL that would read as "killed for memory".
    """
    limits = [(resource.RLIMIT_CORE, 0, 0), (resource.RLIMIT_AS, memory_bytes, memory_bytes),
              (resource.RLIMIT_CPU, cpu_s, cpu_s + 10)]
    if nproc is not None:
        limits.append((resource.RLIMIT_NPROC, nproc, nproc))  # before setuid, which checks it
    return tuple(limits)


@functools.cache
def parent_death_signal() -> Callable[[], None]:
    """A function that makes the calling process get SIGKILL when its parent thread exits.

    Resolved once, before any fork (a ctypes look-up in a forked child of a threaded process
    could deadlock). Where ``prctl`` is missing it does nothing.
    """
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return lambda: None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return functools.partial(prctl, _PR_SET_PDEATHSIG, signal.SIGKILL)


def reset_signals(names: Sequence[str] = ("SIGTERM", "SIGHUP", "SIGCHLD", "SIGQUIT")) -> None:
    """Default dispositions, and Python's own KeyboardInterrupt handler for SIGINT."""
    for name in names:
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)

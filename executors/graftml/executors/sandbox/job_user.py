"""Which user a job runs as: root drops to a per-job unprivileged uid when that can work.

A dropped job gets a uid of its own, unused by any process and absent from the passwd database,
from systemd's DynamicUser range, with the ``nogroup`` group. Its own uid means:

* root-owned 0600 files (graftml's validation labels) are unreadable to it;
* ``RLIMIT_NPROC``, which the kernel counts per uid, caps this job alone; with one shared
  ``nobody`` a fork bomb, or its not-yet-reaped zombies, made other jobs' ``exec`` fail;
* it cannot signal or ptrace other jobs.

It only works when any user can reach the interpreter, the workdir and the data files; a Python
under ``/root`` (pyenv) cannot be run, and then the job keeps the caller's identity.
"""

from __future__ import annotations

import grp
import os
import pwd
import random
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from graftml.errors import ExecutorError
from graftml.types import Job

DYNAMIC_UIDS = range(61184, 65520)  # systemd's DynamicUser range: no regular account lives there


@dataclass(frozen=True)
class Identity:
    """The user and group a job runs as after dropping root."""

    uid: int
    gid: int

    @property
    def name(self) -> str:
        """What ``USER`` and ``LOGNAME`` say (the uid has no passwd entry to look up)."""
        return f"graftml-{self.uid}"


def resolve_identity(job: Job, drop: bool | None, interpreter: str) -> Identity | None:
    """A fresh identity to drop to, or None to run as the caller (see ``SandboxPolicy``).

    Raises:
        ExecutorError: ``drop`` is True but the caller is not root, or no uid is free.
    """
    if drop is False:
        return None
    if os.geteuid() != 0:
        if drop:
            raise ExecutorError("drop_privileges=True needs root; run as root or set it to None")
        return None
    if drop or all(others_can_reach(path) for path in _needed_paths(job, interpreter)):
        return Identity(_free_uid(), _nogroup_gid())
    return None


def hand_over(workdir: Path, identity: Identity) -> None:
    """Give ``workdir`` and the files earlier jobs left in it (another dynamic uid) to ``identity``.

    Files of other owners (root's) are left alone, so nothing private is exposed.
    """
    os.chown(workdir, identity.uid, identity.gid)
    for entry in workdir.iterdir():
        if entry.lstat().st_uid in DYNAMIC_UIDS:
            os.chown(entry, identity.uid, identity.gid, follow_symlinks=False)


def others_can_reach(path: Path) -> bool:
    """True if a user that is neither owner nor group can read ``path`` (and traverse to it)."""
    try:
        if not all(p.stat().st_mode & stat.S_IXOTH for p in path.resolve().parents):
            return False
        mode = path.stat().st_mode
    except OSError:
        return False
    needed = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
    return mode & needed == needed


def _free_uid(attempts: int = 200) -> int:
    """A random uid of the range that no process (zombies included) runs as."""
    taken = {p.info["uids"].real for p in psutil.process_iter(["uids"]) if p.info["uids"]}
    for _ in range(attempts):
        uid = random.choice(DYNAMIC_UIDS)
        if uid not in taken and not _has_account(uid):
            return uid
    raise ExecutorError(f"no free uid in {DYNAMIC_UIDS.start}-{DYNAMIC_UIDS.stop - 1}; "
                        "too many jobs are running as dynamic users")


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def _nogroup_gid() -> int:
    for name in ("nogroup", "nobody"):
        try:
            return grp.getgrnam(name).gr_gid
        except KeyError:
            continue
    return 65534


def _needed_paths(job: Job, interpreter: str) -> list[Path]:
    paths = [Path(os.path.realpath(interpreter)), job.workdir]
    if interpreter == sys.executable:
        paths += [Path(sys.prefix), Path(sys.base_prefix)]
    paths += [Path(v) for v in _strings(job.job_spec) if v.startswith("/") and os.path.exists(v)]
    return paths


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []

"""When the sandbox drops root, to which uid, and the permission check behind it."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from graftml.executors import SandboxPolicy, run_job
from graftml.executors.sandbox.job_user import DYNAMIC_UIDS, others_can_reach
from graftml.testing.executors import make_job
from graftml.types import JobStatus

SYSTEM_PYTHON = "/usr/bin/python3"
needs_root = pytest.mark.skipif(os.geteuid() != 0 or not os.access(SYSTEM_PYTHON, os.X_OK),
                                reason=f"needs root and {SYSTEM_PYTHON}")
WRITE_UID = "import os; print(os.getuid()); open('pred_valid.csv', 'w').write(str(os.getuid()))"
WHO_AM_I = "import getpass, json, os; print(json.dumps([os.getuid(), getpass.getuser()]))"


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory every user can traverse (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="graftml-test-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_world_readable_file_in_an_open_tree_is_reachable(open_dir: Path) -> None:
    (open_dir / "train.parquet").write_text("x")
    (open_dir / "train.parquet").chmod(0o644)
    assert others_can_reach(open_dir / "train.parquet")


def test_a_private_file_or_a_private_parent_is_not_reachable(open_dir: Path) -> None:
    (open_dir / "labels.npz").write_text("y")
    (open_dir / "labels.npz").chmod(0o600)
    (open_dir / "private").mkdir(mode=0o700)
    (open_dir / "private" / "data.csv").write_text("z")
    assert not others_can_reach(open_dir / "labels.npz")
    assert not others_can_reach(open_dir / "private" / "data.csv")


@needs_root
def test_auto_drops_to_a_dynamic_uid_when_everything_is_reachable(open_dir: Path) -> None:
    policy = SandboxPolicy(interpreter=SYSTEM_PYTHON)
    result = run_job(make_job(open_dir / "auto", WHO_AM_I), policy=policy)
    uid, user = json.loads(result.stdout)
    assert uid in DYNAMIC_UIDS
    assert user == f"graftml-{uid}"


@needs_root
def test_auto_keeps_root_when_the_workdir_is_private(tmp_path: Path) -> None:
    tmp_path.chmod(0o700)  # as pytest's own base folder is
    policy = SandboxPolicy(interpreter=SYSTEM_PYTHON)
    result = run_job(make_job(tmp_path / "private", WHO_AM_I), policy=policy)
    assert json.loads(result.stdout)[0] == 0


@needs_root
def test_a_later_job_may_overwrite_what_an_earlier_job_left_in_its_workdir(
        open_dir: Path) -> None:
    policy = SandboxPolicy(drop_privileges=True, interpreter=SYSTEM_PYTHON)
    job = make_job(open_dir / "node", WRITE_UID)
    first = run_job(job, policy=policy)
    second = run_job(job, policy=policy)
    assert (first.status, second.status) == (JobStatus.OK, JobStatus.OK)
    assert (job.workdir / "pred_valid.csv").read_text() == second.stdout.strip()

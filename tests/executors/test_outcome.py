"""How a finished process becomes a status and a one-line error."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from graftml.executors.sandbox.outcome import classify, read_tail, summary_line
from graftml.testing.executors import make_job
from graftml.types import Job, JobStatus

TRACEBACK = """Traceback (most recent call last):
  File "candidate.py", line 3, in <module>
    fit()
lightgbm.basic.LightGBMError: Check failed: (num_data) > (0)
"""


@pytest.fixture
def job(tmp_path: Path) -> Job:
    return make_job(tmp_path / "j", "pass", timeout_s=5.0, memory_mb=512)


def test_the_summary_is_the_last_exception_line() -> None:
    noisy = TRACEBACK + "[LightGBM] [Warning] something after the traceback\n"
    assert summary_line(noisy) == "lightgbm.basic.LightGBMError: Check failed: (num_data) > (0)"


def test_without_an_exception_line_the_summary_is_the_last_line() -> None:
    assert summary_line("starting\nSegmentation fault\n\n") == "Segmentation fault"


@pytest.mark.parametrize(("returncode", "stderr", "status", "error"), [
    (0, "", JobStatus.OK, ""),
    (1, TRACEBACK, JobStatus.ERROR, "lightgbm.basic.LightGBMError: Check failed: (num_data) > (0)"),
    (3, "", JobStatus.ERROR, "exit code 3"),
    (1, "MemoryError\n", JobStatus.OOM, "memory cap 512 MB hit: MemoryError"),
    (-signal.SIGABRT, "terminate called after throwing an instance of 'std::bad_alloc'\n",
     JobStatus.OOM, "memory cap 512 MB hit: terminate called after throwing an instance of "
                    "'std::bad_alloc'"),
    (-signal.SIGKILL, "", JobStatus.OOM, "killed by SIGKILL, most likely for memory (cap 512 MB)"),
    (-signal.SIGSEGV, "", JobStatus.ERROR, "killed by SIGSEGV"),
])
def test_an_exited_job_is_classified(job: Job, returncode: int, stderr: str,
                                     status: JobStatus, error: str) -> None:
    assert classify(job, "exited", returncode, stderr) == (status, error)


def test_timeouts_and_cancels_win_over_the_exit_code(job: Job) -> None:
    assert classify(job, "timeout", -9, "") == (JobStatus.TIMEOUT,
                                                "timed out after 5s")
    assert classify(job, "cancelled", -9, "") == (JobStatus.KILLED,
                                                  "cancelled")


def test_a_long_file_comes_back_as_its_marked_tail(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("a" * 100 + "tail")
    assert read_tail(path, limit=4) == "[... 100 bytes cut]\ntail"
    assert read_tail(tmp_path / "missing.txt") == ""

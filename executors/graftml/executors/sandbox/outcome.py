"""Turning how a job process ended into a :class:`~graftml.types.JobResult`: status and summary."""

from __future__ import annotations

import re
import signal
from pathlib import Path
from typing import Literal

from graftml.types import Job, JobResult, JobStatus

Ending = Literal["exited", "timeout", "cancelled"]

TAIL_BYTES = 8192

# How an allocation failure shows up: numpy/Python, C++ (LightGBM, XGBoost, CatBoost), C (errno)
_OOM_MARKERS = ("MemoryError", "Unable to allocate", "bad_alloc", "Cannot allocate memory",
                "out of memory")
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


def read_tail(path: Path, limit: int = TAIL_BYTES) -> str:
    """The last ``limit`` bytes of a file as text, marked when earlier output was cut."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - limit))
            data = handle.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return f"[... {size - limit} bytes cut]\n{text}" if size > limit else text


def summary_line(stderr: str) -> str:
    """The last exception line of a traceback, else the last non-empty line (one line, ≤300 ch)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if _EXCEPTION_LINE.match(line):
            return line[:300]
    return lines[-1][:300] if lines else ""


def classify(job: Job, ending: Ending, returncode: int | None,
             stderr: str) -> tuple[JobStatus, str]:
    """Status and one-line error for a job that ended as ``ending`` with ``returncode``."""
    if ending == "cancelled":
        return JobStatus.KILLED, "cancelled"
    if ending == "timeout":
        return JobStatus.TIMEOUT, f"timed out after {job.timeout_s:g}s"
    if returncode is None:  # a warm job whose zygote died: it took the job with it
        return JobStatus.KILLED, "the sandbox zygote died while the job ran"
    if returncode == 0:
        return JobStatus.OK, ""
    line = summary_line(stderr)
    if any(marker in stderr for marker in _OOM_MARKERS):
        return JobStatus.OOM, f"memory cap {job.memory_mb} MB hit: {line}"
    if returncode == -signal.SIGKILL:
        # nobody in graftml sent it (timeouts and cancels are handled above): the OOM killer
        return JobStatus.OOM, f"killed by SIGKILL, most likely for memory (cap {job.memory_mb} MB)"
    if returncode is not None and returncode < 0:
        killed = f"killed by {_signal_name(-returncode)}"
        return JobStatus.ERROR, f"{killed}: {line}" if line else killed
    return JobStatus.ERROR, line or f"exit code {returncode}"


def cancelled_result(job: Job, duration_s: float = 0.0) -> JobResult:
    """The result of a job cancelled before it ran (or whose result was lost to the cancel)."""
    return JobResult(job.id, JobStatus.KILLED, None, duration_s, workdir=job.workdir,
                     error="cancelled")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"

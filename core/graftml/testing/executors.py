"""Contract suite for :class:`~graftml.executor.Executor` implementations.

Subclass :class:`ExecutorContract` in a test module and override its ``make_executor`` fixture
with a factory ``capacity -> Executor``::

    class TestMyExecutor(ExecutorContract):
        @pytest.fixture
        def make_executor(self) -> ExecutorFactory:
            return MyExecutor

The suite runs real (tiny) Python jobs, so the executor must really start processes. Every
executor a test builds is shut down afterwards. Jobs time out after at most a few seconds.
"""

from __future__ import annotations

import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import psutil
import pytest

from graftml.errors import ExecutorError
from graftml.executor import Executor
from graftml.types import Job, JobResult, JobStatus

ExecutorFactory = Callable[[int], Executor]


class JobRunner(Protocol):
    """:func:`graftml.executors.run_job` with the start mode (and zygote) already chosen."""

    def __call__(self, job: Job, cancel_event: threading.Event | None = None, *,
                 policy: Any = None) -> JobResult: ...  # a graftml.executors.SandboxPolicy

# writes its own pid and a sleeping child's pid, then sleeps: a job to cancel
SLEEPER = """
    import os, subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open("pids.tmp", "w") as f:
        f.write(f"{os.getpid()} {child.pid}")
    os.rename("pids.tmp", "pids.txt")  # appears complete or not at all
    time.sleep(60)
"""


def make_job(workdir: Path, script: str, **fields: Any) -> Job:
    """A job named after its workdir running ``script`` (dedented); ``fields`` go to Job."""
    return Job(id=workdir.name, workdir=workdir, script=textwrap.dedent(script), **fields)


def wait_for_file(path: Path, timeout_s: float = 20.0) -> str:
    """The content of ``path`` once it exists; fails the test after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"{path} did not appear within {timeout_s}s")
        time.sleep(0.02)
    return path.read_text()


def alive(pid: int) -> bool:
    """True if ``pid`` is a running (not zombie) process."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def max_overlap(intervals: list[tuple[float, float]]) -> int:
    """The largest number of ``(start, end)`` intervals that overlap at one instant."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


class ExecutorContract:
    """The behaviour every executor must show; subclass and override ``make_executor``."""

    @pytest.fixture
    def make_executor(self) -> ExecutorFactory:
        """Override: return a factory that builds the executor under test for a capacity."""
        raise NotImplementedError("override the make_executor fixture in the subclass")

    @pytest.fixture
    def build(self, make_executor: ExecutorFactory) -> Iterator[ExecutorFactory]:
        """``make_executor`` that also shuts every executor it built down after the test."""
        built: list[Executor] = []

        def build(capacity: int) -> Executor:
            built.append(make_executor(capacity))
            return built[-1]

        yield build
        for executor in built:
            executor.shutdown()

    @pytest.fixture
    def executor(self, build: ExecutorFactory) -> Executor:
        return build(2)

    def test_ok_job_returns_ok_and_writes_predictions(self, executor: Executor,
                                                      tmp_path: Path) -> None:
        script = """
            import json, sys
            spec = json.load(open(sys.argv[1]))
            open("pred_valid.csv", "w").write(",".join(["0.5"] * spec["rows"]))
            print("fitted")
        """
        job = make_job(tmp_path / "ok", script, job_spec={"rows": 3})
        result = executor.submit(job).result()
        assert (result.status, result.returncode, result.error) == (JobStatus.OK, 0, "")
        assert (job.workdir / "pred_valid.csv").read_text() == "0.5,0.5,0.5"
        assert result.stdout.strip() == "fitted"
        assert result.job_id == job.id

    def test_error_job_returns_error_with_the_exception_line(self, executor: Executor,
                                                            tmp_path: Path) -> None:
        job = make_job(tmp_path / "bad", "raise ValueError('column x is missing')")
        result = executor.submit(job).result()
        assert result.status == JobStatus.ERROR
        assert result.error == "ValueError: column x is missing"
        assert "Traceback" in result.stderr

    def test_timeout_returns_timeout_within_two_seconds_of_the_limit(
            self, executor: Executor, tmp_path: Path) -> None:
        job = make_job(tmp_path / "slow", "import time; time.sleep(60)", timeout_s=1.0)
        start = time.monotonic()
        result = executor.submit(job).result()
        assert result.status == JobStatus.TIMEOUT
        assert time.monotonic() - start < job.timeout_s + 2.0

    def test_cancel_kills_the_running_job_and_its_children(self, executor: Executor,
                                                           tmp_path: Path) -> None:
        job = make_job(tmp_path / "cancel", SLEEPER, timeout_s=30.0)
        handle = executor.submit(job)
        pids = [int(p) for p in wait_for_file(job.workdir / "pids.txt").split()]
        handle.cancel()
        assert handle.result().status == JobStatus.KILLED
        deadline = time.monotonic() + 3.0  # Ray reports the cancel before the task finishes
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in pids if alive(pid)]

    def test_cancel_of_a_queued_job_returns_killed_without_running_it(
            self, build: ExecutorFactory, tmp_path: Path) -> None:
        executor = build(1)
        blocker = executor.submit(make_job(tmp_path / "blocker", SLEEPER, timeout_s=30.0))
        queued = executor.submit(make_job(tmp_path / "queued", "open('ran.txt', 'w')"))
        queued.cancel()
        assert queued.result().status == JobStatus.KILLED
        blocker.cancel()
        assert blocker.result().status == JobStatus.KILLED
        assert not (tmp_path / "queued" / "ran.txt").exists()

    def test_capacity_is_never_exceeded(self, build: ExecutorFactory, tmp_path: Path) -> None:
        executor = build(2)
        script = """
            import time
            start = time.time(); time.sleep(0.4)
            open("times.txt", "w").write(f"{start} {time.time()}")
        """
        handles = [executor.submit(make_job(tmp_path / f"c{i}", script)) for i in range(5)]
        assert {h.result().status for h in handles} == {JobStatus.OK}
        times = [(tmp_path / f"c{i}" / "times.txt").read_text().split() for i in range(5)]
        assert max_overlap([(float(a), float(b)) for a, b in times]) <= executor.capacity

    def test_wait_returns_only_the_done_handles(self, executor: Executor,
                                                tmp_path: Path) -> None:
        quick = executor.submit(make_job(tmp_path / "quick", "pass"))
        slow = executor.submit(make_job(tmp_path / "slow", SLEEPER, timeout_s=30.0))
        assert executor.wait([quick, slow], 20.0) == [quick]
        assert executor.wait([slow], 0.2) == []
        slow.cancel()
        assert executor.wait([slow], 20.0) == [slow]

    def test_shutdown_cancels_jobs_in_flight_and_is_idempotent(self, build: ExecutorFactory,
                                                               tmp_path: Path) -> None:
        executor = build(1)
        running = executor.submit(make_job(tmp_path / "running", SLEEPER, timeout_s=30.0))
        queued = executor.submit(make_job(tmp_path / "queued", "pass"))
        wait_for_file(tmp_path / "running" / "pids.txt")
        executor.shutdown()
        executor.shutdown()
        assert running.result().status == JobStatus.KILLED
        assert queued.result().status == JobStatus.KILLED
        with pytest.raises(ExecutorError):
            executor.submit(make_job(tmp_path / "late", "pass"))

    def test_a_workdir_that_cannot_be_created_raises_executor_error(
            self, executor: Executor, tmp_path: Path) -> None:
        (tmp_path / "file").write_text("not a directory")
        handle = executor.submit(make_job(tmp_path / "file" / "job", "pass"))
        with pytest.raises(ExecutorError):
            handle.result()

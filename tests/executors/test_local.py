"""LocalExecutor against the executor contract in both start modes, plus what is specific to it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graftml.executors import LocalExecutor, SandboxPolicy
from graftml.testing.executors import ExecutorContract, ExecutorFactory, make_job
from graftml.types import JobStatus

# the preload list does not change how warm jobs run; the default one takes ~2.5 s per zygote,
# and every contract test builds its own executor (test_zygote.py covers the default list)
POLICIES = {"warm": SandboxPolicy(start="warm", preload=()), "cold": SandboxPolicy(start="cold")}


class TestLocalExecutor(ExecutorContract):
    @pytest.fixture(params=sorted(POLICIES))
    def make_executor(self, request: pytest.FixtureRequest) -> ExecutorFactory:
        policy = POLICIES[request.param]
        return lambda capacity: LocalExecutor(capacity, policy=policy)


def test_default_capacity_is_the_number_of_cores() -> None:
    executor = LocalExecutor()
    try:
        assert executor.capacity == os.cpu_count()
    finally:
        executor.shutdown()


def test_jobs_start_warm_by_default_and_the_zygote_stops_with_the_executor(
        tmp_path: Path) -> None:
    executor = LocalExecutor(1, policy=SandboxPolicy(preload=("json",)))
    script = "import os, sys; print(os.getppid(), 'json' in sys.modules)"
    result = executor.submit(make_job(tmp_path / "warm", script)).result()
    assert executor.zygote is not None and executor.zygote.pid is not None
    zygote = executor.zygote.pid
    executor.shutdown()
    assert result.stdout.split() == [str(zygote), "True"]
    assert executor.zygote.pid is None


def test_a_cold_executor_has_no_zygote(tmp_path: Path) -> None:
    executor = LocalExecutor(1, policy=SandboxPolicy(start="cold"))
    try:
        result = executor.submit(make_job(tmp_path / "cold", "print('cold')")).result()
    finally:
        executor.shutdown()
    assert (result.status, executor.zygote) == (JobStatus.OK, None)

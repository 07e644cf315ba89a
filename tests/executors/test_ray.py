"""RayExecutor against the executor contract on one real local Ray (module-scoped)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray

from graftml.testing.executors import ExecutorContract, ExecutorFactory

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module", autouse=True)
def ray_instance() -> Iterator[None]:
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=256 * 2**20,
             _node_ip_address="127.0.0.1", logging_level="WARNING")
    yield
    ray.shutdown()


class TestRayExecutor(ExecutorContract):
    @pytest.fixture
    def make_executor(self) -> ExecutorFactory:
        from graftml.executors import RayExecutor

        return RayExecutor


def test_an_executor_leaves_a_ray_it_did_not_start_running() -> None:
    import ray

    from graftml.executors import RayExecutor

    RayExecutor(1).shutdown()
    assert ray.is_initialized()


DRIVER = """
import sys
from pathlib import Path

from graftml.executors import RayExecutor
from graftml.testing.executors import SLEEPER, make_job, wait_for_file

executor = RayExecutor(1)
job = make_job(Path(sys.argv[1]), SLEEPER, timeout_s=30.0)
handle = executor.submit(job)
wait_for_file(job.workdir / "pids.txt")
handle.cancel()
print(handle.result().status.value)
executor.shutdown()
"""


def test_cancel_lands_when_the_driver_was_started_with_sigint_ignored(tmp_path: Path) -> None:
    # a script's background job (`graft serve &`) starts with SIGINT ignored; Ray's workers
    # inherit that, and Ray's cancel interrupt would be dropped without graftml's fix
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(tmp_path / "job")], capture_output=True, text=True,
        timeout=120, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert done.stdout.strip().splitlines()[-1:] == ["killed"], done.stderr[-2000:]

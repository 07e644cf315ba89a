"""RayExecutor against the executor contract on one real local Ray (module-scoped)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from graftml.testing.executors import ExecutorContract, ExecutorFactory

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module", autouse=True)
def ray_instance() -> Iterator[None]:
    ray = pytest.importorskip("ray")
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

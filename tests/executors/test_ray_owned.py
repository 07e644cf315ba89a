"""A RayExecutor that finds no Ray starts a local one and shuts it down again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import ray

from graftml.testing.executors import make_job
from graftml.types import JobStatus

pytestmark = pytest.mark.ray


def test_an_executor_starts_and_stops_its_own_local_ray(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graftml.executors import RayExecutor

    monkeypatch.setitem(os.environ, "RAY_AUTH_MODE", "disabled")
    assert not ray.is_initialized()
    executor = RayExecutor(1)
    try:
        assert ray.cluster_resources()["CPU"] == 1
        assert executor.submit(make_job(tmp_path / "ok", "print('hi')")).result().status == \
            JobStatus.OK
    finally:
        executor.shutdown()
    assert not ray.is_initialized()

"""LocalExecutor against the executor contract, plus what is specific to it."""

from __future__ import annotations

import os

import pytest

from graftml.executors import LocalExecutor
from graftml.testing.executors import ExecutorContract, ExecutorFactory


class TestLocalExecutor(ExecutorContract):
    @pytest.fixture
    def make_executor(self) -> ExecutorFactory:
        return LocalExecutor


def test_default_capacity_is_the_number_of_cores() -> None:
    executor = LocalExecutor()
    try:
        assert executor.capacity == os.cpu_count()
    finally:
        executor.shutdown()

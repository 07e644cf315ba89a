"""The public surface of graftml.executors."""

from __future__ import annotations

import subprocess
import sys

import pytest

import graftml.executors
from graftml.errors import ConfigError
from graftml.executor import Executor
from graftml.executors import LocalExecutor, make_executor


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in vars(graftml.executors) if not name.startswith("_")}
    lazy = set(graftml.executors._LAZY)  # test-time compute, imported on first access
    modules = {"local", "ray", "sandbox", "ttc", "pool"}
    helpers = {"annotations", "Executor", "EXECUTORS", "ExecutorSettings", "plugin_settings"}
    assert graftml.executors.__all__ == sorted(graftml.executors.__all__)
    assert set(graftml.executors.__all__) == (public | lazy) - modules - helpers


def test_importing_the_executors_does_not_import_ray() -> None:
    code = "import sys, graftml.executors; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_make_executor_builds_a_local_executor_of_the_given_capacity() -> None:
    executor = make_executor("local", 3)
    try:
        assert isinstance(executor, LocalExecutor) and isinstance(executor, Executor)
        assert executor.capacity == 3
    finally:
        executor.shutdown()


def test_an_unknown_kind_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="unknown executor 'slurm'; valid: local, ray"):
        make_executor("slurm", 1)


def test_a_capacity_below_one_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        LocalExecutor(0)

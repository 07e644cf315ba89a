"""graftml.executors: run jobs in a sandbox, locally or on Ray.

``LocalExecutor`` and ``RayExecutor`` implement :class:`graftml.executor.Executor`; both run
:func:`run_job` (a process with a timeout, memory, process and thread caps). ``LocalExecutor``
forks jobs from a warm :class:`Zygote` by default (``SandboxPolicy(start="cold")`` runs a fresh
interpreter per job, as ``RayExecutor`` always does). Ray itself is imported only when a
``RayExecutor`` is created.

Test-time compute lives in :mod:`graftml.executors.ttc` (strategies, scorers, evaluation,
the cost model in :mod:`graftml.ttc.cost`); ``TTCRequest`` and ``TTCResult`` are
exported from here lazily, on first access (``graftml.run_ttc`` answers a prompt).
"""

from __future__ import annotations

import typing as _typing

from graftml.config import ExecutorSettings, plugin_settings
from graftml.executor import Executor
from graftml.executors.local import LocalExecutor
from graftml.executors.ray.executor import RayExecutor
from graftml.executors.sandbox import SandboxPolicy, Zygote, run_job
from graftml.plugins import EXECUTORS

if _typing.TYPE_CHECKING:
    from graftml.executors.ttc import TTCRequest, TTCResult

__all__ = ["LocalExecutor", "RayExecutor", "SandboxPolicy", "TTCRequest",
           "TTCResult", "Zygote", "make_executor", "run_job"]

_LAZY = {"TTCRequest": "graftml.executors.ttc", "TTCResult": "graftml.executors.ttc"}


def __getattr__(name: str) -> object:
    """Import test-time-compute exports on first access (``from graftml.executors import
    TTCRequest``)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

def make_executor(kind: str, capacity: int, *, address: str | None = None) -> Executor:
    """Build the executor registered as ``kind`` (entry point group ``graftml.executors``).

    Args:
        kind: ``"local"``, ``"ray"`` or a plugin's kind.
        capacity: jobs run at once.
        address: Ray cluster address (``ray`` only); None starts or reuses a local Ray.

    Raises:
        ConfigError: unknown ``kind``, or ``address`` given for an executor without one.
    """
    raw: dict[str, object] = {"kind": kind}
    if address is not None:
        raw["address"] = address
    settings = plugin_settings(EXECUTORS, "executor", raw, ExecutorSettings)
    executor: Executor = EXECUTORS.get(kind).from_settings(settings, capacity)
    return executor

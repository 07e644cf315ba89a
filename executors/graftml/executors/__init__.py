"""graftml.executors: run jobs in a sandbox, locally or on Ray.

``LocalExecutor`` and ``RayExecutor`` implement :class:`graftml.executor.Executor`; both run
:func:`run_job` (a subprocess with a timeout, memory, process and thread caps). Ray itself is
imported only when a ``RayExecutor`` is created.
"""

from __future__ import annotations

from graftml.errors import ConfigError
from graftml.executor import Executor
from graftml.executors.local import LocalExecutor
from graftml.executors.ray_executor import RayExecutor
from graftml.executors.sandbox import SandboxPolicy, run_job

__all__ = ["EXECUTOR_KINDS", "LocalExecutor", "RayExecutor", "SandboxPolicy", "make_executor",
           "run_job"]

EXECUTOR_KINDS = ("local", "ray")


def make_executor(kind: str, capacity: int, *, address: str | None = None) -> Executor:
    """Build the executor named by a run config's ``executor.kind``.

    Called once per run session, which shuts the executor down at the end.

    Args:
        kind: ``"local"`` or ``"ray"``.
        capacity: jobs run at once.
        address: Ray cluster address (``ray`` only); None starts or reuses a local Ray.

    Raises:
        ConfigError: unknown ``kind``, or ``address`` given for ``local``.
    """
    if kind == "local":
        if address is not None:
            raise ConfigError("executor.address is only valid with kind 'ray'; remove it or "
                              "set executor.kind: ray")
        return LocalExecutor(capacity)
    if kind == "ray":
        return RayExecutor(capacity, address=address)
    raise ConfigError(f"unknown executor kind {kind!r}; valid kinds: {', '.join(EXECUTOR_KINDS)}")

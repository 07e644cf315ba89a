"""Jobs as Ray tasks (:class:`RayExecutor`); Ray itself is imported only when one is created."""

from __future__ import annotations

from graftml.executors.ray.executor import RayExecutor

__all__ = ["RayExecutor"]

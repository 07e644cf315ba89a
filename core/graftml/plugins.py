"""Plugin families: one registry each, mapping a ``kind`` to its implementation.

graftml's own plugins are declared exactly as a third party's are, as entry points in the
``graftml.<family>`` groups of a package's metadata (``[project.entry-points."graftml.searchers"]``
in ``pyproject.toml``), so the spine names no module above it. A registry reads its group once,
on first use; :meth:`Registry.register` adds a plugin from code (a test, a notebook).

Families and what an entry point names:

* ``searchers``: a :class:`~graftml.searcher.Searcher` class with a ``Settings`` attribute
  (a :class:`~graftml.config.SearcherSettings` subclass: its run-config section);
* ``executors``: an :class:`~graftml.executor.Executor` class with ``Settings``
  (an :class:`~graftml.config.ExecutorSettings` subclass) and ``from_settings``;
* ``operators``: a zero-argument-or-``seed`` :class:`~graftml.operators.Operator` class;
* ``strategies``, ``scorers``, ``providers``, ``routers``: the test-time-compute strategy, answer
  scorer, LLM backend and router implementations.
"""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint, entry_points
from threading import RLock
from typing import Any

from graftml.errors import ConfigError

log = logging.getLogger(__name__)

FAMILIES = ("searchers", "executors", "operators", "strategies", "scorers", "providers",
            "routers")
_OWN_DISTRIBUTION = "graftml"


class Registry:
    """``kind`` → implementation for one plugin family (``graftml.<family>`` entry points).

    Entry points are listed once, on first use, and each is imported only when its kind is
    asked for (so ``--help`` and an unrelated failing plugin cost nothing).

    Args:
        family: one of :data:`FAMILIES`.
        noun: how an error names one member ("searcher", "LLM provider", ...).
    """

    def __init__(self, family: str, noun: str) -> None:
        if family not in FAMILIES:
            raise ValueError(f"unknown plugin family {family!r}; families: {FAMILIES}")
        self.family, self.noun = family, noun
        self.group = f"graftml.{family}"
        self._points: dict[str, EntryPoint] = {}
        self._plugins: dict[str, Any] = {}
        self._sources: dict[str, str] = {}
        self._broken: dict[str, str] = {}
        self._discovered = False
        self._lock = RLock()

    def register(self, kind: str, plugin: Any, *, source: str = "code") -> None:
        """Add ``plugin`` under ``kind``; registering the same object twice is a no-op.

        Raises:
            ConfigError: ``kind`` is taken by another implementation.
        """
        with self._lock:
            current = self._get_or_none(kind)
            if current is not None and current is not plugin:
                raise ConfigError(f"{self.noun} {kind!r} is already registered by "
                                  f"{self._sources[kind]}; pick another name")
            self._plugins[kind], self._sources[kind] = plugin, source
            self._broken.pop(kind, None)

    def unregister(self, kind: str) -> None:
        """Remove a plugin registered from code (e.g. at the end of a test)."""
        with self._lock:
            if self._sources.get(kind) == "code":
                self._plugins.pop(kind, None)
                self._sources.pop(kind, None)

    def names(self) -> list[str]:
        """Every kind, sorted, without importing any plugin (for ``--help`` choices)."""
        self._discover()
        return sorted(set(self._points) | set(self._plugins))

    def kinds(self) -> list[str]:
        """Every kind that loads, sorted (imports every plugin of the family)."""
        return [kind for kind in self.names() if self._get_or_none(kind) is not None]

    def get(self, kind: str) -> Any:
        """The implementation registered as ``kind``, imported on first request.

        Raises:
            ConfigError: ``kind`` is unknown (the message lists the valid kinds), or its entry
                point failed to load (the message says why).
        """
        plugin = self._get_or_none(kind)
        if plugin is not None:
            return plugin
        if kind in self._broken:
            raise ConfigError(f"{self.noun} {kind!r} could not be loaded: {self._broken[kind]}; "
                              "fix or uninstall the package that provides it")
        raise ConfigError(f"unknown {self.noun} {kind!r}; valid: {', '.join(self.names())} "
                          f"(plugins register under the entry point group {self.group!r})")

    def source(self, kind: str) -> str:
        """Where ``kind`` came from: ``module:attr (package)`` or ``code``."""
        self.get(kind)
        return self._sources[kind]

    def _get_or_none(self, kind: str) -> Any:
        self._discover()
        with self._lock:
            if kind in self._plugins:
                return self._plugins[kind]
            point = self._points.get(kind)
            if point is None or kind in self._broken:
                return None
            try:
                plugin = point.load()
            except Exception as exc:  # a broken third-party plugin must not break the others
                self._broken[kind] = f"{_where(point)}: {type(exc).__name__}: {exc}"
                return None
            self._plugins[kind], self._sources[kind] = plugin, _where(point)
            return plugin

    def _discover(self) -> None:
        if self._discovered:
            return
        with self._lock:
            if self._discovered:
                return
            for point in sorted(entry_points(group=self.group), key=_own_first):
                taken = self._points.get(point.name)
                if taken is None:
                    self._points[point.name] = point
                elif _where(taken) != _where(point):
                    log.warning("%s %r from %s ignored: %s registered it first", self.noun,
                                point.name, _where(point), _where(taken))
            self._discovered = True


def _where(point: EntryPoint) -> str:
    return f"{point.value} ({point.dist.name if point.dist else 'unknown package'})"


def _own_first(point: EntryPoint) -> tuple[bool, str]:
    """graftml's own entry points first, so a third party cannot shadow a built-in kind."""
    return (point.dist is None or point.dist.name != _OWN_DISTRIBUTION, point.name)


SEARCHERS = Registry("searchers", "searcher")
EXECUTORS = Registry("executors", "executor")
OPERATORS = Registry("operators", "operator")
STRATEGIES = Registry("strategies", "strategy")
SCORERS = Registry("scorers", "scorer")
PROVIDERS = Registry("providers", "LLM provider")
ROUTERS = Registry("routers", "router")

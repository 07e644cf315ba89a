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
from threading import Lock
from typing import Any

from graftml.errors import ConfigError

log = logging.getLogger(__name__)

FAMILIES = ("searchers", "executors", "operators", "strategies", "scorers", "providers",
            "routers")
_OWN_DISTRIBUTION = "graftml"


class Registry:
    """``kind`` → implementation for one plugin family (``graftml.<family>`` entry points).

    Args:
        family: one of :data:`FAMILIES`.
        noun: how an error names one member ("searcher", "LLM provider", ...).
    """

    def __init__(self, family: str, noun: str) -> None:
        if family not in FAMILIES:
            raise ValueError(f"unknown plugin family {family!r}; families: {FAMILIES}")
        self.family, self.noun = family, noun
        self.group = f"graftml.{family}"
        self._plugins: dict[str, Any] = {}
        self._sources: dict[str, str] = {}
        self._broken: dict[str, str] = {}
        self._loaded = False
        self._lock = Lock()

    def register(self, kind: str, plugin: Any, *, source: str = "code") -> None:
        """Add ``plugin`` under ``kind``; registering the same object twice is a no-op.

        Raises:
            ConfigError: ``kind`` is taken by another implementation.
        """
        self._load()
        current = self._plugins.get(kind)
        if current is not None and current is not plugin:
            raise ConfigError(f"{self.noun} {kind!r} is already registered by "
                              f"{self._sources[kind]}; pick another name")
        self._plugins[kind], self._sources[kind] = plugin, source
        self._broken.pop(kind, None)

    def unregister(self, kind: str) -> None:
        """Remove ``kind`` (a plugin registered from code, e.g. at the end of a test)."""
        self._plugins.pop(kind, None)
        self._sources.pop(kind, None)

    def kinds(self) -> list[str]:
        """Every registered kind, sorted (imports every plugin of the family)."""
        self._load()
        return sorted(self._plugins)

    def names(self) -> list[str]:
        """Every kind, sorted, without importing any plugin (for ``--help`` choices)."""
        declared = {point.name for point in entry_points(group=self.group)}
        return sorted(declared | set(self._plugins))

    def get(self, kind: str) -> Any:
        """The implementation registered as ``kind``.

        Raises:
            ConfigError: ``kind`` is unknown (the message lists the valid kinds), or its entry
                point failed to load (the message says why).
        """
        self._load()
        if kind in self._plugins:
            return self._plugins[kind]
        if kind in self._broken:
            raise ConfigError(f"{self.noun} {kind!r} could not be loaded: {self._broken[kind]}; "
                              "fix or uninstall the package that provides it")
        raise ConfigError(f"unknown {self.noun} {kind!r}; valid: {', '.join(self.kinds())} "
                          f"(plugins register under the entry point group {self.group!r})")

    def source(self, kind: str) -> str:
        """Where ``kind`` came from: ``module:attr (package)`` or ``code``."""
        self.get(kind)
        return self._sources[kind]

    def _load(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            for point in sorted(entry_points(group=self.group), key=_own_first):
                self._load_point(point)
            self._loaded = True

    def _load_point(self, point: EntryPoint) -> None:
        where = f"{point.value} ({point.dist.name if point.dist else 'unknown package'})"
        if point.name in self._plugins:
            if self._sources[point.name] != where:
                log.warning("%s %r from %s ignored: %s registered it first", self.noun,
                            point.name, where, self._sources[point.name])
            return
        try:
            plugin = point.load()
        except Exception as exc:  # a broken third-party plugin must not break the others
            self._broken[point.name] = f"{where}: {type(exc).__name__}: {exc}"
            return
        self._plugins[point.name], self._sources[point.name] = plugin, where


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

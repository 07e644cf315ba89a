"""Models shared by the LLM operators of a run: one metered backend per registered model.

Every call is checked against and charged to the run's ledger (:class:`MeteredBackend`). Before a
call the wall budget must also cover the call's expected duration, learned from earlier calls, so
a slow model near the end of the budget is refused instead of overrunning it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver

from graftml.budget import Ledger
from graftml.llm.base import LLMBackend
from graftml.llm.metered import MeteredBackend, make_backend
from graftml.llm.registry import ModelSpec, get_model
from graftml.llm.types import GenerationRequest, GenerationResult

FIRST_CALL_S = 5.0  # expected duration of a call before any was timed (a small CPU model)


class ModelHandle:
    """A registered model behind the ledger, with a running estimate of its speed."""

    def __init__(self, spec: ModelSpec, backend: LLMBackend, ledger: Ledger) -> None:
        self.spec, self.ledger = spec, ledger
        self.metered = MeteredBackend(backend, spec, ledger)
        self.expected_s = FIRST_CALL_S

    def generate(self, request: GenerationRequest, source: str) -> GenerationResult:
        """One metered call.

        Raises:
            BudgetExceeded: the tokens, dollars or wall time it may need are not left.
            LLMError: the backend failed.
        """
        self.ledger.check(wall_s=self.expected_s)
        result = self.metered.generate(request, source)
        self.expected_s = 0.5 * self.expected_s + 0.5 * result.latency_s
        return result

    def close(self) -> None:
        """Close the backend (its connections or loaded weights)."""
        self.metered.close()


class ModelPool:
    """Backends by model name (built on first use) and the checkpointer, shared by operators.

    Args:
        ledger: the run's ledger.
        checkpoint_path: the SQLite file of the LangGraph checkpointer.
        models_dir: a model folder to use instead of the registry (tests).
        backends: ready backends by model name, used instead of building one (tests, or a
            model behind a server started elsewhere); they stay open: their owner closes them.
    """

    def __init__(self, ledger: Ledger, checkpoint_path: Path, models_dir: Path | None = None,
                 backends: Mapping[str, LLMBackend] | None = None) -> None:
        self.ledger, self.models_dir = ledger, models_dir
        self._given = dict(backends or {})
        self._models: dict[str, ModelHandle] = {}
        self._path = checkpoint_path
        self._conn: sqlite3.Connection | None = None
        self._users = 0
        self._lock = threading.Lock()

    def model(self, name: str) -> ModelHandle:
        """The shared handle of a registered model (ConfigError for an unknown name)."""
        if name not in self._models:
            spec = get_model(name, self.models_dir)
            backend = self._given.get(name) or make_backend(spec)
            self._models[name] = ModelHandle(spec, backend, self.ledger)
        return self._models[name]

    def models(self) -> list[str]:
        """Names of the models loaded so far (and not closed)."""
        return sorted(self._models)

    def checkpointer(self) -> SqliteSaver:
        """A saver on the checkpoint file (one connection, shared)."""
        if self._conn is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(self._path), check_same_thread=False)
        return SqliteSaver(self._conn)

    def acquire(self) -> None:
        """Called once by each operator that uses the pool."""
        with self._lock:
            self._users += 1

    def release(self) -> None:
        """Called by an operator's ``close``; the last one closes backends and the file."""
        with self._lock:
            self._users -= 1
            if self._users > 0:
                return
            for name, handle in self._models.items():
                if name not in self._given:
                    handle.close()
            self._models.clear()
            if self._conn is not None:
                self._conn.close()
                self._conn = None

"""graftml: agentic AutoML and test-time-compute orchestrator.

The package is spread over six source folders (core, agents, search, routing, executors, app);
``extend_path`` joins them under this one import root. Heavy parts are imported lazily.
"""

from __future__ import annotations

import importlib
from pkgutil import extend_path
from typing import TYPE_CHECKING, Any

__path__ = extend_path(__path__, __name__)
__version__ = "0.1.0"

if TYPE_CHECKING:
    from graftml.app.sdk import RunResult, run
    from graftml.app.ttc import run_ttc
    from graftml.budget import Budget, Ledger
    from graftml.data.task import Task
    from graftml.errors import (
        BudgetExceeded,
        ConfigError,
        ExecutorError,
        GraftError,
        LLMError,
        TaskError,
    )

_LAZY = {
    "Budget": "graftml.budget",
    "BudgetExceeded": "graftml.errors",
    "ConfigError": "graftml.errors",
    "ExecutorError": "graftml.errors",
    "GraftError": "graftml.errors",
    "LLMError": "graftml.errors",
    "Ledger": "graftml.budget",
    "RunResult": "graftml.app.sdk",
    "Task": "graftml.data.task",
    "TaskError": "graftml.errors",
    "run": "graftml.app.sdk",
    "run_ttc": "graftml.app.ttc",
}

__all__ = [
    "Budget",
    "BudgetExceeded",
    "ConfigError",
    "ExecutorError",
    "GraftError",
    "LLMError",
    "Ledger",
    "RunResult",
    "Task",
    "TaskError",
    "run",
    "run_ttc",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'graftml' has no attribute {name!r}")

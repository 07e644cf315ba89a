"""graftml.agents: operators that turn a searcher's proposals into candidates.

Built-in operators (portfolio drafts, improve, debug, Optuna tune, merge, crossover) live in
:mod:`graftml.agents.builtin`; LLM operators (LangGraph build graphs over a language model) in
:mod:`graftml.agents.llm`. Names are exported lazily so ``import graftml.agents`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "builtin_operators": "graftml.agents.builtin",
    "make_llm_operators": "graftml.agents.llm",
    "portfolio_size": "graftml.agents.builtin",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'graftml.agents' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)

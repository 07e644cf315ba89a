"""Test-time compute's contract: the request and result values, the strategy and scorer
contracts, the per-run account of calls (:class:`Session`) and the cost model.

The strategies, scorers and evaluation sets themselves live in :mod:`graftml.executors.ttc`.
"""

from __future__ import annotations

from graftml.ttc.contract import Scorer, Strategy
from graftml.ttc.cost import Cost, CostModel
from graftml.ttc.session import Session
from graftml.ttc.types import (
    AdaptiveOptions,
    BeamOptions,
    Candidate,
    CascadeOptions,
    ConfidenceOptions,
    DifficultyOptions,
    ForcingOptions,
    TTCError,
    TTCRequest,
    TTCResult,
)

__all__ = [
    "AdaptiveOptions",
    "BeamOptions",
    "Candidate",
    "CascadeOptions",
    "ConfidenceOptions",
    "Cost",
    "CostModel",
    "DifficultyOptions",
    "ForcingOptions",
    "Scorer",
    "Session",
    "Strategy",
    "TTCError",
    "TTCRequest",
    "TTCResult",
]

"""Test-time compute: spend more inference on a prompt to get a better answer.

Strategies (each a pure function ``(TTCRequest, LLMBackend, Ledger | None) -> TTCResult``):
``single``, ``best_of_n`` (with a :class:`Scorer`), ``self_consistency`` (majority or weighted
vote), ``budget_forcing`` (thinking-token cap, s1-style "Wait" extension), ``speculative``
(speculative decoding as a backend knob) and step-level ``beam_search``, found by name through
:mod:`graftml.executors.ttc.registry`; ``graftml.run_ttc`` (:mod:`graftml.app.ttc`) runs one on
a registered model; :mod:`graftml.executors.ttc.evaluate` sweeps strategies and N over the
shipped evaluation sets (:mod:`graftml.executors.ttc.datasets`).
"""

from __future__ import annotations

from graftml.executors.ttc.beam import beam_search
from graftml.executors.ttc.extract import extract_answer, normalize_answer
from graftml.executors.ttc.forcing import budget_forcing
from graftml.executors.ttc.registry import STRATEGIES, get_strategy, make_scorer
from graftml.executors.ttc.scorers import (
    ExactMatchScorer,
    LLMJudgeScorer,
    MeanLogprobScorer,
    Scorer,
)
from graftml.executors.ttc.strategies import best_of_n, self_consistency, single, speculative
from graftml.executors.ttc.verify import ExecutionVerifier
from graftml.executors.ttc.vote import Vote, majority_vote
from graftml.ttc.session import Session
from graftml.ttc.types import (
    BeamOptions,
    Candidate,
    ForcingOptions,
    TTCError,
    TTCRequest,
    TTCResult,
)

__all__ = [
    "STRATEGIES",
    "BeamOptions",
    "Candidate",
    "ExactMatchScorer",
    "ExecutionVerifier",
    "ForcingOptions",
    "LLMJudgeScorer",
    "MeanLogprobScorer",
    "Scorer",
    "Session",
    "TTCError",
    "TTCRequest",
    "TTCResult",
    "Vote",
    "beam_search",
    "best_of_n",
    "budget_forcing",
    "extract_answer",
    "get_strategy",
    "majority_vote",
    "make_scorer",
    "normalize_answer",
    "self_consistency",
    "single",
    "speculative",
]

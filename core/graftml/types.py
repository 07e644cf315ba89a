"""Shared value types: proposals and outcomes (searchers), jobs and results (executors), nodes.

Frozen dataclasses, cheap to pickle to Ray workers and to write to the journal.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class JobStatus(StrEnum):
    """How a sandboxed job ended. Only infrastructure faults raise; everything else is data."""

    OK = "ok"
    ERROR = "error"  # non-zero exit, exception in the candidate, missing/invalid predictions
    TIMEOUT = "timeout"  # wall timeout; the process group was killed
    OOM = "oom"  # memory cap hit (MemoryError, bad_alloc, or killed for memory)
    KILLED = "killed"  # cancelled by the orchestrator (budget ended) or by a signal


class NodeStatus(StrEnum):
    """Lifecycle of a node in the journal."""

    RUNNING = "running"
    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    OOM = "oom"
    KILLED = "killed"
    PRUNED = "pruned"  # stopped early by cheap evaluation (subsample score too weak)


FAILED_STATUSES = frozenset({NodeStatus.ERROR, NodeStatus.TIMEOUT, NodeStatus.OOM})


@dataclass(frozen=True)
class Proposal:
    """What a searcher asks for: apply ``operator`` to ``parent_ids``.

    Operators: ``draft`` (no parents; ``params["draft_index"]``), ``improve``, ``debug``,
    ``tune`` (one parent), ``merge`` (two or more parents, an ensemble), ``crossover`` (two
    parents, module-level recombination).
    """

    id: str
    operator: str
    parent_ids: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What a searcher is told about a finished proposal.

    ``score`` is oriented so that higher is better (the orchestrator negates minimised
    metrics); it is ``None`` when the node failed or was pruned. ``built`` is False when the
    operator could not build a candidate, so nothing ran (and there is nothing to debug);
    ``exhausted`` is True when it never will for this proposal (every variant of the parent has
    run), so proposing it again is pointless.
    """

    status: NodeStatus
    score: float | None = None
    cost_s: float = 0.0
    built: bool = True
    exhausted: bool = False

    @property
    def ok(self) -> bool:
        return self.status == NodeStatus.OK and self.score is not None


@dataclass(frozen=True)
class Job:
    """A sandboxed run of one Python script in its own working directory.

    The script is written to ``workdir/candidate.py`` and run as
    ``python candidate.py job.json``; ``job_spec`` is written to ``workdir/job.json``.
    """

    id: str
    workdir: Path
    script: str
    job_spec: dict[str, Any] = field(default_factory=dict)
    timeout_s: float = 600.0
    memory_mb: int = 4096
    max_procs: int = 64
    threads: int = 1
    num_cpus: float = 1.0
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class JobResult:
    """What an executor returns for a job; never raises for a bad script."""

    job_id: str
    status: JobStatus
    returncode: int | None
    duration_s: float
    stdout: str = ""
    stderr: str = ""
    workdir: Path | None = None
    error: str = ""  # one-line summary of why it failed

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["workdir"] = str(self.workdir) if self.workdir else None
        return d


@dataclass
class Node:
    """One candidate in the search tree, as recorded in the journal."""

    id: str
    operator: str
    parent_ids: tuple[str, ...] = ()
    status: NodeStatus = NodeStatus.RUNNING
    step: int = 0
    model: str = "builtin"  # which model (or "builtin") produced the candidate
    description: str = ""
    spec: dict[str, Any] | None = None
    code: str = ""
    fidelity: float = 1.0
    score: float | None = None  # validation metric, in its own direction
    metrics: dict[str, float] = field(default_factory=dict)
    cost: dict[str, float] = field(default_factory=dict)  # tokens, usd, job_s, overhead_s
    timings: dict[str, float] = field(default_factory=dict)  # submitted, finished (elapsed s)
    error: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def is_buggy(self) -> bool:
        return self.status in FAILED_STATUSES

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["parent_ids"] = list(self.parent_ids)
        d["status"] = str(self.status)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Node:
        d = dict(d)
        d["parent_ids"] = tuple(d.get("parent_ids", ()))
        d["status"] = NodeStatus(d.get("status", "running"))
        return cls(**d)

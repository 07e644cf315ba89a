"""Verification by execution: a code answer passes when it runs its tests in the sandbox."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from graftml.executors.ttc.extract import extract_code
from graftml.ttc.session import Session
from graftml.ttc.types import Candidate, TTCRequest
from graftml.types import Job, JobStatus

__all__ = ["ExecutionVerifier"]


class ExecutionVerifier:
    """Scores a candidate 1.0 when its code followed by ``tests`` exits 0 in the sandbox.

    The candidate's last fenced code block (or its whole text) is written to ``candidate.py``
    with ``tests`` (plain ``assert`` statements, say) appended, and run by
    :func:`graftml.executors.run_job` with a timeout and memory cap. Any failure (exception,
    timeout, memory, non-zero exit) scores 0.0. Spends no tokens.

    Args:
        tests: Python appended to each candidate's code.
        timeout_s: wall limit of one run.
        memory_mb: address-space cap of one run.
        workdir: folder for the runs' working directories (default: a temporary folder,
            removed afterwards).
    """

    name = "execution"
    needs_logprobs = False

    def __init__(self, tests: str, timeout_s: float = 10.0, memory_mb: int = 1024,
                 workdir: Path | None = None) -> None:
        self.tests, self.timeout_s, self.memory_mb = tests, timeout_s, memory_mb
        self.workdir = workdir

    def score(self, request: TTCRequest, candidates: Sequence[Candidate],
              session: Session) -> list[float]:
        """Run each candidate's code with the tests, one sandboxed process at a time."""
        root = Path(tempfile.mkdtemp(prefix="graftml-verify-", dir=self.workdir))
        try:
            return [self._run(candidate, root) for candidate in candidates]
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def _run(self, candidate: Candidate, root: Path) -> float:
        from graftml.executors import run_job

        code = extract_code(candidate.text)
        if code is None:
            return 0.0
        job = Job(id=f"verify-{candidate.index}", workdir=root / f"candidate-{candidate.index}",
                  script=f"{code}\n\n{self.tests}\n", timeout_s=self.timeout_s,
                  memory_mb=self.memory_mb, max_procs=16)
        return float(run_job(job).status == JobStatus.OK)

"""Fixtures that run a job in either start mode; zygotes are shared (one takes ~2.5 s to start)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Literal

import pytest

from graftml.executors import SandboxPolicy, Zygote, run_job
from graftml.testing.executors import JobRunner
from graftml.types import Job, JobResult

ZygoteFor = Callable[[SandboxPolicy], Zygote]


@pytest.fixture(scope="session")
def zygotes() -> Iterator[ZygoteFor]:
    """A zygote per (interpreter, preload), started on first use, closed after the session."""
    made: dict[tuple[str, tuple[str, ...]], Zygote] = {}

    def zygote_for(policy: SandboxPolicy) -> Zygote:
        key = (policy.interpreter, policy.preload)
        if key not in made:
            made[key] = Zygote(policy.interpreter, policy.preload)
        return made[key]

    yield zygote_for
    for zygote in made.values():
        zygote.close()


@pytest.fixture(params=["cold", "warm"])
def start(request: pytest.FixtureRequest) -> Literal["cold", "warm"]:
    """The start mode under test."""
    mode: Literal["cold", "warm"] = request.param
    return mode


@pytest.fixture
def run(start: Literal["cold", "warm"], zygotes: ZygoteFor) -> JobRunner:
    """:func:`run_job` in the start mode under test."""

    def run(job: Job, cancel_event: threading.Event | None = None, *,
            policy: SandboxPolicy | None = None) -> JobResult:
        policy = policy or SandboxPolicy()
        zygote = zygotes(policy) if start == "warm" else None
        return run_job(job, cancel_event, policy=policy, zygote=zygote)

    return run

"""The warm start: what the zygote preloads, what its children inherit, and how it fails."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import pytest

from graftml.errors import ConfigError, ExecutorError
from graftml.executors import SandboxPolicy, Zygote, run_job
from graftml.executors.sandbox.cgroup import PIDS_HIERARCHY, PidsCgroup
from graftml.testing.executors import SLEEPER, alive, make_job, wait_for_file
from graftml.types import JobResult, JobStatus

LIGHT = SandboxPolicy(preload=())
ORCHESTRATOR = """
    import sys, time
    from pathlib import Path
    from graftml.executors import LocalExecutor, SandboxPolicy
    from graftml.testing.executors import SLEEPER, make_job, wait_for_file
    executor = LocalExecutor(1, policy=SandboxPolicy(start=sys.argv[1], preload=()))
    executor.submit(make_job(Path(sys.argv[2]), SLEEPER, timeout_s=60.0))
    wait_for_file(Path(sys.argv[2]) / "pids.txt")
    print(executor.zygote.pid if executor.zygote else 0, flush=True)
    time.sleep(60)
"""


@pytest.fixture
def default_zygote(zygotes: Callable[[SandboxPolicy], Zygote]) -> Zygote:
    return zygotes(SandboxPolicy())


@pytest.fixture
def light_zygote() -> Iterator[Zygote]:
    zygote = Zygote("", ())
    yield zygote
    zygote.close()


def wait_until_dead(pids: list[int], timeout_s: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


def test_the_default_zygote_preloads_everything_and_stays_single_threaded(
        default_zygote: Zygote) -> None:
    assert default_zygote.warm_up()
    assert default_zygote.ready is not None
    assert (default_zygote.ready["tasks"], default_zygote.ready["threads"]) == (1, 1)
    assert default_zygote.ready["missing"] == []


def test_a_warm_job_finds_the_heavy_modules_imported(default_zygote: Zygote,
                                                     tmp_path: Path) -> None:
    script = "import sys; print('sklearn.ensemble' in sys.modules, 'lightgbm' in sys.modules)"
    warm = run_job(make_job(tmp_path / "warm", script), zygote=default_zygote)
    cold = run_job(make_job(tmp_path / "cold", script))
    assert (warm.stdout.split(), cold.stdout.split()) == (["True", "True"], ["False", "False"])


@pytest.mark.parametrize(("env", "warm"), [
    ({"PYTHONHASHSEED": "7"}, False),
    ({"OMP_WAIT_POLICY": "ACTIVE"}, False),
    ({"OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": "2"}, True),  # as the zygote has them
    ({"OMP_NUM_THREADS": "3"}, False),
    ({"EXTRA": "yes"}, True),
])
def test_a_job_setting_start_up_variables_the_zygote_lacks_starts_cold(
        default_zygote: Zygote, tmp_path: Path, env: dict[str, str], warm: bool) -> None:
    script = "import sys; print('numpy' in sys.modules)"
    job = make_job(tmp_path / "env", script, env=env, threads=2)
    assert run_job(job, zygote=default_zygote).stdout.split() == [str(warm)]


def test_a_warm_job_gets_its_own_thread_count_and_random_state(default_zygote: Zygote,
                                                               tmp_path: Path) -> None:
    script = """
        import json, numpy as np, threadpoolctl
        counts = {i["user_api"]: i["num_threads"] for i in threadpoolctl.threadpool_info()}
        print(json.dumps([counts, np.random.rand()]))
    """
    outputs = [json.loads(run_job(make_job(tmp_path / f"t{i}", script, threads=2),
                                  zygote=default_zygote).stdout) for i in range(2)]
    assert outputs[0][0] == outputs[1][0] == {"blas": 2, "openmp": 2}
    assert outputs[0][1] != outputs[1][1]


def test_jobs_start_cold_when_the_zygote_cannot_start(tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    zygote = Zygote("/bin/false", ())
    with caplog.at_level(logging.WARNING):
        results = [run_job(make_job(tmp_path / f"j{i}", "print('ran')"), zygote=zygote)
                   for i in range(2)]
    assert [r.stdout for r in results] == ["ran\n", "ran\n"]
    assert len([r for r in caplog.records if "cannot start the sandbox zygote" in r.message]) == 1


def test_a_job_whose_zygote_dies_is_killed_and_the_next_job_gets_a_new_zygote(
        light_zygote: Zygote, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    job = make_job(tmp_path / "orphaned", SLEEPER, timeout_s=30.0)
    results: list[JobResult] = []
    runner = threading.Thread(target=lambda: results.append(
        run_job(job, policy=LIGHT, zygote=light_zygote)))
    runner.start()
    pids = [int(pid) for pid in wait_for_file(job.workdir / "pids.txt").split()]
    first = light_zygote.pid
    with caplog.at_level(logging.WARNING):
        os.kill(first or 0, signal.SIGKILL)
        runner.join(10.0)
    assert (results[0].status, results[0].error) == (JobStatus.KILLED,
                                                     "the sandbox zygote died while the job ran")
    assert wait_until_dead(pids) == []
    script = "import os; print(os.getppid())"
    after = run_job(make_job(tmp_path / "after", script), policy=LIGHT, zygote=light_zygote)
    assert after.stdout.strip() == str(light_zygote.pid) != str(first)
    assert "restarting it" in caplog.text


def test_a_child_that_cannot_be_confined_is_an_executor_error(light_zygote: Zygote,
                                                              tmp_path: Path) -> None:
    request = {"op": "spawn", "cwd": str(tmp_path / "missing"), "argv": ["candidate.py"],
               "env": {}, "limits": {"rlimits": [], "uid": None, "gid": None}, "threads": 1,
               "cgroup": None}
    with (tmp_path / "out").open("wb") as out, pytest.raises(ExecutorError, match="confine"):
        light_zygote.spawn(request, [out.fileno(), out.fileno()])


@pytest.mark.parametrize("start", ["cold", "warm"])
def test_killing_the_orchestrator_kills_its_zygote_and_running_job(
        start: Literal["cold", "warm"], tmp_path: Path) -> None:
    orchestrator = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(ORCHESTRATOR), start, str(tmp_path / "job")],
        stdout=subprocess.PIPE, text=True)
    job_pids: list[int] = []
    try:
        assert orchestrator.stdout is not None
        zygote = int(orchestrator.stdout.readline())
        job_pids = [int(pid) for pid in wait_for_file(tmp_path / "job" / "pids.txt").split()]
        orchestrator.kill()
        orchestrator.wait()
        # cold: the job's leader dies with the thread that started it, its children live on;
        # warm: the zygote also sweeps the job's process group and cgroup before it exits
        expected_dead = [zygote, *job_pids] if start == "warm" else job_pids[:1]
        assert wait_until_dead(expected_dead) == []
        if start == "warm":
            assert _cgroups_of(orchestrator.pid) == []
    finally:
        orchestrator.kill()
        orchestrator.wait()
        _clean_up(orchestrator.pid, job_pids)


def _clean_up(orchestrator: int, pids: list[int]) -> None:
    """What a killed orchestrator leaves: the cold job's children and the job's cgroup."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    for folder in _cgroups_of(orchestrator):
        PidsCgroup(folder).remove()


def _cgroups_of(orchestrator: int) -> list[Path]:
    if not PIDS_HIERARCHY.exists():
        return []
    return list(PIDS_HIERARCHY.rglob(f"graftml-{orchestrator}-*"))


def test_an_unknown_start_mode_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown sandbox start mode 'lukewarm'; valid modes"):
        SandboxPolicy(start="lukewarm")  # type: ignore[arg-type]

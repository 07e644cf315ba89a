"""The real sandbox against hostile and ordinary scripts, started cold and warm.

Most tests take the ``run`` fixture (tests/executors/conftest.py), so they run once per start mode.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import psutil
import pytest

from graftml.candidate import job_script
from graftml.executors import LocalExecutor, SandboxPolicy
from graftml.executors.sandbox.cgroup import PIDS_HIERARCHY, PidsCgroup
from graftml.executors.sandbox.environment import THREAD_ENV_VARS
from graftml.testing.executors import JobRunner, alive, make_job
from graftml.types import JobStatus

FORK_BOMB = """
    import os
    while True:
        try:
            os.fork()
        except OSError:
            pass
"""
SYSTEM_PYTHON = "/usr/bin/python3"
LIGHTGBM_CANDIDATE = """
import lightgbm as lgb
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def fit_predict(train, target, predict, info):
    X, y = train.drop(columns=[target]), train[target]
    boosted = lgb.LGBMClassifier(n_estimators=30, n_jobs=info["threads"], verbose=-1,
                                 random_state=info["seed"]).fit(X, y)
    linear = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    return {name: (boosted.predict_proba(frame) + linear.predict_proba(frame)) / 2
            for name, frame in predict.items()}
"""


def write_task(folder: Path) -> dict[str, object]:
    """Parquet train/valid tables of a small classification task, and the job spec reading them."""
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=3000, n_features=20, random_state=0)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(20)])
    folder.mkdir()
    frame.iloc[:2500].assign(y=y[:2500]).to_parquet(folder / "train.parquet")
    frame.iloc[2500:].to_parquet(folder / "valid.parquet")
    return {"train": str(folder / "train.parquet"), "target": "y",
            "predict": {"valid": str(folder / "valid.parquet")},
            "info": {"task_type": "binary", "n_classes": 2, "seed": 0, "threads": 2}}


def cgroup_available() -> bool:
    probe = PidsCgroup.create(4)
    if probe is None:
        return False
    probe.remove()
    return True


def can_drop_privileges() -> bool:
    return os.geteuid() == 0 and os.access(SYSTEM_PYTHON, os.X_OK)


needs_cgroup = pytest.mark.skipif(not cgroup_available(), reason="no writable pids cgroup")
needs_root = pytest.mark.skipif(not can_drop_privileges(), reason=f"needs root and {SYSTEM_PYTHON}")
DROPPED = SandboxPolicy(pids_cgroup=False, drop_privileges=True, interpreter=SYSTEM_PYTHON)


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A directory every user can traverse (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="graftml-test-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def live_processes_in(workdir: Path) -> list[int]:
    return [p.pid for p in psutil.process_iter(["cwd", "status"])
            if p.info["cwd"] == str(workdir) and p.info["status"] != psutil.STATUS_ZOMBIE]


def our_cgroups() -> list[Path]:
    return list(PIDS_HIERARCHY.rglob(f"graftml-{os.getpid()}-*"))


def test_an_infinite_loop_times_out(run: JobRunner, tmp_path: Path) -> None:
    result = run(make_job(tmp_path / "loop", "while True: pass", timeout_s=1.0))
    assert (result.status, result.error) == (JobStatus.TIMEOUT, "timed out after 1s")
    assert 1.0 <= result.duration_s < 2.0


def test_a_20_gb_allocation_is_out_of_memory(run: JobRunner, tmp_path: Path) -> None:
    script = "import numpy as np; x = np.ones(20 * 2**30 // 8)"
    result = run(make_job(tmp_path / "big", script, timeout_s=30.0))
    assert result.status == JobStatus.OOM
    assert result.error.startswith("memory cap 4096 MB hit: ")
    assert "Unable to allocate" in result.error


@pytest.mark.parametrize("policy", [
    pytest.param(SandboxPolicy(), id="pids-cgroup", marks=needs_cgroup),
    pytest.param(DROPPED, id="dynamic-uid-nproc", marks=needs_root),
])
def test_a_fork_bomb_is_contained_and_leaves_nothing_behind(
        run: JobRunner, policy: SandboxPolicy, open_dir: Path) -> None:
    bomb = make_job(open_dir / "bomb", FORK_BOMB, timeout_s=1.0, max_procs=32)
    result = run(bomb, policy=policy)
    assert result.status in {JobStatus.TIMEOUT, JobStatus.ERROR}
    assert live_processes_in(bomb.workdir) == []
    assert our_cgroups() == []
    after = run(make_job(open_dir / "after", "print('fine')"))
    assert (after.status, after.stdout) == (JobStatus.OK, "fine\n")


@pytest.mark.parametrize("policy", [
    pytest.param(SandboxPolicy(), id="pids-cgroup", marks=needs_cgroup),
    pytest.param(DROPPED, id="dynamic-uid-nproc", marks=needs_root),
])
def test_forks_beyond_max_procs_fail(run: JobRunner, policy: SandboxPolicy, open_dir: Path) -> None:
    script = """
        import os, time
        started = 0
        for _ in range(40):
            try:
                if os.fork() == 0:
                    time.sleep(30)
                    os._exit(0)
            except OSError:
                break
            started += 1
        print(started)
    """
    job = make_job(open_dir / "forks", script, max_procs=16)
    result = run(job, policy=policy)
    assert result.status == JobStatus.OK
    assert int(result.stdout) < 16  # the job's own process is one of the 16
    assert live_processes_in(job.workdir) == []


@pytest.mark.parametrize("policy", [
    pytest.param(SandboxPolicy(), id="pids-cgroup", marks=needs_cgroup),
    pytest.param(DROPPED, id="dynamic-uid-nproc", marks=needs_root),
])
def test_processes_that_leave_the_process_group_are_killed_too(
        run: JobRunner, policy: SandboxPolicy, open_dir: Path) -> None:
    script = """
        import os, time
        if os.fork() == 0:
            os.setsid()  # a new session: killpg on the job's group no longer reaches it
            open("escaped.txt", "w").write(str(os.getpid()))
            time.sleep(60)
        time.sleep(60)
    """
    job = make_job(open_dir / "escape", script, timeout_s=1.0)
    assert run(job, policy=policy).status == JobStatus.TIMEOUT
    assert not alive(int((job.workdir / "escaped.txt").read_text()))


def test_10_mb_of_output_comes_back_as_its_last_8_kb(run: JobRunner, tmp_path: Path) -> None:
    script = "import sys; sys.stdout.write('x' * (10 * 2**20) + '\\nlast line\\n')"
    job = make_job(tmp_path / "loud", script)
    result = run(job)
    assert result.status == JobStatus.OK
    assert result.stdout.endswith("x\nlast line\n")
    assert len(result.stdout) < 8300
    assert (job.workdir / "stdout.txt").stat().st_size > 10 * 2**20


def test_the_job_sees_a_clean_environment_with_thread_caps(
        run: JobRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAFTML_PARENT_SECRET", "do-not-leak")
    script = "import json, os; print(json.dumps(dict(os.environ)))"
    job = make_job(tmp_path / "env", script, threads=3, env={"EXTRA": "yes"})
    env = json.loads(run(job).stdout)
    assert {env[name] for name in THREAD_ENV_VARS} == {"3"}
    assert (env["HOME"], env["EXTRA"], env["MALLOC_ARENA_MAX"]) == (str(job.workdir), "yes", "2")
    assert "GRAFTML_PARENT_SECRET" not in env
    assert env["PATH"].split(os.pathsep)[0] == os.path.dirname(sys.executable)


@needs_root
def test_a_dropped_job_cannot_read_a_root_only_file(run: JobRunner, open_dir: Path) -> None:
    secret = open_dir / "labels.npz"
    secret.write_text("validation labels")
    secret.chmod(0o600)
    script = f"print(open({str(secret)!r}).read())"
    result = run(make_job(open_dir / "peek", script), policy=DROPPED)
    assert result.status == JobStatus.ERROR
    assert result.error.startswith("PermissionError")



def test_a_job_cancelled_before_it_starts_never_runs(run: JobRunner, tmp_path: Path) -> None:
    cancelled = threading.Event()
    cancelled.set()
    job = make_job(tmp_path / "never", "open('ran.txt', 'w')")
    assert run(job, cancelled).status == JobStatus.KILLED
    assert not (job.workdir / "ran.txt").exists()


def test_an_ordinary_lightgbm_parquet_candidate_runs_under_the_default_memory_cap(
        run: JobRunner, tmp_path: Path) -> None:
    spec = write_task(tmp_path / "data")
    job = make_job(tmp_path / "lgbm", job_script(LIGHTGBM_CANDIDATE), job_spec=spec, threads=2,
                   timeout_s=60.0)
    result = run(job)
    assert (result.status, result.error) == (JobStatus.OK, "")
    assert (job.workdir / "pred_valid.npy").exists()


@pytest.mark.parametrize("policy", [
    pytest.param(SandboxPolicy(), id="default"),
    pytest.param(DROPPED, id="dynamic-uid-nproc", marks=needs_root),
])
def test_the_executor_keeps_working_after_hostile_jobs(
        start: Literal["cold", "warm"], policy: SandboxPolicy, open_dir: Path) -> None:
    scripts = {"bomb": FORK_BOMB, "ok1": "print(1)", "loop": "while True: pass",
               "oom": "x = bytearray(8 * 2**30)", "ok2": "print(2)"}
    # an empty preload: the warm machinery is the same, and its zygote starts in milliseconds
    executor = LocalExecutor(2, policy=dataclasses.replace(policy, start=start, preload=()))
    try:
        handles = {name: executor.submit(make_job(open_dir / name, script, timeout_s=1.0,
                                                  max_procs=32))
                   for name, script in scripts.items()}
        statuses = {name: handle.result().status for name, handle in handles.items()}
    finally:
        executor.shutdown()
    assert statuses["ok1"] == statuses["ok2"] == JobStatus.OK
    assert statuses["loop"] == JobStatus.TIMEOUT
    assert statuses["oom"] == JobStatus.OOM
    assert statuses["bomb"] in {JobStatus.TIMEOUT, JobStatus.ERROR}


@pytest.mark.parametrize(("script", "returncode", "error"), [
    ("import sys; sys.exit(3)", 3, "exit code 3"),
    ("import sys; sys.exit('bad input')", 1, "bad input"),
    ("def broken(:", 1, "SyntaxError: invalid syntax"),
])
def test_an_exit_code_or_a_syntax_error_comes_back_as_python_reports_it(
        run: JobRunner, tmp_path: Path, script: str, returncode: int, error: str) -> None:
    result = run(make_job(tmp_path / "exit", script))
    assert (result.status, result.returncode, result.error) == (JobStatus.ERROR, returncode, error)


def test_a_traceback_starts_at_the_candidate(run: JobRunner, tmp_path: Path) -> None:
    result = run(make_job(tmp_path / "tb", "def fit():\n    raise KeyError('y')\nfit()"))
    frames = [line for line in result.stderr.splitlines() if line.startswith("  File ")]
    assert [frame.split(",")[0] for frame in frames] == \
        [f'  File "{tmp_path / "tb" / "candidate.py"}"'] * 2


def test_the_job_has_a_cpu_time_backstop_against_outliving_its_orchestrator(
        run: JobRunner, tmp_path: Path) -> None:
    script = "import resource; print(*resource.getrlimit(resource.RLIMIT_CPU))"
    result = run(make_job(tmp_path / "cpu", script, timeout_s=10.0, threads=2))
    assert result.stdout.split() == ["140", "150"]  # 4 x 10 s x 2 threads + 60, hard + 10

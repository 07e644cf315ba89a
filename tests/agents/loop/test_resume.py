"""kill -9 in the middle of a run, then ``resume``: every finished node kept, none run twice."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from graftml.app.sdk import resume
from graftml.journal import read_events


def finished(journal: Path) -> dict[str, dict[str, object]]:
    return {e["node"]["id"]: e["node"] for e in read_events(journal) if e["event"] == "finish"}


def test_kill_9_then_resume_loses_nothing_and_reruns_nothing(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    journal = run_dir / "journal.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "graftml.app.cli", "run", "--data", "breast_cancer", "--target",
         "target", "--metric", "roc_auc", "--time", "30", "--workers", "2", "--run-dir",
         str(run_dir), "--quiet"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(finished(journal)) < 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = finished(journal)
    assert len(before) >= 4, proc.stderr.read() if proc.stderr else ""
    assert not (run_dir / "result.json").exists()
    n_events = sum(1 for _ in read_events(journal))

    result = resume(run_dir, quiet=True)

    after = finished(journal)
    for node_id, record in before.items():
        assert after[node_id] == record
    events = list(read_events(journal))
    restarted = {e["node"]["id"] for e in events[n_events:] if e["event"] == "start"}
    assert not restarted & set(before)
    finishes = collections.Counter(e["node"]["id"] for e in events if e["event"] == "finish")
    assert max(finishes.values()) == 1
    assert result.best_node_id is not None and result.test_score is not None
    assert result.n_nodes >= len(before)
    assert result.elapsed_s <= 30 * 1.05 + 2  # the budget spans both sessions

"""A third-party plugin package, found through its entry points, used end to end.

``tests/plugins/toy`` holds a module and its ``.dist-info`` exactly as ``pip install --target``
leaves them: a searcher (``toy``) and a refine operator (``polish``) in one file, declared as
``graftml.searchers`` and ``graftml.operators`` entry points. On ``PYTHONPATH`` it is an
installed distribution to ``importlib.metadata``; no graftml file names it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from graftml.app.sdk import load_nodes, run
from graftml.budget import Budget
from graftml.data.task import Task
from graftml.errors import ConfigError
from graftml.executors import LocalExecutor
from graftml.operators import Role
from graftml.types import NodeStatus

PLUGIN = Path(__file__).resolve().parents[1] / "plugins" / "toy"


def ok_operators(run_dir: Path) -> set[str]:
    return {n.operator for n in load_nodes(run_dir).values() if n.status == NodeStatus.OK}


def test_the_cli_offers_and_runs_a_plugin_searcher_and_operator(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(PLUGIN)}
    graft = [sys.executable, "-c", "from graftml.app.cli import main; raise SystemExit(main())"]
    help_text = subprocess.run([*graft, "run", "--help"], env=env, capture_output=True,
                               text=True, check=True).stdout
    assert "{greedy,mcts,merge,toy}" in help_text
    run_dir = tmp_path / "toy"
    done = subprocess.run(
        [*graft, "run", "--data", "breast_cancer", "--target", "target", "--time", "20",
         "--searcher", "toy", "--set", "searcher.width=1", "--set", "searcher.num_drafts=2",
         "--workers", "2", "--quiet",
         "--run-dir", str(run_dir)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    saved = yaml.safe_load((run_dir / "run.yaml").read_text())["searcher"]
    assert saved["kind"] == "toy" and saved["width"] == 1
    assert {"draft", "polish"} <= ok_operators(run_dir)


def test_the_sdk_takes_searcher_executor_and_operator_instances(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PLUGIN))
    from graftml_toy import PolishOperator, ToySearcher

    roles = {"draft": Role.DRAFT, "improve": Role.REFINE, "polish": Role.REFINE}
    executor = LocalExecutor(2)
    try:
        result = run(Task(data="breast_cancer", target="target"), budget=Budget(wall_s=15),
                     run_dir=tmp_path / "sdk", quiet=True, executor=executor,
                     searcher=ToySearcher(num_drafts=2, operators=roles, width=1),
                     operators={"polish": PolishOperator(seed=0)})
        assert {"draft", "polish"} <= ok_operators(result.run_dir)
        assert not executor._closed  # the caller's executor is left running
    finally:
        executor.shutdown()


@pytest.mark.parametrize(("task", "kwargs", "names"), [
    ("configs/runs/demo.yaml", {"searcher": "mcts"}, "searcher"),
    ("configs/runs/demo.yaml", {"workers": 2, "budget": Budget(wall_s=5)}, "workers, budget"),
    (Task(data="iris", target="target"), {"overrides": ["budget.wall_s=5"]}, "overrides"),
])
def test_keywords_that_would_be_ignored_are_refused(task: object, kwargs: dict[str, object],
                                                    names: str) -> None:
    with pytest.raises(ConfigError, match=f"run\\(\\): {names} do not apply"):
        run(task, **kwargs)  # type: ignore[arg-type]

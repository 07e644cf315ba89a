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

from graftml.agents.builtin import DraftOperator
from graftml.app.sdk import config_for, load_nodes, run
from graftml.budget import Budget
from graftml.config import RunConfig
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


class OpeningOperator(DraftOperator):
    """The built-in draft under another name: starts the search by its role, not its name."""

    name = "opening"


def _only(task_config: RunConfig, operators: tuple[str, ...]) -> RunConfig:
    searcher = task_config.searcher.model_copy(update={"operators": operators})
    return task_config.model_copy(update={"searcher": searcher})


def test_a_draft_operator_of_another_name_starts_the_search(tmp_path: Path) -> None:
    cfg = _only(config_for(Task(data="breast_cancer", target="target"),
                           budget=Budget(wall_s=10), workers=2), ("opening", "improve"))
    result = run(cfg, run_dir=tmp_path / "opening", quiet=True,
                 operators={"opening": OpeningOperator(seed=0)})
    assert "opening" in ok_operators(result.run_dir)
    assert "draft" not in {n.operator for n in load_nodes(result.run_dir).values()}


def test_operators_without_a_draft_role_are_refused_before_any_job(tmp_path: Path) -> None:
    cfg = _only(config_for(Task(data="breast_cancer", target="target"),
                           budget=Budget(wall_s=10)), ("improve", "tune"))
    with pytest.raises(ConfigError, match="none of role draft, so nothing starts the search"):
        run(cfg, run_dir=tmp_path / "no-draft", quiet=True)
    assert not (tmp_path / "no-draft" / "journal.jsonl").exists() or not load_nodes(
        tmp_path / "no-draft")

from __future__ import annotations

from pathlib import Path

import pytest

from graftml.config import load_config
from graftml.errors import ConfigError
from graftml.search.mcts import MCTSSettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", sorted((ROOT / "configs" / "runs").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_every_shipped_run_config_validates(path: Path) -> None:
    cfg = load_config(path)
    assert cfg.task.target


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(text)
    return path


def test_overrides_are_parsed_as_yaml_and_revalidated(tmp_path: Path) -> None:
    path = write(tmp_path, "task: {data: iris, target: target}\n")
    cfg = load_config(path, ["budget.wall_s=30", "searcher.kind=mcts", "executor.workers=1"])
    assert cfg.budget.wall_s == 30
    assert isinstance(cfg.searcher, MCTSSettings)
    assert cfg.executor.workers == 1


@pytest.mark.parametrize(
    ("text", "overrides", "message"),
    [
        ("task: {data: iris, target: target}\nbudgte: {}\n", [], "unknown key 'budgte'"),
        ("task: {data: iris, target: target, [\n", [], "invalid YAML at line"),
        ("task: {data: iris}\n", [], "missing required key 'task.target'"),
        ("task: {data: iris, target: target}\n", ["searcher.kind=anneal"], "searcher"),
        ("task: {data: iris, target: target}\n", ["budget.wall_s=-1"], "budget.wall_s"),
        ("task: {data: iris, target: target}\n", ["nonsense"], "KEY=VALUE"),
        ("- a list\n", [], "mapping"),
    ],
)
def test_bad_configs_give_one_line_errors(tmp_path: Path, text: str, overrides: list[str],
                                          message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_config(write(tmp_path, text), overrides)
    assert "\n" not in str(info.value)


def test_a_run_yaml_of_an_older_graftml_still_validates(tmp_path: Path) -> None:
    """Written before gpu_s was dropped and before plugin settings: resumable as it is."""
    path = write(tmp_path, "task: {data: iris, target: target}\n"
                           "budget: {wall_s: 30, tokens: null, usd: null, gpu_s: null}\n"
                           "searcher: {kind: greedy, num_drafts: null, operators: [draft, improve,"
                           " debug, tune, merge, crossover], max_debug_depth: 3, debug_prob: 0.5,"
                           " merge_every: 5}\n")
    cfg = load_config(path)
    assert cfg.budget.wall_s == 30 and cfg.searcher.operators == (
        "draft", "improve", "debug", "tune", "merge", "crossover")
    with pytest.raises(ConfigError, match=r"unknown key 'budget\.gpu_s'"):
        load_config(write(tmp_path, "task: {data: iris, target: target}\nbudget: {gpu_s: 5}\n"))

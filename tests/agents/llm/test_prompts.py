"""The prompt files of configs/prompts: valid, complete, and rendered strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from graftml.agents.llm.prompts import LEVELS, default_prompts_dir, load_prompts, render
from graftml.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]


def test_the_prompt_folder_is_the_source_trees() -> None:
    assert default_prompts_dir() == ROOT / "configs" / "prompts"
    assert sorted(p.stem for p in default_prompts_dir().glob("*.yaml")) == sorted(LEVELS)


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_has_a_template_per_operator(level: str) -> None:
    prompts = load_prompts(level)
    operators = ("draft", "improve", "debug") + (("merge",) if level == "structured" else ())
    for operator in operators:
        assert "$task" in prompts.template(operator)
    assert "$user" in prompts.completion and "$error" in prompts.retry


def test_the_code_level_states_the_candidate_contract() -> None:
    contract = load_prompts("code").contract
    assert "def fit_predict(train, target, predict, info)" in contract


def test_a_missing_variable_is_named() -> None:
    with pytest.raises(ValueError, match="needs the variable 'task'"):
        render("Task: $task", {})


def test_a_bad_prompt_file_is_a_one_line_config_error(tmp_path: Path) -> None:
    (tmp_path / "structured.yaml").write_text("system: hi\nextra_key: 1\n")
    with pytest.raises(ConfigError, match="invalid prompt file") as info:
        load_prompts("structured", tmp_path)
    assert "\n" not in str(info.value)

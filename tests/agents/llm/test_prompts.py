"""The packaged prompt files: valid, complete, rendered strictly, and overridable."""

from __future__ import annotations

from pathlib import Path

import pytest

import graftml.agents.llm
from graftml.agents.llm.prompts import LEVELS, default_prompts_dir, load_prompts, render
from graftml.errors import ConfigError


def test_the_prompt_files_ship_inside_the_package() -> None:
    package = Path(graftml.agents.llm.__file__).parent
    assert default_prompts_dir() == package / "prompt_sets"
    assert sorted(p.stem for p in default_prompts_dir().glob("*.yaml")) == sorted(LEVELS)


def test_a_user_prompt_file_replaces_the_packaged_one_of_its_level(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graftml.agents.llm.prompts import prompt_file

    (tmp_path / "code.yaml").write_text("system: mine\n")
    monkeypatch.setenv("GRAFTML_PROMPTS_DIR", str(tmp_path))
    assert prompt_file("code") == tmp_path / "code.yaml"
    assert prompt_file("structured") == default_prompts_dir() / "structured.yaml"


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

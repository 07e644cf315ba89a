"""Provider ``scripted``: a model YAML that replays answers, built by the one backend factory."""

from __future__ import annotations

from pathlib import Path

import pytest

from graftml.budget import Budget, Ledger
from graftml.errors import ConfigError
from graftml.llm.metered import MeteredBackend, make_backend
from graftml.llm.registry import get_model, load_models
from graftml.llm.types import GenerationRequest


def models_dir(tmp_path: Path, text: str) -> Path:
    (tmp_path / "m.yaml").write_text(text)
    load_models.cache_clear()
    return tmp_path


def test_a_scripted_model_file_answers_in_order_and_is_charged(tmp_path: Path) -> None:
    folder = models_dir(tmp_path, "name: parrot\nprovider: scripted\n"
                                  "responses: ['four', 'the answer is 4']\n")
    spec = get_model("parrot", folder)
    ledger = Ledger(Budget(tokens=10_000))
    backend = MeteredBackend(make_backend(spec), spec, ledger)
    result = backend.generate(GenerationRequest(prompt="2 + 2 ?", n=2))
    assert [c.text for c in result.completions] == ["four", "the answer is 4"]
    assert ledger.spent.tokens == result.usage.total == 2 * 4 + 1 + 4  # words as tokens


def test_a_scripted_model_without_responses_names_the_field(tmp_path: Path) -> None:
    spec = get_model("mute", models_dir(tmp_path, "name: mute\nprovider: scripted\n"))
    with pytest.raises(ConfigError, match="needs `responses:`"):
        make_backend(spec)


def test_responses_on_another_provider_is_refused_when_the_file_loads(tmp_path: Path) -> None:
    folder = models_dir(tmp_path, "name: x\nprovider: llama_cpp\nresponses: ['a']\n")
    with pytest.raises(ConfigError, match="only valid with provider scripted"):
        load_models(folder)

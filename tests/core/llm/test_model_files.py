"""Model files: provider ``scripted`` from YAML, provider-specific keys, the user's folder."""

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
    with pytest.raises(ConfigError, match="responses is only valid with provider scripted"):
        load_models(folder)


def test_engine_settings_belong_to_vllm_engine_models_only(tmp_path: Path) -> None:
    folder = models_dir(tmp_path, "name: x\nprovider: openai_compatible\n"
                                  "engine: {gpu_memory_utilization: 0.5}\n")
    with pytest.raises(ConfigError, match="engine is only valid with provider vllm_engine"):
        load_models(folder)


def test_user_model_files_add_to_and_replace_the_packaged_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text("name: parrot\nprovider: scripted\nresponses: ['x']\n")
    (tmp_path / "b.yaml").write_text("name: smollm2\nprovider: scripted\nresponses: ['y']\n")
    monkeypatch.setenv("GRAFTML_MODELS_DIR", str(tmp_path))
    models = load_models()
    assert models["parrot"].provider == "scripted" and models["smollm2"].responses == ("y",)
    assert models["gemma3-270m"].provider == "llama_cpp"  # packaged, not replaced


def test_a_models_folder_that_does_not_exist_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAFTML_MODELS_DIR", "/nonexistent/models")
    with pytest.raises(ConfigError, match=r"\$GRAFTML_MODELS_DIR='/nonexistent/models' is not a"):
        get_model("smollm2")

"""Bad input through the real ``graft`` entry point: one line on stderr, exit code 2, no run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from graftml.app.cli import main


def table(tmp_path: Path, **cols: object) -> str:
    path = tmp_path / "data.csv"
    pd.DataFrame(cols).to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--data", "missing.csv", "--target", "y"], "not found"),
        (["--data", "{tmp}/data.csv", "--target", "label"], "target column 'label'"),
        (["--data", "{tmp}/one.csv", "--target", "y"], "only 1 class"),
        (["--data", "{tmp}/data.csv", "--target", "y", "--metric", "auc"], "unknown metric"),
        (["--data", "{tmp}/data.csv", "--target", "y", "--metric", "rmse",
          "--set", "task.direction=maximize"], "to be minimized"),
        (["--data", "{tmp}/image.png", "--target", "y"], "not a table"),
        (["--data", "{tmp}/empty.csv", "--target", "y"], "0 rows"),
        (["{tmp}/bad.yaml"], "invalid YAML"),
        (["{tmp}/unknown.yaml"], "unknown key 'task.targte'"),
        (["--data", "{tmp}/data.csv", "--target", "y", "--test", "{tmp}/other.csv"],
         "lacks feature columns: a"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_before_any_work(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
        message: str) -> None:
    table(tmp_path, a=range(40), y=[0, 1] * 20)
    pd.DataFrame({"a": range(40), "y": [1] * 40}).to_csv(tmp_path / "one.csv", index=False)
    pd.DataFrame({"b": range(5)}).to_csv(tmp_path / "other.csv", index=False)
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (tmp_path / "empty.csv").write_text("a,y\n")
    (tmp_path / "bad.yaml").write_text("task: {data: iris, target: [\n")
    (tmp_path / "unknown.yaml").write_text("task: {data: iris, targte: target}\n")
    argv = [a.format(tmp=tmp_path) for a in argv]
    runs = tmp_path / "runs"
    code = main(["run", *argv, "--set", f"runs_dir={runs}", "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("graft: error: ") and "\n" not in err
    assert message in err
    assert not runs.exists()


def test_help_does_not_import_heavy_modules() -> None:
    code = ("import sys\nfrom graftml.app.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = {'ray', 'lightgbm', 'optuna', 'sklearn', 'vllm', 'torch'} & set(sys.modules)\n"
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("[]")


def test_llm_models_lists_the_packaged_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["llm", "models"]) == 0
    rows = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines()}
    assert rows["smollm2"] == "llama_cpp" and rows["smollm2-vllm"] == "vllm_engine"

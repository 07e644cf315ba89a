"""graftml outside its checkout: the wheel, installed into a fresh venv, run from an empty folder.

The fresh venv borrows the test venv's third-party packages through a ``.pth`` line (not its
editable graftml: ``.pth`` files of a borrowed folder are not read), so the only graftml it can
import is the wheel's, and the model and prompt files must come from the package's own data.
"""

from __future__ import annotations

import json
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fresh_graft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bin/`` of a new venv holding only the wheel built from this checkout."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(work / "dist"), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = (work / "dist").glob("graftml-*.whl")
    venv.create(work / "venv", with_pip=True)
    bin_dir = work / "venv" / "bin"
    purelib = subprocess.run([bin_dir / "python", "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([bin_dir / "python", "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    return bin_dir


def run_in(folder: Path, *argv: str | Path, timeout: float = 180) -> str:
    done = subprocess.run([str(a) for a in argv], cwd=folder, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_installed_package_is_the_wheel_not_the_checkout(fresh_graft: Path,
                                                               tmp_path: Path) -> None:
    code = ("import graftml, graftml.llm.registry as r, graftml.agents.llm.prompts as p; "
            "print(graftml.__file__); print(sorted(r.load_models())); "
            "print(sorted(f.name for f in p.default_prompts_dir().iterdir()))")
    out = run_in(tmp_path, fresh_graft / "python", "-c", code).splitlines()
    assert not out[0].startswith(str(ROOT)) and "site-packages" in out[0]
    assert "smollm2" in out[1] and "gemma3-270m" in out[1]
    assert "code.yaml" in out[2] and "structured.yaml" in out[2]


def test_graft_run_from_an_empty_folder(fresh_graft: Path, tmp_path: Path) -> None:
    out = run_in(tmp_path, fresh_graft / "graft", "run", "--data", "breast_cancer", "--target",
                 "target", "--time", "20", "--quiet")
    assert "run folder:" in out
    (result,) = tmp_path.glob("runs/*/result.json")
    assert json.loads(result.read_text())["n_nodes"] > 0


def test_graft_ttc_finds_the_packaged_model(fresh_graft: Path, tmp_path: Path) -> None:
    out = run_in(tmp_path, fresh_graft / "graft", "ttc", "--model", "smollm2", "--prompt",
                 "2+2?", "--max-tokens", "8", "--json")
    assert json.loads(out)["model"] == "smollm2"

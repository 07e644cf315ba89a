"""The namespace layout: six source folders joined under one ``graftml`` import root."""

from __future__ import annotations

from pathlib import Path

import graftml

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"core": "", "agents": "agents", "search": "search", "routing": "routing",
           "executors": "executors", "app": "app"}


def test_all_five_folders_are_on_the_package_path() -> None:
    paths = {Path(p).resolve() for p in graftml.__path__}
    for folder in FOLDERS:
        assert (ROOT / folder / "graftml").resolve() in paths, folder


def test_each_subsystem_imports_from_its_own_folder() -> None:
    import importlib

    for folder, sub in FOLDERS.items():
        if not sub:
            continue
        module = importlib.import_module(f"graftml.{sub}")
        assert Path(module.__file__ or "").resolve().is_relative_to(ROOT / folder), sub


def test_only_core_has_a_graftml_init() -> None:
    for folder in FOLDERS:
        init = ROOT / folder / "graftml" / "__init__.py"
        assert init.exists() == (folder == "core"), folder


def test_every_folder_ships_py_typed() -> None:
    for folder, sub in FOLDERS.items():
        assert (ROOT / folder / "graftml" / sub / "py.typed").exists(), folder

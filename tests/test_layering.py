"""Imports point downward only: app → agents → search | routing | executors → core.

The checker reads every source file's syntax tree (imports at module level, inside functions and
under ``TYPE_CHECKING`` alike, plus module names written as whole string constants, which is
how lazy ``importlib`` re-exports name their targets) and reports each import that climbs a layer
or crosses between the three middle subsystems. The one allowed exception is DESIGN's: the root
``graftml/__init__.py`` re-exports the SDK (``graftml.app``) lazily.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("core", "search", "routing", "executors", "agents", "app")
#: what each layer may import besides itself
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "search": frozenset({"core"}),
    "routing": frozenset({"core"}),
    "executors": frozenset({"core"}),
    "agents": frozenset({"core", "search", "routing", "executors"}),
    "app": frozenset({"core", "search", "routing", "executors", "agents"}),
}
#: (file relative to the root, layer it may import although ALLOWED says no)
EXCEPTIONS = {("core/graftml/__init__.py", "app")}
MODULE_NAME = re.compile(r"graftml(\.[A-Za-z_]\w*)+")


@dataclass(frozen=True)
class Violation:
    """One import that breaks the layering."""

    path: str
    line: int
    module: str
    source_layer: str
    target_layer: str

    def __str__(self) -> str:
        return (f"{self.path}:{self.line}: {self.source_layer} imports {self.module} "
                f"({self.target_layer}); {self.source_layer} may import only "
                f"{sorted(ALLOWED[self.source_layer]) or 'itself'}")


def layer_of(module: str) -> str:
    """The layer a ``graftml...`` module name belongs to (``core`` for everything at the top)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FOLDERS[1:] else "core"


def module_of(path: Path, folder: Path) -> str:
    """``core/graftml/llm/base.py`` → ``graftml.llm.base``; ``__init__`` names its package."""
    parts = list(path.relative_to(folder).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) for every graftml module ``tree`` imports or names in a string."""
    found: list[tuple[int, str]] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            if base == "graftml":  # `from graftml import agents`
                found += [(node.lineno, f"graftml.{a.name}") for a in node.names]
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and MODULE_NAME.fullmatch(node.value)):
            found.append((node.lineno, node.value))
    return [(line, name) for line, name in found if name.startswith("graftml.")]


def check_tree(root: Path) -> list[Violation]:
    """Every layering violation in the source folders under ``root``."""
    violations = []
    for folder_name in FOLDERS:
        folder = root / folder_name
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            module = module_of(path, folder)
            source = layer_of(module) if folder_name != "core" else "core"
            tree = ast.parse(path.read_text(), filename=relative)
            for line, name in imported_modules(tree, module, path.name == "__init__.py"):
                target = layer_of(name)
                if (target != source and target not in ALLOWED[source]
                        and (relative, target) not in EXCEPTIONS):
                    violations.append(Violation(relative, line, name, source, target))
    return violations


def test_the_source_tree_keeps_the_layering() -> None:
    violations = check_tree(ROOT)
    assert not violations, "layering broken:\n" + "\n".join(map(str, violations))


def test_every_folder_holds_only_its_own_layer() -> None:
    for folder in FOLDERS[1:]:
        for path in (ROOT / folder).rglob("*.py"):
            assert layer_of(module_of(path, ROOT / folder)) == folder, path


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def test_the_checker_names_the_imports_of_the_old_tree(tmp_path: Path) -> None:
    """The three kinds of upward import the tree had before the redesign (``session`` and
    ``cli`` in core wiring agents, search and executors lazily; a type-only import)."""
    write(tmp_path, "core/graftml/session.py", """
        from graftml.budget import Ledger

        def build():
            from graftml.agents.builtin import builtin_operators
            from graftml.search import make_searcher
            return builtin_operators, make_searcher
        """)
    write(tmp_path, "core/graftml/testing/executors.py", """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from graftml.executors import SandboxPolicy
        """)
    write(tmp_path, "core/graftml/__init__.py", '_LAZY = {"run": "graftml.app.sdk"}\n')
    found = {(v.path, v.line, v.module) for v in check_tree(tmp_path)}
    assert found == {("core/graftml/session.py", 5, "graftml.agents.builtin"),
                     ("core/graftml/session.py", 6, "graftml.search"),
                     ("core/graftml/testing/executors.py", 4, "graftml.executors")}


@pytest.mark.parametrize(("relative", "text", "module"), [
    ("search/graftml/search/x.py", "import graftml.executors.local\n", "graftml.executors.local"),
    ("executors/graftml/executors/x.py", "from graftml import search\n", "graftml.search"),
    ("routing/graftml/routing/x.py", 'M = "graftml.agents.loop.session"\n',
     "graftml.agents.loop.session"),
    ("agents/graftml/agents/x.py", "from graftml.app.sdk import run\n", "graftml.app.sdk"),
    ("executors/graftml/executors/ttc/x.py", "from ...agents import loop\n",
     "graftml.agents"),
])
def test_the_checker_refuses_sideways_and_upward_imports(tmp_path: Path, relative: str,
                                                         text: str, module: str) -> None:
    write(tmp_path, relative, text)
    violations = check_tree(tmp_path)
    assert [v.module for v in violations] == [module]
    assert relative in str(violations[0]) and "may import only" in str(violations[0])


def test_the_checker_allows_downward_and_own_layer_imports(tmp_path: Path) -> None:
    write(tmp_path, "app/graftml/app/x.py", "import graftml.agents.loop.session\n")
    write(tmp_path, "agents/graftml/agents/x.py",
          "from graftml.search import make_searcher\nfrom . import loop\n")
    write(tmp_path, "executors/graftml/executors/x.py", "from graftml.llm.base import A\n")
    assert check_tree(tmp_path) == []

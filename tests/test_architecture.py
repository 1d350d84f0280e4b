"""The layering the code relies on, checked on the real import graph (parsed with `ast`).

- the command line (optimizer/cli/) is a layer on top: nothing outside it imports it (but
  optimizer/__main__.py, which runs it);
- the engine (optimizer/) never imports the dashboard (ui/) or its libraries (streamlit, plotly);
- the engine's import graph, every import counted (inside functions and under TYPE_CHECKING
  too), has no cycle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("optimizer", "ui")
CLI = "optimizer.cli"
ENTRY_POINTS = ("optimizer.__main__",)  # `python -m optimizer` runs the command line
UI_LIBRARIES = ("streamlit", "plotly", "ui")


# ---- reading the graph ----------------------------------------------------------------------
def module_files(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under the packages."""
    out = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    path = modules.get(name)
    return path is not None and path.name == "__init__.py"


def imports_of(name: str, source: str, modules: dict[str, Path]) -> set[str]:
    """Every module `source` (the text of module `name`) imports, as absolute dotted names.

    Walks the whole tree, so imports inside functions, `try` blocks and `if TYPE_CHECKING:`
    count. `from pkg import x` names the submodule pkg.x when there is one, else pkg."""
    package = name if _is_package(name, modules) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = [f"{target}.{alias.name}" for alias in node.names]
            found.update(s for s in subs if s in modules)
            if not all(s in modules for s in subs):
                found.add(target)
    found.discard(name)
    return found


def import_graph(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """Module -> the modules it imports (third-party ones included, by their dotted name)."""
    modules = module_files(root, packages)
    return {
        name: imports_of(name, path.read_text(encoding="utf-8"), modules)
        for name, path in modules.items()
    }


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as [a, b, ..., a], or None when it has none (iterative DFS)."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    for start in sorted(graph):
        if colour[start] != WHITE:
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path = [start]
        colour[start] = GREY
        while stack:
            node, todo = stack[-1]
            if not todo:
                stack.pop()
                path.pop()
                colour[node] = BLACK
                continue
            nxt = todo.pop(0)
            if nxt not in graph:
                continue
            if colour[nxt] == GREY:
                return [*path[path.index(nxt) :], nxt]
            if colour[nxt] == WHITE:
                colour[nxt] = GREY
                path.append(nxt)
                stack.append((nxt, sorted(graph[nxt])))
    return None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    g = import_graph()
    assert "optimizer.solve" in g and "optimizer.cli" in g and "ui.state" in g, sorted(g)
    return g


# ---- the rules ------------------------------------------------------------------------------
def test_only_the_command_line_imports_the_command_line(graph: dict[str, set[str]]) -> None:
    bad = {
        m: sorted(i for i in imps if _within(i, CLI))
        for m, imps in graph.items()
        if not _within(m, CLI) and m not in ENTRY_POINTS
    }
    bad = {m: i for m, i in bad.items() if i}
    assert not bad, f"modules outside {CLI} import it: {bad}"


def test_the_engine_does_not_import_the_dashboard(graph: dict[str, set[str]]) -> None:
    bad = {
        m: sorted(i for i in imps if any(_within(i, lib) for lib in UI_LIBRARIES))
        for m, imps in graph.items()
        if _within(m, "optimizer")
    }
    bad = {m: i for m, i in bad.items() if i}
    assert not bad, f"engine modules import the dashboard or its libraries: {bad}"


def test_the_engine_import_graph_has_no_cycle(graph: dict[str, set[str]]) -> None:
    engine = {
        m: {i for i in imps if _within(i, "optimizer") and not _within(i, CLI)}
        for m, imps in graph.items()
        if _within(m, "optimizer") and not _within(m, CLI)
    }
    cycle = find_cycle(engine)
    assert cycle is None, f"import cycle in the engine: {' -> '.join(cycle or [])}"


# ---- the checks can fail --------------------------------------------------------------------
def test_imports_are_found_everywhere_and_resolved() -> None:
    modules = {
        "optimizer": Path("__init__.py"),
        "optimizer.a": Path("a.py"),
        "optimizer.c": Path("c.py"),
        "optimizer.cli": Path("__init__.py"),
        "optimizer.cli.common": Path("common.py"),
        "optimizer.pkg": Path("__init__.py"),
        "optimizer.pkg.b": Path("b.py"),
    }
    source = """
from typing import TYPE_CHECKING
from .. import a
from ..cli import common
if TYPE_CHECKING:
    from ..cli import UsageError
def f():
    import streamlit as st
    from optimizer import pkg
    try:
        from ..c import thing
    except ImportError:
        pass
"""
    assert imports_of("optimizer.pkg.b", source, modules) == {
        "typing",
        "optimizer.a",
        "optimizer.cli.common",
        "optimizer.cli",
        "streamlit",
        "optimizer.pkg",
        "optimizer.c",
    }
    # in a package's __init__, `.` is the package itself
    assert imports_of("optimizer.pkg", "from . import b\nfrom .b import x\n", modules) == {
        "optimizer.pkg.b"
    }
    assert imports_of("optimizer.a", "from .cli import common, Parser\n", modules) == {
        "optimizer.cli.common",
        "optimizer.cli",
    }


def test_find_cycle_reports_the_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c", "x"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"b"}}) == ["b", "b"]
    assert find_cycle({"r": {"a"}, "a": {"b"}, "b": {"a", "z"}, "z": set()}) == ["a", "b", "a"]


def test_a_planted_cycle_and_a_planted_cli_import_are_caught(tmp_path: Path) -> None:
    pkg = tmp_path / "optimizer"
    (pkg / "cli").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "cli" / "__init__.py").write_text("from ..export import write\n")
    (pkg / "export.py").write_text("def write():\n    from .cli import main\n")
    (pkg / "relationship.py").write_text("from . import export\nfrom .schema import X\n")
    (pkg / "schema.py").write_text(
        "import typing\nif typing.TYPE_CHECKING:\n    from .relationship import Y\n"
    )
    g = import_graph(tmp_path, ("optimizer",))
    assert "optimizer.cli" in g["optimizer.export"]
    with pytest.raises(AssertionError, match=r"optimizer\.export"):
        test_only_the_command_line_imports_the_command_line(g)
    with pytest.raises(
        AssertionError,
        match=re.escape("optimizer.relationship -> optimizer.schema -> optimizer.relationship"),
    ):
        test_the_engine_import_graph_has_no_cycle(g)
    (pkg / "charts.py").write_text("import plotly.graph_objects as go\n")
    with pytest.raises(AssertionError, match="plotly"):
        test_the_engine_does_not_import_the_dashboard(import_graph(tmp_path, ("optimizer",)))


# ---- the dashboard's tabs -------------------------------------------------------------------
# One module per tab; what several tabs draw lives in shared modules (ui.widgets, ui.state,
# ui.cache, ui.cells, ui.text, ui.charts, ui.analysis_charts, ui.edits), so a tab can change
# without reaching into another. ui.layout composes the tabs and is neither.
TABS = tuple(
    f"ui.{m}"
    for m in (
        "plan_tab",
        "inputs_tab",
        "client_tab",
        "whatif",
        "scenarios",
        "relationship_tab",
        "export_tab",
        "sidebar",
    )
)
SHARED_UI = tuple(
    f"ui.{m}"
    for m in ("widgets", "state", "cache", "cells", "text", "charts", "analysis_charts", "edits")
)


def _tabs(graph: dict[str, set[str]]) -> set[str]:
    """The tab modules present: the named ones, and any ui module named *_tab."""
    return {m for m in graph if m in TABS or (_within(m, "ui") and m.endswith("_tab"))}


def test_no_tab_imports_another_tab(graph: dict[str, set[str]]) -> None:
    tabs = _tabs(graph)
    bad = {m: sorted(i for i in graph[m] if i in tabs and i != m) for m in sorted(tabs)}
    bad = {m: i for m, i in bad.items() if i}
    assert not bad, f"tabs import other tabs (move what they share to ui.widgets): {bad}"
    # Nor through a shared module: those never import a tab.
    shared = {m: sorted(i for i in graph[m] if i in tabs) for m in SHARED_UI if m in graph}
    shared = {m: i for m, i in shared.items() if i}
    assert not shared, f"shared ui modules import tabs: {shared}"


def test_the_tab_rule_sees_every_tab_and_can_fail(
    graph: dict[str, set[str]], tmp_path: Path
) -> None:
    assert "ui.widgets" in graph
    assert set(TABS) - {"ui.export_tab"} <= _tabs(graph), sorted(_tabs(graph))
    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "__init__.py").write_text("")
    (ui / "widgets.py").write_text("")
    (ui / "whatif.py").write_text("from .widgets import render_diff\n")
    (ui / "plan_tab.py").write_text("def render(ctx):\n    from .client_tab import x\n")
    (ui / "client_tab.py").write_text("from . import widgets\n")
    (ui / "new_tab.py").write_text("import ui.whatif\n")
    planted = import_graph(tmp_path, ("ui",))
    with pytest.raises(AssertionError, match=r"'ui\.plan_tab': \['ui\.client_tab'\]"):
        test_no_tab_imports_another_tab(planted)
    (ui / "plan_tab.py").write_text("")
    with pytest.raises(AssertionError, match=r"'ui\.new_tab': \['ui\.whatif'\]"):
        test_no_tab_imports_another_tab(import_graph(tmp_path, ("ui",)))
    (ui / "new_tab.py").write_text("")
    (ui / "widgets.py").write_text("from .scenarios import render_diff\n")
    (ui / "scenarios.py").write_text("")
    with pytest.raises(
        AssertionError,
        match=r"shared ui modules import tabs: "
        r"\{'ui\.widgets': \['ui\.scenarios'\]\}",
    ):
        test_no_tab_imports_another_tab(import_graph(tmp_path, ("ui",)))
    (ui / "widgets.py").write_text("")
    test_no_tab_imports_another_tab(import_graph(tmp_path, ("ui",)))

"""The core never imports Flask: read from the source, so an import inside a function counts too."""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

# the engine and the packages it runs (every module in them is checked), and the job store
ENGINE = ["app.jobs", "app.models", "app.db"]
PACKAGES = ["app.engine", "app.kinds", "app.platforms", "app.exam", "app.notify"]
WEB = ("flask", "flask_babel", "werkzeug")


def core_modules() -> list[str]:
    found = list(ENGINE)
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations, package
        found.append(package)
        found += [f"{package}.{m.name}" for m in pkgutil.iter_modules(spec.submodule_search_locations)]
    return found


def imported(module: str) -> set[str]:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, module
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", core_modules())
def test_the_core_never_imports_flask(module: str) -> None:
    web = sorted(n for n in imported(module) if n.split(".")[0] in WEB)
    assert not web, f"{module} imports {web}"


def test_importing_the_whole_core_loads_no_flask() -> None:
    """At run time too: importing a core module runs ``app/__init__`` and every parent package."""
    script = "\n".join(
        [f"import {m}" for m in core_modules()]
        + ["import sys", f"print(sorted(m for m in sys.modules if m.split('.')[0] in {WEB!r}))"]
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


APP = Path(__file__).resolve().parents[2] / "app"


def app_modules() -> dict[str, Path]:
    """Every module of the app package by dotted name (a package by its ``__init__``)."""
    found: dict[str, Path] = {}
    for path in APP.rglob("*.py"):
        parts = list(path.relative_to(APP.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except the bodies of ``if TYPE_CHECKING:`` (type hints never run)."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the app modules it imports when it runs: at the top level or inside a function."""
    modules = app_modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(resolve(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                for alias in node.names:  # "from pkg import module" imports the module, not just pkg
                    targets.add(resolve(f"{base}.{alias.name}") if f"{base}.{alias.name}" in modules else resolve(base))
        # importing a submodule runs its parent packages too, but every module does that: not an edge
        graph[module] = {t for t in targets if t is not None and t != module and t != "app"}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path a → … → a, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_import_graph_is_read_from_the_source() -> None:
    graph = import_graph()
    assert "app.engine.server" in graph["app.service"]
    assert "app.http.web.i18n" in graph["app.http.web.common"]
    assert "app.http.common" in graph["app"]  # an import inside create_app counts
    assert "app.engine.server" not in graph["app.presenter"]  # only for type hints
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_among_app_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_only_create_app_and_the_http_layer_import_app_http() -> None:
    importers = sorted(
        module
        for module, targets in import_graph().items()
        if any(t == "app.http" or t.startswith("app.http.") for t in targets)
        and module != "app"
        and module != "app.http"
        and not module.startswith("app.http.")
    )
    assert not importers, f"outside the HTTP layer, these import app.http: {importers}"

"""The shape of the code: packages import each other one way only, and ``eia`` reaches the plan
tracker only from ``create_app``.

Every import counts, at the top of a module or inside a function, except those under
``if TYPE_CHECKING:`` (which never run).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOP_PACKAGES = ("eia", "tracker", "forms")
#: Where the app is put together: they import every package on purpose.
COMPOSITION_ROOTS = {"eia", "eia.wiring", "eia.cli"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def node_of(module: str) -> str | None:
    """The node a module belongs to: a subpackage of eia (``eia.assessments``), a module at the top
    of eia (``eia.web``), or ``tracker`` / ``forms`` as a whole."""
    parts = module.split(".")
    if parts[0] not in TOP_PACKAGES:
        return None
    if parts[0] != "eia":
        return parts[0]
    return "eia" if len(parts) == 1 else f"eia.{parts[1]}"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of *tree* except what sits under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for orelse in child.orelse:
                yield orelse
                yield from _runtime_nodes(orelse)
            continue
        yield child
        yield from _runtime_nodes(child)


def imported_modules(path: Path) -> Iterator[tuple[str, int]]:
    """The modules *path* imports at run time, with the line; ``from eia import api`` is ``eia.api``."""
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (ROOT / candidate.replace(".", "/")).is_dir() or (
                    ROOT / (candidate.replace(".", "/") + ".py")
                ).is_file()
                yield (candidate if is_module else node.module), node.lineno


def import_graph() -> dict[str, dict[str, list[str]]]:
    """node -> imported node -> where (``file:line``), over every module of the three packages."""
    graph: dict[str, dict[str, list[str]]] = {}
    for top in TOP_PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            source = module_name(path)
            if source in COMPOSITION_ROOTS:
                continue
            here = node_of(source)
            for target, line in imported_modules(path):
                there = node_of(target)
                if there is not None and there != here:
                    graph.setdefault(here, {}).setdefault(there, []).append(f"{path.relative_to(ROOT)}:{line}")
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """One cycle of *graph* as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_packages_import_each_other_one_way_only():
    graph = import_graph()
    cycle = find_cycle(graph)
    if cycle:
        where = [f"{a} -> {b} at {', '.join(graph[a][b][:3])}" for a, b in itertools.pairwise(cycle)]
        pytest.fail("import cycle between packages:\n" + "\n".join(where))


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": []}, "b": {"c": []}}) is None


def test_a_function_local_import_counts_and_type_checking_does_not(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "eia").mkdir()
    module = tmp_path / "eia" / "sample.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from eia.hidden import X\n"
        "def f():\n    from eia.lazy import Y\n    return Y\n"
    )
    assert [name for name, _ in imported_modules(module)] == ["typing", "eia.lazy"]


def test_the_audit_log_imports_no_domain_package():
    """The log sits under everything that writes to it: it may use the shared modules at the top of
    eia and the API's plumbing, never a domain package."""
    domain = {
        "eia.accounts",
        "eia.admin",
        "eia.assessments",
        "eia.demo",
        "eia.evidence",
        "eia.main",
        "eia.notifications",
        "eia.quality",
        "eia.register",
        "eia.reports",
        "tracker",
    }
    reached = set(import_graph().get("eia.auditlog", {}))
    assert reached & domain == set()


def test_eia_imports_the_tracker_only_from_create_app():
    found = []
    for path in sorted((ROOT / "eia").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed: set[int] = set()
        if module_name(path) == "eia":
            create_app = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "create_app")
            allowed = {n.lineno for n in ast.walk(create_app) if isinstance(n, ast.Import | ast.ImportFrom)}
        for target, line in imported_modules(path):
            if node_of(target) == "tracker" and line not in allowed:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert found == []


def test_no_view_module_is_imported_only_for_its_routes():
    """Routes are added where each package's ``init_app`` registers its blueprints, never by importing
    a module for its side effect."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for top in TOP_PACKAGES
        for path in sorted((ROOT / top).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "noqa: F401" in line
    ]
    assert offenders == []


def test_starting_the_app_leaves_the_heavy_libraries_for_when_they_are_used(tmp_path):
    """Start-up (every gunicorn worker, every ``eia`` command) imports none of the libraries only
    some requests or commands need: PDFs, spreadsheets, Word, S3, the provider sign-in, migrations,
    bank holidays; and writes no OpenAPI document until it is read."""
    import subprocess
    import sys

    heavy = ["weasyprint", "openpyxl", "docx", "boto3", "authlib", "alembic", "flask_migrate", "holidays"]
    script = (
        "import sys\n"
        "from eia import create_app\n"
        "from eia.api import api\n"
        "create_app()\n"
        f"print([name for name in {heavy!r} if name in sys.modules], bool(api._spec.to_dict().get('paths')))\n"
    )
    env = {"EIA_ENV": "demo", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] False"


#: The most lines a module of the three packages may have: past it, a module is split along a seam.
MODULE_LINE_LIMIT = 450
#: Modules allowed past it: data, or one being reshaped on its own branch (drop it from here then).
LONG_MODULES = {
    "eia/demo/scenarios.py": "data: the demo's scenarios, not code",
}


def test_no_module_is_longer_than_a_person_can_read():
    offenders = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for top in TOP_PACKAGES
        for path in sorted((ROOT / top).rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINE_LIMIT
        and path.relative_to(ROOT).as_posix() not in LONG_MODULES
    ]
    assert offenders == [], f"split these along a seam (at most {MODULE_LINE_LIMIT} lines):\n" + "\n".join(offenders)


#: A view is parse -> load -> permit -> one service call (through ``submit_form`` for a form) ->
#: commit -> redirect or render: about ten statements, twelve with a second permission check or a
#: message. Statements, not lines, so that a call the formatter spreads over lines counts once; a
#: body that still runs past VIEW_LINE_LIMIT lines is doing work that belongs in a service or query.
VIEW_STATEMENT_LIMIT = 12
VIEW_LINE_LIMIT = 30
#: Route decorators: ``@bp.get/post/route/...`` (Flask and flask-smorest blueprints) and
#: ``@bp.response`` (a flask-smorest handler).
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route", "response"}
#: Views still past the limits ("module:function"), to be thinned; drop each from here when it is.
LONG_VIEWS = {
    "eia/assessments/api.py:save_impacts": "the module is being reshaped separately",
}


def _is_route(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (
        isinstance(target, ast.Attribute)
        and target.attr in ROUTE_DECORATORS
        and isinstance(target.value, ast.Name)
        and target.value.id == "bp"
    )


def view_sizes(path: Path) -> Iterator[tuple[str, int, int]]:
    """``(name, statements, lines)`` of each route function in *path*, its docstring left out;
    statements count every one in the body, nested ones too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not any(_is_route(d) for d in node.decorator_list):
            continue
        body = node.body[1:] if ast.get_docstring(node) is not None else node.body
        if not body:
            continue
        statements = sum(1 for top in body for n in ast.walk(top) if isinstance(n, ast.stmt))
        end = body[-1].end_lineno or body[-1].lineno
        yield node.name, statements, end - body[0].lineno + 1


def test_views_are_thin():
    offenders = []
    for top in TOP_PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            for name, statements, lines in view_sizes(path):
                where = f"{path.relative_to(ROOT).as_posix()}:{name}"
                if (statements > VIEW_STATEMENT_LIMIT or lines > VIEW_LINE_LIMIT) and where not in LONG_VIEWS:
                    offenders.append(f"{where}: {statements} statements, {lines} lines")
    assert offenders == [], (
        f"views over {VIEW_STATEMENT_LIMIT} statements or {VIEW_LINE_LIMIT} lines: move the work into "
        "queries.py (reads) or services.py (writes)\n" + "\n".join(offenders)
    )


def test_the_view_measure_counts_statements_and_finds_every_kind_of_route(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "@bp.get('/')\ndef a():\n    '''Doc.'''\n    x = 1\n    if x:\n        return f(\n            x,\n        )\n"
        "@bp.response(200, S)\ndef b():\n    return 1\n"
        "def helper():\n    return 2\n"
    )
    assert list(view_sizes(module)) == [("a", 3, 5), ("b", 1, 1)]


def test_every_long_view_and_module_allowed_still_exists_and_is_still_long():
    """The lists above only shrink: an entry that no longer applies is taken out."""
    sizes = {
        f"{path.relative_to(ROOT).as_posix()}:{name}": (statements, lines)
        for top in TOP_PACKAGES
        for path in sorted((ROOT / top).rglob("*.py"))
        for name, statements, lines in view_sizes(path)
    }
    stale = [
        view
        for view in LONG_VIEWS
        if view not in sizes or (sizes[view][0] <= VIEW_STATEMENT_LIMIT and sizes[view][1] <= VIEW_LINE_LIMIT)
    ]
    stale += [
        module
        for module in LONG_MODULES
        if not (ROOT / module).is_file()
        or len((ROOT / module).read_text(encoding="utf-8").splitlines()) <= MODULE_LINE_LIMIT
    ]
    assert stale == []

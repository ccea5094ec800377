"""Apps import only downward: accounts < apikeys < webhooks < monitors < incidents < statuspages.

`statusapp.api` is shared plumbing for every app, so it may lean only on the lowest layer
(accounts, for the plan's rate limit); so is `statusapp.celery` (the Celery app and queueing
after commit), which imports no app. The rest of `statusapp` (urls, settings) sits on top.
`monitors.engine` imports no Django and no app: a library any layer may use (webhooks
sends through its address guard).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["accounts", "apikeys", "webhooks", "monitors", "incidents", "statuspages"]
RANK = {name: rank for rank, name in enumerate(LAYERS)}
PLUMBING_MAY_IMPORT = {"accounts"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = ".".join(base[: len(base) - (node.level - 1)])
                if node.module:
                    found.add(f"{base}.{node.module}")
                else:  # `from . import guard` imports the sibling module
                    found.update(f"{base}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


SHARED = ("statusapp.api", "statusapp.celery")  # what every app may import from statusapp


def _project_files():
    for top in [*LAYERS, "statusapp"]:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_apps_import_only_downward():
    violations = []
    for path in _project_files():
        module = _module_name(path)
        top = module.split(".")[0]
        for imported in _imports(path):
            target = imported.split(".")[0]
            if imported.startswith("monitors.engine"):
                continue
            if top in RANK and target in RANK and RANK[target] > RANK[top]:
                violations.append(f"{module} imports {imported}")
            if module.startswith("statusapp.api") and target in RANK and target not in PLUMBING_MAY_IMPORT:
                violations.append(f"{module} imports {imported}")
            if top in RANK and imported.startswith("statusapp") and not imported.startswith(SHARED):
                violations.append(f"{module} imports {imported}")
    assert violations == []


def test_module_import_graph_has_no_cycle():
    modules = {_module_name(path): path for path in _project_files()}
    graph = {
        name: {imported for imported in _imports(path) if imported in modules and imported != name}
        for name, path in modules.items()
    }
    visiting, done = set(), set()

    def visit(node, trail):
        if node in done:
            return
        if node in visiting:
            pytest.fail("import cycle: " + " -> ".join([*trail, node]))
        visiting.add(node)
        for nxt in graph[node]:
            visit(nxt, [*trail, node])
        visiting.discard(node)
        done.add(node)

    for name in graph:
        visit(name, [])


def test_check_engine_imports_no_django_and_no_app():
    engine = ROOT / "monitors" / "engine"
    imported = {name for path in engine.rglob("*.py") for name in _imports(path)}
    assert imported, "the engine package is missing"
    forbidden = {
        name
        for name in imported
        if name.split(".")[0] in {"django", "rest_framework", "celery", *LAYERS}
        and not name.startswith("monitors.engine")
    }
    assert forbidden == set()

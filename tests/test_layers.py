"""Apps import only downward: accounts < apikeys < webhooks < monitors < incidents < {statuspages, alerts};
statuspages and alerts never import each other (what both need lives below them).

`statusapp.api` is shared plumbing for every app, so it may lean only on the lowest layer
(accounts, for the plan's rate limit); so is `statusapp.celery` (the Celery app and queueing
after commit), which imports no app. The rest of `statusapp` (urls, settings) sits on top.
`outbound` (the address guard, TLS context and safe error texts) and `monitors.engine` import
no Django and no app; `outbound` imports nothing of ours but itself, so webhooks and alerts
send through the same guard as the checks without an arrow up into monitors.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["accounts", "apikeys", "webhooks", "monitors", "incidents", "statuspages", "alerts"]
RANK = {name: rank for rank, name in enumerate(LAYERS)}
RANK["alerts"] = RANK["statuspages"]  # side by side: neither may import the other
LIBRARIES = ("outbound", "monitors.engine")
PLUMBING_MAY_IMPORT = {"accounts"}


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    return _imports_in(path, ROOT)


def _imports_in(path: Path, root: Path) -> set[str]:
    """The modules a file imports, relative imports resolved against its package under `root`."""
    tree = ast.parse(path.read_text())
    found = set()
    module = _module_name(path, root)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
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
    for top in [*LAYERS, "statusapp", "outbound"]:
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
            if imported.startswith(LIBRARIES):
                continue
            if top in RANK and target in RANK and target != top and RANK[target] >= RANK[top]:
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


@pytest.mark.parametrize("library", LIBRARIES)
def test_libraries_import_no_django_and_no_app(library):
    package = ROOT.joinpath(*library.split("."))
    imported = {name for path in package.rglob("*.py") for name in _imports(path)}
    assert imported, f"the {library} package is missing"
    forbidden = {
        name
        for name in imported
        if name.split(".")[0] in {"django", "rest_framework", "celery", "statusapp", *LAYERS}
        and not name.startswith(LIBRARIES)
    }
    assert forbidden == set()


def test_outbound_imports_nothing_of_the_check_engine():
    imported = {name for path in (ROOT / "outbound").rglob("*.py") for name in _imports(path)}
    assert not {name for name in imported if name.startswith("monitors")}


def test_the_python_sdk_imports_nothing_of_the_server():
    """The SDK's package is also called `statusapp`: what it imports under that name must be
    its own modules, and no app, Django or Celery at all (it speaks HTTP to the server)."""
    source = ROOT / "sdks" / "python" / "src"
    own = {
        ".".join(path.relative_to(source).with_suffix("").parts).removesuffix(".__init__")
        for path in source.rglob("*.py")
    }
    assert "statusapp.client" in own, "the Python SDK is missing"
    imported = {name for path in source.rglob("*.py") for name in _imports_in(path, source)}
    forbidden = {
        name
        for name in imported
        if name.split(".")[0] in {"django", "rest_framework", "celery", *LAYERS, "outbound"}
        or (name.split(".")[0] == "statusapp" and name not in own and name.rsplit(".", 1)[0] not in own)
    }
    assert forbidden == set()

"""Every operation of /api/schema has a method in each SDK, and no SDK calls one the
schema lacks: adding an endpoint without adding it to the SDKs fails here.

An SDK names each operation it calls as a literal method and path template, as the
schema writes them: `"GET", "/api/monitors/{id}"` (sdks/README.md). PATCH is left out
where the same path has PUT: in this API both update only the fields sent, and the
SDKs' `update` uses the guide's PUT.
"""

import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {
    "python": (ROOT / "sdks" / "python" / "src", ("*.py",)),
    "node": (ROOT / "sdks" / "node" / "src", ("*.js", "*.mjs", "*.cjs")),
    "go": (ROOT / "sdks" / "go", ("*.go",)),
}
CALL = re.compile(r"""["'`](GET|POST|PUT|PATCH|DELETE)["'`],\s*["'`](/api/[^"'`]*)["'`]""")


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = set()
    for path, item in schema["paths"].items():
        methods = {method.upper() for method in item if method in ("get", "post", "put", "patch", "delete")}
        if "PUT" in methods:
            methods.discard("PATCH")
        operations.update((method, path) for method in methods)
    return operations


def sdk_operations(sdk: str) -> set[tuple[str, str]]:
    folder, patterns = SOURCES[sdk]
    files = [path for pattern in patterns for path in folder.rglob(pattern)]
    files = [path for path in files if not path.name.endswith("_test.go") and "node_modules" not in path.parts]
    return {match.groups() for path in files for match in CALL.finditer(path.read_text())}


@pytest.mark.parametrize("sdk", sorted(SOURCES))
def test_sdk_covers_every_operation_of_the_schema(sdk):
    expected = schema_operations()
    assert len(expected) > 40  # the schema was read, not an empty dict
    found = sdk_operations(sdk)
    assert sorted(expected - found) == [], f"operations the {sdk} SDK lacks"
    assert sorted(found - expected) == [], f"operations the {sdk} SDK calls that the schema does not have"


def test_the_check_sees_a_missing_operation(tmp_path, monkeypatch):
    (tmp_path / "client.py").write_text('self._request("GET", "/api/monitors")\n')
    monkeypatch.setitem(SOURCES, "probe", (tmp_path, ("*.py",)))
    assert sdk_operations("probe") == {("GET", "/api/monitors")}
    assert ("POST", "/api/monitors") in schema_operations() - sdk_operations("probe")

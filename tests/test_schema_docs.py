"""`/api/schema` (OpenAPI 3), `/api/docs` (Swagger UI served from local static files)
and `/healthz`."""

import json
import re
from html.parser import HTMLParser

import pytest
import requests
import yaml

from statusapp import health

from .live_server import collectstatic, gunicorn_server, server_env

SEED_PATHS = {
    "/api/monitors": {"get", "post"},
    "/api/monitors/{id}": {"get", "put", "delete"},
    "/api/incidents": {"get", "post"},
    "/api/incidents/{id}": {"get", "put"},
    "/api/incidents/{id}/updates": {"post"},
    "/api/status-pages": {"get"},
    "/api/status-pages/{id}": {"get", "put"},
    "/api/webhooks": {"get", "post"},
    "/api/api-keys": {"get", "post"},
}


def http_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy for 127.0.0.1
    return session


# --- /api/schema ----------------------------------------------------------------------


@pytest.fixture
def schema(db, client) -> dict:
    response = client.get("/api/schema")  # no API key
    assert response.status_code == 200, response.content[:500]
    return yaml.safe_load(response.content)


def test_schema_is_served_without_a_key_as_openapi_3(schema):
    assert isinstance(schema, dict)
    assert str(schema["openapi"]).startswith("3")
    assert schema["info"]["title"]
    assert schema["info"]["version"]


def test_schema_json_format_matches_the_yaml(db, client, schema):
    response = client.get("/api/schema?format=json")
    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    assert json.loads(response.content) == schema


def test_schema_lists_every_seed_path_with_its_methods(schema):
    paths = schema["paths"]
    for path, methods in SEED_PATHS.items():
        assert path in paths, f"{path} missing from the schema"
        assert methods <= set(paths[path]), f"{path}: {sorted(methods - set(paths[path]))} missing"
    # Nothing is documented outside the API's base path.
    assert all(path.startswith("/api/") for path in paths)


def test_schema_declares_bearer_auth_and_uses_it(schema):
    schemes = schema["components"]["securitySchemes"]
    bearer = [
        name for name, scheme in schemes.items() if scheme.get("type") == "http" and scheme.get("scheme") == "bearer"
    ]
    assert bearer, schemes
    operation = schema["paths"]["/api/monitors"]["get"]
    assert any(name in requirement for requirement in operation["security"] for name in bearer)


def test_schema_unknown_format_is_an_error_not_a_crash(db, client):
    response = client.get("/api/schema?format=nonsense")
    assert 400 <= response.status_code < 500


# What the API does, said by the schema (each was found by tests/test_schema_fuzz.py).


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def component(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def body_component(schema: dict, path: str, method: str) -> dict:
    content = schema["paths"][path][method.lower()]["requestBody"]["content"]
    return component(schema, content["application/json"]["schema"]["$ref"])


def test_every_operation_documents_its_errors_in_the_envelope(db, client, schema):
    for path, method, operation in operations(schema):
        has_query = any(parameter["in"] == "query" for parameter in operation.get("parameters", []))
        expected = {"401", "403", "429"} | ({"404"} if "{" in path else set())
        expected |= {"400"} if method in ("POST", "PUT", "PATCH") or has_query else set()
        expected |= {"413"} if "requestBody" in operation else set()
        errors = {code: response for code, response in operation["responses"].items() if code >= "400"}
        assert set(errors) == expected, (method, path)
        for response in errors.values():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    error = component(schema, "Error")
    detail = component(schema, error["properties"]["error"]["$ref"])
    assert error["required"] == ["error"]
    assert set(detail["required"]) == {"code", "message", "details"}
    body = client.get("/api/monitors").json()  # no key: 401
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] in component(schema, detail["properties"]["code"]["$ref"])["enum"]


def test_request_bodies_are_json_and_refuse_unknown_keys(schema):
    for path, method, operation in operations(schema):
        if "requestBody" not in operation:
            continue
        assert list(operation["requestBody"]["content"]) == ["application/json"], (method, path)
        assert body_component(schema, path, method)["additionalProperties"] is False, (method, path)


def test_put_changes_only_the_fields_sent_so_its_body_requires_none(schema):
    puts = [(path, operation) for path, method, operation in operations(schema) if method == "PUT"]
    assert puts
    for path, operation in puts:
        assert "required" not in body_component(schema, path, "PUT"), path
        assert operation["requestBody"].get("required") is not True, path


def test_incident_create_body_has_no_update_message(schema):
    assert "update" not in body_component(schema, "/api/incidents", "POST")["properties"]
    assert "update" in body_component(schema, "/api/incidents/{id}", "PUT")["properties"]


def test_monitor_status_reads_as_the_state_and_is_written_paused_or_active(schema):
    written = body_component(schema, "/api/monitors", "POST")["properties"]["status"]["allOf"][0]["$ref"]
    read = component(schema, "Monitor")["properties"]["status"]["allOf"][0]["$ref"]
    assert component(schema, written)["enum"] == ["PAUSED", "ACTIVE"]
    assert component(schema, read)["enum"] == ["PENDING", "UP", "DEGRADED", "DOWN", "PAUSED"]


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("ApiKey", "lastUsedAt"),
        ("ApiKey", "revokedAt"),
        ("Incident", "resolvedAt"),
        ("Monitor", "lastCheck"),
        ("Monitor", "responseTime"),
    ],
)
def test_values_the_api_returns_as_null_are_nullable(schema, name, field):
    assert component(schema, name)["properties"][field]["nullable"] is True


def test_a_monitor_shows_its_ping_url_only_if_it_is_a_heartbeat(schema):
    monitor = component(schema, "Monitor")
    assert "pingUrl" in monitor["properties"]
    assert "pingUrl" not in monitor["required"]


def test_limits_the_api_enforces_are_in_the_schema(schema):
    monitor = body_component(schema, "/api/monitors", "POST")["properties"]
    assert monitor["interval"]["minimum"] == 10
    for path in ("/api/monitors", "/api/events"):
        for parameter in schema["paths"][path]["get"]["parameters"]:
            if parameter["name"] in ("page", "limit"):
                assert parameter["schema"]["maximum"] == 10**18 - 1  # 18 digits at most
    assert body_component(schema, "/api/webhooks", "POST")["properties"]["events"]["minItems"] == 1
    assert "minItems" not in component(schema, "WebhookEndpoint")["properties"]["events"]  # [] may be stored


def test_component_lists_accept_ids_or_objects_with_only_the_keys_the_api_takes(schema):
    page = body_component(schema, "/api/status-pages", "POST")["properties"]["components"]["items"]["oneOf"]
    incident = body_component(schema, "/api/incidents", "POST")["properties"]["affectedComponents"]["items"]["oneOf"]
    for string, entry in (page, incident):
        assert string["type"] == "string"
        assert entry["required"] == ["id"] and entry["additionalProperties"] is False
    assert set(page[1]["properties"]) == {"id", "group"}
    assert set(incident[1]["properties"]) == {"id", "status"}


# --- /api/docs ------------------------------------------------------------------------


class AssetCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.assets.append(attributes["src"])
        if tag == "link" and attributes.get("href"):
            self.assets.append(attributes["href"])


def docs_assets(html: str) -> list[str]:
    parser = AssetCollector()
    parser.feed(html)
    return parser.assets


def test_docs_is_html_referencing_only_local_static_assets(db, client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assets = docs_assets(html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets), assets
    assert any(asset.endswith(".css") for asset in assets), assets
    for asset in assets:
        # Static files, or the page's own init script (served apart for the CSP: /api/docs?script=).
        assert asset.startswith("/static/") or asset.startswith("/api/docs?"), asset
    # No CDN: no absolute or protocol-relative URL in any src/href.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.IGNORECASE)


@pytest.fixture
def static_server(transactional_db):
    env = server_env()
    collectstatic(env)  # into STATUSAPP_VAR_DIR/static, which whitenoise serves
    with gunicorn_server(workers=1, env=env) as base_url:
        yield base_url


def test_live_docs_assets_are_served_by_gunicorn(static_server):
    session = http_session()
    docs = session.get(f"{static_server}/api/docs", timeout=10)
    assert docs.status_code == 200
    assets = docs_assets(docs.text)
    bundle = [asset for asset in assets if asset.endswith("swagger-ui-bundle.js")]
    assert len(bundle) == 1, assets
    response = session.get(f"{static_server}{bundle[0]}", timeout=10)
    assert response.status_code == 200
    assert "javascript" in response.headers["Content-Type"]
    assert len(response.content) > 100_000  # the real bundle, not an error page
    for asset in assets:
        assert session.get(f"{static_server}{asset}", timeout=10).status_code == 200, asset
    # The schema the page loads is served too, without a key.
    assert session.get(f"{static_server}/api/schema", timeout=10).status_code == 200


def test_live_unknown_static_file_is_404(static_server):
    response = http_session().get(f"{static_server}/static/nope/missing.js", timeout=10)
    assert response.status_code == 404


# --- /healthz -------------------------------------------------------------------------


def test_healthz_ok(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "regions": {"default": {"status": "silent", "lastReportAt": None}},  # no worker has reported here
    }


def test_healthz_503_when_the_database_is_down(db, client, monkeypatch):
    monkeypatch.setattr(health, "_database_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] != "ok"
    assert body["database"] == "down"


def test_healthz_503_when_the_broker_is_down(db, client, monkeypatch):
    monkeypatch.setattr(health, "_broker_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] != "ok"
    assert (body["database"], body["broker"]) == ("ok", "down")


def test_live_healthz_ok(transactional_db):
    with gunicorn_server(workers=1) as base_url:
        response = http_session().get(f"{base_url}/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_live_healthz_503_when_the_database_is_unreachable():
    # Nothing listens on port 1: every connection attempt is refused.
    env = server_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/statusapp")
    with gunicorn_server(workers=1, env=env, ready_status=None) as base_url:
        response = http_session().get(f"{base_url}/healthz", timeout=10)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] != "ok"
    assert (body["database"], body["broker"]) == ("down", "ok")

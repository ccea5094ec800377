"""Bad input to every write endpoint: a 4xx JSON error envelope, never a 500, and nothing stored.

DESIGN.md, "API conventions": malformed or non-object JSON is a 400, bodies over 256 KiB a 413
`payload_too_large`, unknown or read-only keys a 400, and "never an HTML error page and never a
500 for bad input under /api/ (NUL bytes, huge numbers, deep nesting, huge bodies are 400/413)".
NUL bytes and out-of-range integers are what make PostgreSQL raise, so run this file there too.
"""

import json
from dataclasses import dataclass

import pytest
from django.conf import settings

from accounts.models import Organization
from apikeys.models import ApiKey
from incidents import services as incident_services
from incidents.models import AffectedComponent, Incident, IncidentUpdate
from monitors.models import Monitor
from statuspages import services as status_page_services
from statuspages.models import StatusPage, StatusPageComponent
from webhooks.models import WebhookEndpoint

from .factories import MonitorFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

ONE_MB = 1024 * 1024
DEEP = 5_000  # orjson refuses nesting beyond 1,024 levels


# --- what is stored -------------------------------------------------------------------------

STORED_MODELS = [
    Organization,
    Monitor,
    Incident,
    AffectedComponent,
    IncidentUpdate,
    StatusPage,
    StatusPageComponent,
    WebhookEndpoint,
]
# last_used_at is written by authentication itself (at most once a minute), not by the request body.
API_KEY_COLUMNS = [f.name if not f.is_relation else f.attname for f in ApiKey._meta.concrete_fields]
API_KEY_COLUMNS.remove("last_used_at")


def stored_rows() -> dict[str, list[dict]]:
    """Every row of every API-writable table, every column: counts and field values at once."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in STORED_MODELS}
    rows["ApiKey"] = list(ApiKey.objects.order_by("pk").values(*API_KEY_COLUMNS))
    return rows


def assert_error(response, status: int, code: str) -> dict:
    """The error envelope with this status and code; returns the `error` object."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].split(";")[0] == "application/json", response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message", "details"} <= set(error), error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["details"], str), error
    return error


# --- the write endpoints --------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    id: str
    method: str
    path: str  # "{monitor}", "{tcp_monitor}", "{incident}", "{page}", "{webhook}" are filled in
    valid: dict  # a body the endpoint accepts; each case spoils one part of it
    text: str | None = None  # a required text field
    text_sample: str = "Name"
    text_max: int = 0
    bool_field: str | None = None
    int_fields: tuple[str, ...] = ()
    list_field: str | None = None
    # (case id, fields merged into `valid`, the field the error must name)
    extra: tuple[tuple[str, dict, str], ...] = ()
    raw_cases: bool = True  # whole-body cases (malformed JSON, sizes); off for variants
    creates: type | None = None  # the model a POST stores a row of


HTTP_MONITOR = {"name": "API Health Check", "type": "http", "url": "https://api.example.com/health", "interval": 60}
TCP_MONITOR = {"name": "Database", "type": "tcp", "host": "db.example.com", "port": 5432, "interval": 60}

ENDPOINTS = [
    Endpoint(
        "monitors-post",
        "post",
        "/api/monitors",
        HTTP_MONITOR,
        text="name",
        text_max=200,
        bool_field="followRedirects",
        int_fields=("interval", "timeout", "retries", "degradedThreshold"),
        extra=(
            ("nul-in-url", {"url": "https://api.example.com/a\x00b"}, "url"),
            ("nul-in-body", {"body": "a\x00b"}, "body"),
            ("nul-in-json-path", {"jsonPath": "$.a\x00b"}, "jsonPath"),
            ("nul-in-header-value", {"headers": {"X-Token": "a\x00b"}}, "headers"),
            ("nul-in-header-name", {"headers": {"X-\x00": "a"}}, "headers"),
            ("nul-in-type", {"type": "http\x00"}, "type"),
            ("nul-in-method", {"method": "GET\x00"}, "method"),
            ("nul-in-status-codes", {"expectedStatusCodes": "200\x00"}, "expectedStatusCodes"),
            ("headers-as-list", {"headers": ["X-Token: a"]}, "headers"),
            ("headers-deeply-nested-value", {"headers": {"X-A": {"b": {"c": "d"}}}}, "headers"),
            ("url-as-list", {"url": ["https://api.example.com/"]}, "url"),
            ("url-too-long", {"url": "https://api.example.com/" + "a" * 10_001}, "url"),
            ("type-as-number", {"type": 1}, "type"),
        ),
        creates=Monitor,
    ),
    Endpoint(
        "monitors-post-tcp",
        "post",
        "/api/monitors",
        TCP_MONITOR,
        int_fields=("port",),
        extra=(
            ("nul-in-host", {"host": "db\x00.example.com"}, "host"),
            ("host-as-object", {"host": {"name": "db"}}, "host"),
        ),
        raw_cases=False,
    ),
    Endpoint(
        "monitors-post-dns",
        "post",
        "/api/monitors",
        {"name": "DNS", "type": "dns", "host": "example.com", "recordType": "A"},
        list_field="expectedValues",
        extra=(
            ("nul-in-resolver", {"resolver": "1.1.1.1\x00"}, "resolver"),
            ("nul-in-record-type", {"recordType": "A\x00"}, "recordType"),
        ),
        raw_cases=False,
    ),
    Endpoint(
        "monitors-put",
        "put",
        "/api/monitors/{monitor}",
        {"name": "Renamed"},
        text="name",
        text_max=200,
        bool_field="followRedirects",
        int_fields=("interval", "timeout", "retries", "degradedThreshold"),
        extra=(
            ("nul-in-url", {"url": "https://api.example.com/a\x00b"}, "url"),
            ("nul-in-status", {"status": "PAUSED\x00"}, "status"),
            ("status-as-list", {"status": ["PAUSED"]}, "status"),
            ("read-only-ping-url", {"pingUrl": "https://x.example.com/"}, "pingUrl"),
        ),
    ),
    Endpoint(
        "monitors-put-tcp",
        "put",
        "/api/monitors/{tcp_monitor}",
        {"port": 5433},
        int_fields=("port",),
        extra=(("nul-in-host", {"host": "db.example.com\x00"}, "host"),),
        raw_cases=False,
    ),
    Endpoint(
        "incidents-post",
        "post",
        "/api/incidents",
        {"title": "Database Maintenance", "status": "INVESTIGATING", "impact": "high"},
        text="title",
        text_max=200,
        list_field="affectedComponents",
        extra=(
            ("nul-in-description", {"description": "a\x00b"}, "description"),
            ("description-too-long", {"description": "d" * 10_001}, "description"),
            ("nul-in-status", {"status": "RESOLVED\x00"}, "status"),
            ("nul-in-impact", {"impact": "high\x00"}, "impact"),
            (
                "nul-in-component-status",
                {"affectedComponents": [{"id": "{monitor}", "status": "\x00"}]},
                "affectedComponents",
            ),
            (
                "component-object-unknown-key",
                {"affectedComponents": [{"id": "{monitor}", "x": 1}]},
                "affectedComponents",
            ),
            ("update-on-create", {"update": "x"}, "update"),
        ),
        creates=Incident,
    ),
    Endpoint(
        "incidents-put",
        "put",
        "/api/incidents/{incident}",
        {"status": "IDENTIFIED"},
        text="title",
        text_max=200,
        list_field="affectedComponents",
        extra=(
            ("nul-in-update", {"update": "a\x00b"}, "update"),
            ("nul-in-description", {"description": "a\x00b"}, "description"),
            ("update-too-long", {"update": "u" * 10_001}, "update"),
            ("update-as-object", {"update": {"message": "x"}}, "update"),
            ("read-only-resolved-at", {"resolvedAt": "2024-01-21T10:30:00Z"}, "resolvedAt"),
        ),
    ),
    Endpoint(
        "incident-updates-post",
        "post",
        "/api/incidents/{incident}/updates",
        {"message": "Investigating database connectivity issues", "notifySubscribers": True},
        text="message",
        text_max=10_000,
        bool_field="notifySubscribers",
        extra=(("nul-in-status", {"status": "RESOLVED\x00"}, "status"),),
        creates=IncidentUpdate,
    ),
    Endpoint(
        "status-pages-post",
        "post",
        "/api/status-pages",
        {"name": "Public Status", "description": "Our services"},
        text="name",
        text_max=200,
        bool_field="isPublic",
        list_field="components",
        extra=(
            ("nul-in-description", {"description": "a\x00b"}, "description"),
            ("description-too-long", {"description": "d" * 10_001}, "description"),
            ("nul-in-slug", {"slug": "public\x00"}, "slug"),
            ("slug-as-number", {"slug": 10**30}, "slug"),
        ),
        creates=StatusPage,
    ),
    Endpoint(
        "status-pages-put",
        "put",
        "/api/status-pages/{page}",
        {"name": "Updated Name", "description": "Updated description"},
        text="name",
        text_max=200,
        bool_field="isPublic",
        list_field="components",
        extra=(
            ("nul-in-description", {"description": "a\x00b"}, "description"),
            ("nul-in-slug", {"slug": "x\x00y"}, "slug"),
            ("read-only-url", {"url": "https://example.com/"}, "url"),
        ),
    ),
    Endpoint(
        "webhooks-post",
        "post",
        "/api/webhooks",
        {"url": "https://hooks.example.com/statusapp", "events": ["monitor.down"]},
        text="url",
        text_sample="https://hooks.example.com/statusapp",
        text_max=2048,
        bool_field="enabled",
        list_field="events",
        extra=(
            ("nul-in-description", {"description": "a\x00b"}, "description"),
            ("description-too-long", {"description": "d" * 501}, "description"),
            ("read-only-secret", {"secret": "whsec_mine"}, "secret"),
        ),
        creates=WebhookEndpoint,
    ),
    Endpoint(
        "webhooks-put",
        "put",
        "/api/webhooks/{webhook}",
        {"description": "Alerts"},
        text="url",
        text_sample="https://hooks.example.com/statusapp",
        text_max=2048,
        bool_field="enabled",
        list_field="events",
        extra=(("nul-in-description", {"description": "a\x00b"}, "description"),),
    ),
    Endpoint(
        "api-keys-post",
        "post",
        "/api/api-keys",
        {"name": "CI deploys", "permission": "write"},
        text="name",
        text_max=100,
        extra=(
            ("nul-in-permission", {"permission": "admin\x00"}, "permission"),
            ("permission-as-list", {"permission": ["admin"]}, "permission"),
            ("nul-in-expires-at", {"expiresAt": "2099-01-01T00:00:00\x00Z"}, "expiresAt"),
            ("nul-after-expires-at", {"expiresAt": "2099-01-01T00:00:00Z\x00"}, "expiresAt"),
            ("expires-at-as-number", {"expiresAt": 10**30}, "expiresAt"),
            ("expires-at-huge-year", {"expiresAt": "99999-01-01T00:00:00Z"}, "expiresAt"),
            ("read-only-key", {"key": "sk_live_mine"}, "key"),
            ("read-only-prefix", {"prefix": "sk_live_x"}, "prefix"),
        ),
        creates=ApiKey,
    ),
]


def _nested_list(depth: int, leaf="x"):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def field_cases(endpoint: Endpoint) -> list[tuple[str, dict, str]]:
    """(case id, fields merged into the valid body, field the error names) for one endpoint."""
    cases: list[tuple[str, dict, str]] = [
        ("unknown-field", {"unknownField": 1}, "unknownField"),
        ("unknown-field-with-nul", {"na\x00me": "x"}, "na\x00me"),
        ("read-only-id", {"id": "mon_chosenbyclient"}, "id"),
        ("read-only-created-at", {"createdAt": "2024-01-21T10:30:00Z"}, "createdAt"),
        ("organization-not-settable", {"organization": "org_other"}, "organization"),
    ]
    if text := endpoint.text:
        sample = endpoint.text_sample
        cases += [
            (f"{text}-as-list", {text: [sample]}, text),
            (f"{text}-as-object", {text: {"value": sample}}, text),
            (f"{text}-as-boolean", {text: True}, text),
            (f"{text}-as-null", {text: None}, text),
            (f"{text}-empty", {text: ""}, text),
            (f"{text}-blank", {text: "   "}, text),
            (f"{text}-one-over-max-length", {text: sample + "a" * (endpoint.text_max + 1 - len(sample))}, text),
            (f"{text}-100k-chars", {text: sample + "a" * 100_000}, text),
            (f"{text}-nul-byte", {text: sample + "\x00b"}, text),
            (f"{text}-only-nul", {text: "\x00"}, text),
            (f"{text}-nested-5-levels", {text: _nested_list(5)}, text),
        ]
    if flag := endpoint.bool_field:
        cases += [
            (f"{flag}-as-word", {flag: "maybe"}, flag),
            (f"{flag}-as-2", {flag: 2}, flag),
            (f"{flag}-as-list", {flag: [True]}, flag),
            (f"{flag}-as-object", {flag: {"value": True}}, flag),
            (f"{flag}-as-null", {flag: None}, flag),
            (f"{flag}-nul-byte", {flag: "true\x00"}, flag),
        ]
    for number in endpoint.int_fields:
        cases += [
            (f"{number}-as-word", {number: "sixty"}, number),
            (f"{number}-10e30", {number: 10**30}, number),
            (f"{number}-20-digits", {number: 99999999999999999999}, number),
            (f"{number}-30-digit-string", {number: "1" + "0" * 30}, number),
            (f"{number}-2000-digit-string", {number: "9" * 2000}, number),
            (f"{number}-2-to-63", {number: 2**63}, number),
            (f"{number}-2-to-31", {number: 2**31}, number),
            (f"{number}-negative", {number: -60}, number),
            (f"{number}-negative-huge", {number: -(10**30)}, number),
            (f"{number}-float", {number: 60.5}, number),
            (f"{number}-boolean", {number: True}, number),
            (f"{number}-list", {number: [60]}, number),
            (f"{number}-object", {number: {"seconds": 60}}, number),
            (f"{number}-nul-byte", {number: "60\x00"}, number),
        ]
        if number != "degradedThreshold":  # nullable
            cases.append((f"{number}-null", {number: None}, number))
    if items := endpoint.list_field:
        cases += [
            (f"{items}-as-string", {items: "mon_abc"}, items),
            (f"{items}-as-object", {items: {"id": "mon_abc"}}, items),
            (f"{items}-as-number", {items: 10**30}, items),
            (f"{items}-nul-item", {items: ["mon_\x00"]}, items),
            *(  # free-text items take a number as its text (see the pinned coercions below)
                [] if items == "expectedValues" else [(f"{items}-number-item", {items: [10**30]}, items)]
            ),
            (f"{items}-null-item", {items: [None]}, items),
            (f"{items}-nested-item", {items: [_nested_list(5)]}, items),
            (f"{items}-5000-items", {items: [f"item_{n}" for n in range(5_000)]}, items),
            (f"{items}-100k-char-item", {items: ["a" * 100_000]}, items),
        ]
    return cases + list(endpoint.extra)


def raw_cases(endpoint: Endpoint) -> list[tuple[str, bytes, int, str]]:
    """(case id, raw body, status, error code): bodies that never reach a serializer."""
    valid = json.dumps(endpoint.valid).encode()
    key = json.dumps(endpoint.text).encode()
    limit = settings.API_MAX_BODY_BYTES
    bad = "invalid_request"
    return [
        ("malformed-json", b"{" + key + b": ", 400, bad),
        ("truncated-json", valid[:-1], 400, bad),
        ("trailing-garbage", valid + b"}", 400, bad),
        ("two-objects", valid + valid, 400, bad),
        ("single-quotes", valid.replace(b'"', b"'"), 400, bad),
        ("json-array", b"[" + valid + b"]", 400, bad),
        ("empty-json-array", b"[]", 400, bad),
        ("json-string", b'"' + valid.replace(b'"', b'\\"') + b'"', 400, bad),
        ("json-number", b"42", 400, bad),
        ("json-null", b"null", 400, bad),
        ("json-true", b"true", 400, bad),
        ("nan-literal", b"{" + key + b": NaN}", 400, bad),
        ("infinity-literal", b"{" + key + b": Infinity}", 400, bad),
        ("minus-infinity-literal", b"{" + key + b": -Infinity}", 400, bad),
        ("float-overflow-literal", b"{" + key + b": 1e400}", 400, bad),
        ("deep-list-nesting", b"{" + key + b": " + b"[" * DEEP + b"]" * DEEP + b"}", 400, bad),
        ("deep-object-nesting", b'{"a": ' * DEEP + b"1" + b"}" * DEEP, 400, bad),
        ("unclosed-deep-nesting", b"[" * DEEP, 400, bad),
        ("invalid-utf8", b"{" + key + b': "\xff\xfe"}', 400, bad),
        ("lone-surrogate-escape", b"{" + key + b': "\\ud800"}', 400, bad),
        ("nul-byte-outside-string", b"{" + key + b': "x"\x00}', 400, bad),
        ("1mb-string-value", b"{" + key + b': "' + b"a" * ONE_MB + b'"}', 413, "payload_too_large"),
        ("1mb-junk", bytes(range(256)) * (ONE_MB // 256), 413, "payload_too_large"),
        ("1mb-deep-nesting", b"[" * ONE_MB, 413, "payload_too_large"),
        ("one-byte-over-limit", valid + b" " * (limit + 1 - len(valid)), 413, "payload_too_large"),
    ]


def _resolve(value, ids: dict):
    """Fill "{monitor}"-style placeholders inside a body."""
    if isinstance(value, str):
        return value.format(**ids) if value.startswith("{") and value.endswith("}") else value
    if isinstance(value, list):
        return [_resolve(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, ids) for key, item in value.items()}
    return value


FIELD_PARAMS = [
    pytest.param(endpoint, body, error_field, id=f"{endpoint.id}:{case_id}")
    for endpoint in ENDPOINTS
    for case_id, body, error_field in field_cases(endpoint)
]
RAW_PARAMS = [
    pytest.param(endpoint, body, status, code, id=f"{endpoint.id}:{case_id}")
    for endpoint in ENDPOINTS
    if endpoint.raw_cases
    for case_id, body, status, code in raw_cases(endpoint)
]
POST_ENDPOINTS = [
    pytest.param(endpoint, id=endpoint.id) for endpoint in ENDPOINTS if endpoint.method == "post" and endpoint.raw_cases
]


@pytest.fixture
def ids(org) -> dict[str, str]:
    """One object of each kind for the PUT and nested endpoints, with rows in every related table."""
    monitor = MonitorFactory(organization=org)
    tcp_monitor = MonitorFactory(organization=org, type=Monitor.Type.TCP, url="", host="db.example.com", port=5432)
    incident = incident_services.incident_create(
        organization=org, title="Outage", description="Down", impact="high", affected=[(monitor, None)]
    )
    page = status_page_services.status_page_create(organization=org, name="Status", components=[(monitor, "")])
    webhook = WebhookEndpointFactory(organization=org)
    return {
        "monitor": monitor.id,
        "tcp_monitor": tcp_monitor.id,
        "incident": incident.id,
        "page": page.id,
        "webhook": webhook.id,
    }


def send(client, endpoint: Endpoint, ids: dict, body: bytes, content_type: str = "application/json"):
    return client.generic(endpoint.method.upper(), endpoint.path.format(**ids), body, content_type=content_type)


def test_every_valid_body_is_accepted(admin, ids):
    """The baseline the other cases spoil: each valid body really is a success."""
    for endpoint in ENDPOINTS:
        body = json.dumps(_resolve(endpoint.valid, ids)).encode()
        response = send(admin, endpoint, ids, body)
        expected = 201 if endpoint.method == "post" else 200
        assert response.status_code == expected, (endpoint.id, response.content[:500])


@pytest.mark.parametrize(("endpoint", "spoiler", "error_field"), FIELD_PARAMS)
def test_bad_field_is_400_naming_the_field_and_stores_nothing(admin, ids, endpoint, spoiler, error_field):
    body = {**_resolve(endpoint.valid, ids), **_resolve(spoiler, ids)}
    before = stored_rows()

    response = send(admin, endpoint, ids, json.dumps(body).encode())

    error = assert_error(response, 400, "invalid_request")
    # A nested error is keyed "field.sub" (e.g. "headers.X-Token", "components.0").
    assert any(name == error_field or name.startswith(f"{error_field}.") for name in error["fields"]), error
    assert stored_rows() == before


@pytest.mark.parametrize(("endpoint", "body", "status", "code"), RAW_PARAMS)
def test_bad_body_is_4xx_envelope_and_stores_nothing(admin, ids, endpoint, body, status, code):
    before = stored_rows()

    response = send(admin, endpoint, ids, body)

    assert_error(response, status, code)
    assert stored_rows() == before


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", ""])
@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_json_body_is_json_whatever_the_content_type(admin, ids, endpoint, content_type):
    """`curl -d '{...}'` sends JSON as a form: the seed's examples must work as written."""
    model = endpoint.creates
    before = model.objects.count()
    body = json.dumps(_resolve(endpoint.valid, ids)).encode()

    response = send(admin, endpoint, ids, body, content_type=content_type)

    assert response.status_code == 201, response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert model.objects.count() == before + 1
    stored = model.objects.get(pk=response.json()["id"])
    assert getattr(stored, endpoint.text) == endpoint.valid[endpoint.text]


@pytest.mark.parametrize(
    "body",
    [b"name=x&type=http", b"name=x", b"url=https%3A%2F%2Fhooks.example.com%2F&name=x&permission=read"],
    ids=["monitor-fields", "one-field", "url-encoded-url"],
)
@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_form_encoded_body_is_400_and_stores_nothing(admin, ids, endpoint, body):
    before = stored_rows()

    response = send(admin, endpoint, ids, body, content_type="application/x-www-form-urlencoded")

    assert_error(response, 400, "invalid_request")
    assert stored_rows() == before


def test_multipart_body_is_400_and_stores_nothing(admin):
    before = stored_rows()

    response = admin.post("/api/monitors", {"name": "x", "type": "http", "url": "https://example.com/"})

    assert response.request["CONTENT_TYPE"].startswith("multipart/form-data")
    assert_error(response, 400, "invalid_request")
    assert stored_rows() == before


# --- lenient coercions DRF makes; pinned so a change is deliberate ---------------------------


def test_number_for_monitor_name_is_stored_as_its_text(admin):
    response = admin.post("/api/monitors", {**HTTP_MONITOR, "name": 12345}, format="json")

    assert response.status_code == 201, response.content
    assert Monitor.objects.get(pk=response.json()["id"]).name == "12345"


def test_yes_for_a_boolean_is_true(admin):
    response = admin.post("/api/monitors", {**HTTP_MONITOR, "followRedirects": "no"}, format="json")
    assert response.status_code == 201, response.content
    assert Monitor.objects.get(pk=response.json()["id"]).follow_redirects is False

    response = admin.post("/api/monitors", {**HTTP_MONITOR, "followRedirects": "yes"}, format="json")
    assert response.status_code == 201, response.content
    assert Monitor.objects.get(pk=response.json()["id"]).follow_redirects is True


def test_whole_float_for_an_integer_is_that_integer(admin):
    response = admin.post("/api/monitors", {**HTTP_MONITOR, "interval": 120.0}, format="json")

    assert response.status_code == 201, response.content
    assert Monitor.objects.get(pk=response.json()["id"]).interval == 120


# --- URLs -----------------------------------------------------------------------------------

ODD_IDS = [
    "%00",
    "mon_%00",
    "..%2f",
    "..%2F..%2Fapi-keys",
    "%2e%2e",
    "a" * 300,
    "mon_" + "a" * 61,  # one over the 64 characters an id may have
    "%ff%fe",
    "mon_%E2%9C%93",
    "mon_abc%20def",
    "mon_abc;x=1",
    "mon_doesnotexist",
    "99999999999999999999999999999999",
    "-1",
]


@pytest.mark.parametrize("odd_id", ODD_IDS)
@pytest.mark.parametrize("method", ["get", "put", "delete"])
@pytest.mark.parametrize("collection", ["monitors", "incidents", "status-pages", "webhooks"])
def test_odd_path_id_is_404_envelope(admin, collection, method, odd_id):
    before = stored_rows()

    url = f"/api/{collection}/{odd_id}"
    response = admin.get(url) if method == "get" else getattr(admin, method)(url, {"name": "x"}, format="json")

    assert_error(response, 404, "not_found")
    assert stored_rows() == before


@pytest.mark.parametrize("odd_id", ODD_IDS)
def test_odd_path_id_on_nested_and_key_routes_is_404_envelope(admin, odd_id):
    before = stored_rows()

    assert_error(admin.post(f"/api/incidents/{odd_id}/updates", {"message": "x"}, format="json"), 404, "not_found")
    assert_error(admin.delete(f"/api/api-keys/{odd_id}"), 404, "not_found")
    assert stored_rows() == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/nope",
        "/api/monitors/",  # no trailing slashes in this API
        "/api/monitors/mon_abc/nope",
        "/api/incidents/inc_abc/updates/upd_abc/nope",
        "/api/v2/monitors",
        "/api/%00",
        "/api/" + "x" * 5_000,
    ],
)
@pytest.mark.parametrize("authenticated", [True, False], ids=["with-key", "without-key"])
def test_unknown_api_path_is_404_json_envelope(admin, client, path, authenticated):
    response = (admin if authenticated else client).get(path)

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/api-keys"),
        ("put", "/api/api-keys"),
        ("delete", "/api/monitors"),
        ("put", "/api/monitors"),
        ("delete", "/api/incidents"),
        ("patch", "/api/status-pages"),
        ("delete", "/api/webhooks"),
        ("post", "/api/monitors/{monitor}"),
        ("put", "/api/api-keys/{key}"),
        ("get", "/api/incidents/{incident}/updates"),
        ("trace", "/api/monitors"),
    ],
)
def test_wrong_method_is_405_envelope(admin, ids, method, path):
    before = stored_rows()
    url = path.format(key=admin.key.id, **ids)

    response = admin.generic(method.upper(), url, b'{"name": "x"}', content_type="application/json")

    assert_error(response, 405, "method_not_allowed")
    assert stored_rows() == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/monitors?status=%00",
        "/api/monitors?category=%00",
        "/api/monitors?page=%00",
        "/api/monitors?limit=%00",
        "/api/monitors?status=UP%00",
        "/api/monitors?page=1%00",
        "/api/monitors?page=99999999999999999999999999999",
        "/api/monitors?limit=-1",
        "/api/incidents?status=%00",
        "/api/incidents?page=%00",
        "/api/status-pages?page=%00",
        "/api/webhooks?limit=%00",
        "/api/api-keys?page=%00",
    ],
)
def test_bad_query_parameter_is_400_envelope(admin, url):
    response = admin.get(url)

    error = assert_error(response, 400, "invalid_request")
    assert error["fields"], error


def test_nul_in_ignored_query_parameter_is_harmless(admin):
    response = admin.get("/api/monitors?unrelated=%00")

    assert response.status_code == 200, response.content
    assert response.json()["data"] == []

"""The check types of issue 16 through /api/monitors: ping, postgres, mysql, redis, grpc and
smtp, with their fields and defaults, the fields of other types refused, bad values refused,
and the database password: encrypted at rest, shown only as a mask, kept when the mask is sent
back, never logged, and handed decrypted to the check engine."""

import json
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.encryption import decrypt
from monitors import checking
from monitors.models import Monitor

from .test_secrets_hidden import logs  # noqa: F401 (the fixture: every logger at DEBUG, feeding one handler)

pytestmark = pytest.mark.django_db

PASSWORD = "pg-pass phrase 5521 ünï"
NEW_PASSWORD = "rotated-pass 8843"
MASK = "••••"

# type: (the least a create needs, the type's fields as the API then shows them)
MINIMAL = {
    "ping": (
        {"host": "router.example.com"},
        {"host": "router.example.com", "pingCount": 3},
    ),
    "postgres": (
        {"host": "db.example.com"},
        {"host": "db.example.com", "port": 5432, "username": "", "password": "", "database": "", "tls": False},
    ),
    "mysql": (
        {"host": "mysql.example.com"},
        {"host": "mysql.example.com", "port": 3306, "username": "", "password": "", "database": "", "tls": False},
    ),
    "redis": (
        {"host": "cache.example.com"},
        {"host": "cache.example.com", "port": 6379, "username": "", "password": "", "tls": False},
    ),
    "grpc": (
        {"host": "orders.example.com", "port": 50051},
        {"host": "orders.example.com", "port": 50051, "service": "", "tls": False},
    ),
    "smtp": (
        {"host": "mail.example.com"},
        {"host": "mail.example.com", "port": 25, "tls": False, "sslDegradedDays": 14, "sslDownDays": 3},
    ),
}
# type: a change of each of its own fields
CHANGES = {
    "ping": {"host": "10.0.0.1.example.net", "pingCount": 10},
    "postgres": {"port": 6432, "username": "monitor", "database": "orders", "tls": True},
    "mysql": {"port": 3307, "username": "monitor", "database": "shop", "tls": True},
    "redis": {"port": 6380, "username": "probe", "tls": True},
    "grpc": {"port": 443, "service": "shop.orders.v1.Orders", "tls": True},
    "smtp": {"port": 587, "tls": True, "sslDegradedDays": 30, "sslDownDays": 7},
}
# What every monitor shows whatever its type.
COMMON_KEYS = {
    *("id", "name", "type", "status", "interval", "timeout", "retries", "degradedThreshold", "retryInterval"),
    *("regions", "confirmations"),
    *("alertChannels", "reminderInterval", "escalation", "dependsOn", "acknowledgedAt", "acknowledgedBy"),
    *("lastCheck", "responseTime", "uptime", "lastError", "badgeUrl", "createdAt", "updatedAt"),
}
# Fields none of these types takes: HTTP's and DNS's.
OTHER_TYPES_FIELDS = {"url": "https://example.com/", "keyword": "OK", "recordType": "A", "grace": 60}


def create(client, body):
    return client.post("/api/monitors", body, format="json")


def put(client, monitor_id: str, body):
    return client.put(f"/api/monitors/{monitor_id}", body, format="json")


def assert_invalid(response, field: str) -> list[str]:
    """A 400 `invalid_request` whose `fields` name `field`; returns its messages."""
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in error["fields"], error
    return error["fields"][field]


def type_fields(body: dict, kind: str) -> dict:
    return {name: body[name] for name in MINIMAL[kind][1] if name in body}


def stored_password_column(monitor_id: str) -> str:
    """What a copy of the database holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM monitors_monitor WHERE id = %s", [monitor_id])
        return cursor.fetchone()[0]


def postgres_monitor(client, **fields) -> dict:
    body = {"name": "Orders DB", "type": "postgres", "host": "db.example.com", "username": "monitor"}
    response = create(client, {**body, "password": PASSWORD, **fields})
    assert response.status_code == 201, response.content
    return response.json()


# --- each type: create with its defaults, read, change ---


@pytest.mark.parametrize("kind", MINIMAL)
def test_each_type_is_created_with_its_defaults_read_back_and_listed_alike(admin, kind):
    sent, shown = MINIMAL[kind]

    response = create(admin, {"name": f"A {kind} check", "type": kind, **sent})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == kind and body["status"] == "PENDING"
    assert type_fields(body, kind) == shown
    assert set(body) == COMMON_KEYS | set(shown)  # no field of another type
    assert admin.get(f"/api/monitors/{body['id']}").json() == body
    assert admin.get(f"/api/monitors?type={kind}").json()["data"] == [body]
    stored = Monitor.objects.get(id=body["id"])
    assert (stored.type, stored.host, stored.port) == (kind, sent["host"], shown.get("port"))
    assert (stored.tls, stored.ping_count, stored.password) == (False, 3, "")


@pytest.mark.parametrize("kind", CHANGES)
def test_each_type_takes_a_change_of_its_own_fields(admin, kind):
    sent, shown = MINIMAL[kind]
    monitor_id = create(admin, {"name": f"A {kind} check", "type": kind, **sent}).json()["id"]

    response = put(admin, monitor_id, CHANGES[kind])

    assert response.status_code == 200, response.content
    assert type_fields(response.json(), kind) == shown | CHANGES[kind]
    assert type_fields(admin.get(f"/api/monitors/{monitor_id}").json(), kind) == shown | CHANGES[kind]
    stored = Monitor.objects.get(id=monitor_id)
    attributes = {"pingCount": "ping_count", "sslDegradedDays": "ssl_degraded_days", "sslDownDays": "ssl_down_days"}
    for name, value in CHANGES[kind].items():
        assert getattr(stored, attributes.get(name, name)) == value, name


def test_a_given_port_and_settings_are_kept_on_create(admin):
    body = {"name": "Shop DB", "type": "mysql", "host": "mysql.example.com", "port": 33060}
    body |= {"username": "probe", "password": PASSWORD, "database": "shop", "tls": True}

    response = create(admin, body)

    assert response.status_code == 201, response.content
    assert type_fields(response.json(), "mysql") == {
        "host": "mysql.example.com", "port": 33060, "username": "probe", "password": MASK, "database": "shop",
        "tls": True,
    }  # fmt: skip


# --- fields of other types, required fields, bad values ---


@pytest.mark.parametrize(
    ("kind", "foreign", "value"),
    [
        ("ping", "port", 22),
        ("ping", "tls", True),
        ("ping", "username", "root"),
        ("redis", "database", "0"),
        ("grpc", "password", PASSWORD),
        ("grpc", "pingCount", 3),
        ("smtp", "username", "postmaster"),
        ("smtp", "service", "mail"),
        ("postgres", "pingCount", 3),
        ("postgres", "service", "x"),
        ("mysql", "sslDegradedDays", 10),
        *((kind, name, value) for kind in ("ping", "postgres", "grpc", "smtp") for name, value in
          OTHER_TYPES_FIELDS.items()),
    ],
)  # fmt: skip
def test_a_field_of_another_type_is_refused_on_create_and_on_change(admin, kind, foreign, value):
    sent, _ = MINIMAL[kind]
    monitor_id = create(admin, {"name": "Kept", "type": kind, **sent}).json()["id"]

    on_create = create(admin, {"name": "Refused", "type": kind, **sent, foreign: value})
    on_change = put(admin, monitor_id, {foreign: value})

    for response in (on_create, on_change):
        assert assert_invalid(response, foreign) == [f"Not used by {kind} monitors."]
    assert list(Monitor.objects.values_list("name", flat=True)) == ["Kept"]


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("tcp", "tls", True),
        ("tcp", "password", PASSWORD),
        ("http", "service", "grpc.health.v1.Health"),
        ("dns", "pingCount", 3),
        ("ssl", "username", "monitor"),
        ("heartbeat", "database", "orders"),
    ],
)
def test_the_older_types_refuse_the_new_fields(admin, kind, field, value):
    bodies = {
        "tcp": {"host": "db.example.com", "port": 5432},
        "http": {"url": "https://example.com/"},
        "dns": {"host": "example.com", "recordType": "A"},
        "ssl": {"url": "https://example.com/"},
        "heartbeat": {},
    }
    response = create(admin, {"name": "X", "type": kind, **bodies[kind], field: value})

    assert assert_invalid(response, field) == [f"Not used by {kind} monitors."]
    assert not Monitor.objects.exists()


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        *(({"name": "X", "type": kind}, "host") for kind in MINIMAL),
        ({"name": "X", "type": "grpc", "host": "orders.example.com"}, "port"),
    ],
)
def test_a_missing_host_or_grpc_port_is_refused(admin, body, missing):
    assert assert_invalid(create(admin, body), missing) == [f"Required for {body['type']} monitors."]
    assert not Monitor.objects.exists()


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("postgres", "port", 0),
        ("postgres", "port", 65536),
        ("grpc", "port", -1),
        ("redis", "port", "six"),
        ("smtp", "port", None),
        ("ping", "pingCount", 0),
        ("ping", "pingCount", 11),
        ("ping", "pingCount", "three"),
        ("ping", "pingCount", 2.5),
        ("ping", "host", "not a host"),
        ("mysql", "host", "127.0.0.1"),
        ("postgres", "tls", "maybe"),
        ("postgres", "username", "ro\r\not"),
        ("mysql", "database", "shop\x00"),
        ("mysql", "database", "d" * 256),
        ("redis", "password", "p" * 1025),
        ("redis", "password", "line\nbreak"),
        ("grpc", "service", "has space"),
        ("grpc", "service", "/slash"),
        ("smtp", "sslDownDays", 30),  # above sslDegradedDays (14)
    ],
)
def test_a_bad_value_is_refused_naming_its_field_and_nothing_changes(admin, kind, field, value):
    sent, shown = MINIMAL[kind]
    monitor_id = create(admin, {"name": "Kept", "type": kind, **sent}).json()["id"]

    on_create = create(admin, {"name": "Refused", "type": kind, **sent, field: value})
    on_change = put(admin, monitor_id, {field: value})

    for response in (on_create, on_change):
        assert assert_invalid(response, field)
    assert Monitor.objects.count() == 1
    assert type_fields(admin.get(f"/api/monitors/{monitor_id}").json(), kind) == shown


@pytest.mark.parametrize(
    ("field", "value"),
    [("port", 1), ("port", 65535), ("pingCount", 1), ("pingCount", 10), ("service", ""), ("service", "a.B_c.V1")],
)
def test_values_at_the_edges_are_accepted(admin, field, value):
    kind = "ping" if field == "pingCount" else "grpc"
    sent, _ = MINIMAL[kind]

    response = create(admin, {"name": "Edge", "type": kind, **sent, field: value})

    assert response.status_code == 201, response.content
    assert response.json()[field] == value


# --- the password ---


def test_the_password_reads_as_a_mask_and_is_stored_encrypted(admin):
    created = postgres_monitor(admin)

    assert created["password"] == MASK
    assert admin.get(f"/api/monitors/{created['id']}").json()["password"] == MASK
    assert admin.get("/api/monitors").json()["data"][0]["password"] == MASK
    raw = stored_password_column(created["id"])
    assert PASSWORD not in raw and "pg-pass" not in raw
    assert decrypt(raw) == PASSWORD
    assert Monitor.objects.get(id=created["id"]).password == PASSWORD


def test_putting_the_mask_back_keeps_the_password_and_a_new_value_replaces_it(admin):
    monitor_id = postgres_monitor(admin)["id"]
    before = stored_password_column(monitor_id)

    # A client reads the monitor, changes a setting and sends the fields it read back.
    shown = admin.get(f"/api/monitors/{monitor_id}").json()
    kept = put(admin, monitor_id, {name: shown[name] for name in MINIMAL["postgres"][1]} | {"database": "orders"})

    assert kept.status_code == 200, kept.content
    assert kept.json()["password"] == MASK
    assert Monitor.objects.get(id=monitor_id).password == PASSWORD
    assert stored_password_column(monitor_id) == before  # not even re-encrypted

    changed = put(admin, monitor_id, {"password": NEW_PASSWORD})

    assert changed.status_code == 200 and changed.json()["password"] == MASK
    raw = stored_password_column(monitor_id)
    assert NEW_PASSWORD not in raw and decrypt(raw) == NEW_PASSWORD

    removed = put(admin, monitor_id, {"password": ""})

    assert removed.status_code == 200 and removed.json()["password"] == ""
    assert stored_password_column(monitor_id) == ""


@pytest.mark.parametrize("value", [MASK, MASK + "5521", "x" + MASK])
def test_a_mask_is_never_stored_as_a_password(admin, value):
    no_password = create(admin, {"name": "No password", "type": "redis", "host": "cache.example.com"}).json()["id"]
    with_password = postgres_monitor(admin)["id"]

    on_create = create(admin, {"name": "Refused", "type": "mysql", "host": "mysql.example.com", "password": value})
    on_unset = put(admin, no_password, {"password": value})
    responses = [on_create, on_unset]
    if value != MASK:  # the exact mask keeps a stored password; anything else with it is refused
        responses.append(put(admin, with_password, {"password": value}))

    for response in responses:
        assert assert_invalid(response, "password") == [
            "This is a masked value: send the whole new value, or the mask shown to keep the old one."
        ]
    assert Monitor.objects.get(id=no_password).password == ""
    assert Monitor.objects.get(id=with_password).password == PASSWORD
    assert Monitor.objects.count() == 2


def test_the_password_keeps_its_spaces(admin):
    monitor_id = postgres_monitor(admin, password="  padded  ")["id"]

    assert Monitor.objects.get(id=monitor_id).password == "  padded  "


def test_the_password_is_never_logged_nor_in_sql_nor_echoed(admin, logs):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:  # the debug cursor: statements are logged too
        monitor_id = postgres_monitor(admin)["id"]
        responses = [
            admin.get(f"/api/monitors/{monitor_id}"),
            admin.get("/api/monitors"),
            put(admin, monitor_id, {"password": MASK}),
            put(admin, monitor_id, {"password": NEW_PASSWORD, "port": 0}),  # refused: a 400 with the password
            put(admin, monitor_id, {"password": NEW_PASSWORD, "tls": True}),
            create(admin, {"name": "Bad", "type": "ping", "host": "x.example.com", "password": PASSWORD}),
        ]
        spec = checking.build_spec(checking.load([monitor_id], checking.CHECK_FIELDS)[monitor_id])

    assert [response.status_code for response in responses] == [200, 200, 200, 400, 200, 400]
    assert spec.password == NEW_PASSWORD  # what the engine is handed
    for response in responses:
        assert PASSWORD not in response.content.decode() and NEW_PASSWORD not in response.content.decode()
    for query in queries:  # a statement log of the database shows only the ciphertext
        assert PASSWORD not in query["sql"] and NEW_PASSWORD not in query["sql"]
    logs.assert_hidden(PASSWORD, NEW_PASSWORD)


def test_the_password_is_not_in_the_caplog_of_a_request_that_fails_on_it(admin, caplog):
    caplog.set_level("DEBUG")
    monitor_id = postgres_monitor(admin)["id"]

    response = admin.generic(
        "PUT",
        f"/api/monitors/{monitor_id}",
        json.dumps({"password": PASSWORD + "\n", "username": "x" * 300}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert PASSWORD not in caplog.text and PASSWORD not in response.content.decode()


# --- the check engine is handed the monitor's settings ---


def test_build_spec_hands_the_engine_the_decrypted_password_and_the_types_settings(admin):
    postgres_id = postgres_monitor(admin, database="orders", tls=True)["id"]
    grpc_id = create(admin, {"name": "G", "type": "grpc", "host": "orders.example.com", "port": 50051,
                             "service": "shop.orders.v1.Orders"}).json()["id"]  # fmt: skip
    ping_id = create(admin, {"name": "P", "type": "ping", "host": "router.example.com", "pingCount": 5}).json()["id"]

    rows = checking.load([postgres_id, grpc_id, ping_id], checking.CHECK_FIELDS)  # what a batch reads
    postgres, grpc, ping = (checking.build_spec(rows[monitor_id]) for monitor_id in (postgres_id, grpc_id, ping_id))

    assert (postgres.type, postgres.host, postgres.port) == ("postgres", "db.example.com", 5432)
    assert (postgres.username, postgres.password, postgres.database, postgres.tls) == (
        "monitor", PASSWORD, "orders", True
    )  # fmt: skip
    assert (grpc.type, grpc.port, grpc.service, grpc.tls, grpc.password) == ("grpc", 50051, "shop.orders.v1.Orders",
                                                                             False, "")  # fmt: skip
    assert (ping.type, ping.host, ping.ping_count) == ("ping", "router.example.com", 5)
    # A model instance gives the same spec as the row a batch loads.
    assert checking.build_spec(Monitor.objects.get(id=postgres_id)) == postgres


def test_an_smtp_monitor_hands_the_engine_its_certificate_thresholds(admin):
    body = {"name": "Relay", "type": "smtp", "host": "mail.example.com", "port": 587, "tls": True}
    monitor_id = create(admin, body | {"sslDegradedDays": 20, "sslDownDays": 5}).json()["id"]

    spec = checking.build_spec(Monitor.objects.get(id=monitor_id))

    assert (spec.type, spec.port, spec.tls, spec.ssl_degraded_days, spec.ssl_down_days) == ("smtp", 587, True, 20, 5)


# --- the schema ---


def test_the_schema_shows_the_new_types_and_fields_with_examples(client):
    schema = json.loads(client.get("/api/schema?format=json").content)
    monitor = schema["components"]["schemas"]["Monitor"]["properties"]
    request = schema["components"]["schemas"]["MonitorRequest"]["properties"]

    assert set(MINIMAL) <= set(schema["components"]["schemas"]["MonitorTypeEnum"]["enum"])
    for name in ("username", "password", "database", "tls", "service", "pingCount"):
        assert name in monitor and name in request, name
    assert request["pingCount"]["minimum"] == 1 and request["pingCount"]["maximum"] == 10
    assert MASK in request["password"]["description"]
    examples = schema["paths"]["/api/monitors"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert set(MINIMAL) <= {example["value"]["type"] for example in examples.values()}


# --- a real check ---


def test_a_check_reads_the_monitor_and_sends_its_stored_password_without_showing_it(admin, redis_url, settings):
    """A batch run against the Redis on loopback: without a password the check is UP; with one this
    Redis was not given, the check sent it (the server says so) and is DOWN, and the error shows no password."""
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    target = urlsplit(redis_url)
    if target.password:
        pytest.skip("this Redis has a password")
    body = {"type": "redis", "host": target.hostname, "port": target.port or 6379}
    open_id = create(admin, {"name": "Cache", **body}).json()["id"]
    with_password_id = create(admin, {"name": "Cache, with a password", **body, "password": PASSWORD}).json()["id"]

    now = timezone.now()
    assert checking.run_check_batch([(open_id, now), (with_password_id, now)]) == 2

    open_monitor, with_password = Monitor.objects.get(id=open_id), Monitor.objects.get(id=with_password_id)
    assert open_monitor.status == "UP", open_monitor.last_error
    assert with_password.status == "DOWN"
    assert "AUTH" in with_password.last_error or "password" in with_password.last_error.lower()
    assert PASSWORD not in with_password.last_error

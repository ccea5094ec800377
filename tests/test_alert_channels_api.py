"""Alert channels over the API: /api/alert-channels, /api/alert-channels/{id}, its test and deliveries.

Read keys read, write keys create and change, admin keys delete. Secrets in a channel's config
are shown in full once, in the create response, and masked everywhere after.
"""

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.plans import PLAN_LIMITS, Plan
from alerts import services
from alerts.models import DEFAULT_EVENTS, Alert, AlertAttempt, AlertChannel

from .factories import MonitorFactory, OrganizationFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

SLACK_URL = "https://hooks.slack.com/services/T0001/B0001/s3cr3tS3cr3tS3cr3tS3cr3t"
ROUTING_KEY = "R0123456789ABCDEF0123456789WXYZ"
DEFAULT = [str(event) for event in DEFAULT_EVENTS]


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) >= {"code", "message", "details"}
    return error


def snapshot() -> list[dict]:
    return list(AlertChannel.objects.order_by("pk").values())


def make_channel(org, type="slack", config=None, **fields) -> AlertChannel:
    config = config if config is not None else {"url": SLACK_URL}
    return services.channel_create(organization=org, name=f"{type} channel", type=type, config=config, **fields)


def stored_config_column(channel_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT config_json FROM alerts_alertchannel WHERE id = %s", [channel_id])
        return cursor.fetchone()[0]


# --- create ---


def test_create_returns_201_with_location_defaults_and_the_config_in_full(writer, org):
    response = writer.post(
        "/api/alert-channels", {"name": "Ops", "type": "slack", "config": {"url": SLACK_URL}}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("ach_")
    assert response["Location"] == f"/api/alert-channels/{body['id']}"
    assert body == {
        "id": body["id"],
        "name": "Ops",
        "type": "slack",
        "config": {"url": SLACK_URL},
        "events": DEFAULT,
        "allMonitors": False,
        "enabled": True,
        "disabledReason": "",
        "createdAt": body["createdAt"],
        "updatedAt": body["updatedAt"],
    }
    stored = AlertChannel.objects.get(pk=body["id"])
    assert (stored.organization, stored.name, stored.type, stored.config) == (org, "Ops", "slack", {"url": SLACK_URL})
    assert stored.events == DEFAULT


def test_create_with_every_field(writer):
    body = {
        "name": "Pager",
        "type": "pagerduty",
        "config": {"routingKey": ROUTING_KEY},
        "events": ["monitor.up", "monitor.down", "monitor.up"],
        "allMonitors": True,
        "enabled": False,
    }
    response = writer.post("/api/alert-channels", body, format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["events"] == ["monitor.down", "monitor.up"]  # deduplicated, in the documented order
    assert (created["allMonitors"], created["enabled"], created["disabledReason"]) == (True, False, "user")
    assert created["config"] == {"routingKey": ROUTING_KEY}


@pytest.mark.parametrize(
    ("type_", "config", "field", "message"),
    [
        ("slack", {}, "config.url", "This field is required."),
        ("slack", {"url": "ftp://hooks.example.com/x"}, "config.url", "Enter an http:// or https:// URL with a host."),
        ("slack", {"url": SLACK_URL, "channel": "#ops"}, "config.channel", "Unknown field."),
        ("email", {"to": ["not an address"]}, "config.to", "'not an address' is not a valid email address."),
        ("telegram", {"botToken": "nope", "chatId": "-100123"}, "config.botToken", None),
        ("pagerduty", {"routingKey": ""}, "config.routingKey", "This field is required."),
        ("slack", "https://hooks.slack.com/x", "config", None),
        ("sms", {"to": "+15550001111"}, "config.accountSid", "This field is required."),
    ],
)
def test_create_with_a_bad_config_is_400_naming_the_field_and_stores_nothing(writer, type_, config, field, message):
    response = writer.post("/api/alert-channels", {"name": "Bad", "type": type_, "config": config}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert field in error["fields"], error
    if message is not None:
        assert error["fields"][field] == [message]
    assert not AlertChannel.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "type": "carrier-pigeon", "config": {}}, "type"),
        ({"type": "slack", "config": {"url": SLACK_URL}}, "name"),
        ({"name": "X", "type": "slack"}, "config"),
        ({"name": "X", "type": "slack", "config": {"url": SLACK_URL}, "events": []}, "events"),
        ({"name": "X", "type": "slack", "config": {"url": SLACK_URL}, "events": ["webhook.test"]}, "events.0"),
        ({"name": "X", "type": "slack", "config": {"url": SLACK_URL}, "id": "ach_x"}, "id"),
        ({"name": "X", "type": "slack", "config": {"url": SLACK_URL}, "disabledReason": ""}, "disabledReason"),
        ({"name": "X", "type": "slack", "config": {"url": SLACK_URL}, "organization": "o"}, "organization"),
    ],
)
def test_create_with_a_bad_body_is_400_and_stores_nothing(writer, body, field):
    error = assert_error(writer.post("/api/alert-channels", body, format="json"), 400, "invalid_request")
    assert field in error["fields"], error
    assert not AlertChannel.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/hook", "http://10.0.0.5/hook", "http://[::1]/hook", "http://localhost/hook"],
)
def test_private_looking_urls_are_accepted_at_create(writer, url):
    # The address guard judges the address actually connected to, when an alert is sent.
    response = writer.post(
        "/api/alert-channels", {"name": "LAN", "type": "slack", "config": {"url": url}}, format="json"
    )

    assert response.status_code == 201, response.content
    assert AlertChannel.objects.get(pk=response.json()["id"]).config == {"url": url}


def test_apprise_is_refused_unless_the_server_allows_it(writer, settings):
    settings.STATUSAPP_APPRISE = False
    body = {"name": "Apprise", "type": "apprise", "config": {"url": "tgram://123456:ABCDEF/-100123"}}

    error = assert_error(writer.post("/api/alert-channels", body, format="json"), 400, "invalid_request")
    assert "STATUSAPP_APPRISE" in error["fields"]["type"][0]
    assert not AlertChannel.objects.exists()

    settings.STATUSAPP_APPRISE = True
    response = writer.post("/api/alert-channels", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["config"] == {"url": "tgram://123456:ABCDEF/-100123"}
    shown = writer.get(response["Location"]).json()["config"]
    assert shown == {"url": "tgram://••••"}


@pytest.mark.parametrize("config", [{}, {"url": "no scheme here"}, {"url": "tgram://x", "extra": 1}])
def test_apprise_config_is_checked(writer, settings, config):
    settings.STATUSAPP_APPRISE = True
    response = writer.post("/api/alert-channels", {"name": "A", "type": "apprise", "config": config}, format="json")
    error = assert_error(response, 400, "invalid_request")
    assert any(name.startswith("config.") for name in error["fields"]), error


def test_webhook_type_takes_one_of_the_organizations_endpoints(writer, org):
    endpoint = WebhookEndpointFactory(organization=org, enabled=False)

    response = writer.post(
        "/api/alert-channels", {"name": "Hook", "type": "webhook", "config": {"endpoint": endpoint.id}}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["config"] == {"endpoint": endpoint.id}
    assert writer.get(response["Location"]).json()["config"] == {"endpoint": endpoint.id}  # not a secret


@pytest.mark.parametrize("config", ["other org", "unknown", {}, {"endpoint": 5}])
def test_webhook_type_with_another_organizations_or_no_endpoint_is_400(writer, other_org, config):
    if config == "other org":
        config = {"endpoint": WebhookEndpointFactory(organization=other_org, enabled=False).id}
    elif config == "unknown":
        config = {"endpoint": "wh_doesnotexist00000000"}

    response = writer.post("/api/alert-channels", {"name": "H", "type": "webhook", "config": config}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "config.endpoint" in error["fields"]
    assert not AlertChannel.objects.exists()


def test_a_mask_sent_as_a_new_secret_is_refused(writer):
    body = {"name": "S", "type": "slack", "config": {"url": "https://hooks.slack.com/••••"}}
    error = assert_error(writer.post("/api/alert-channels", body, format="json"), 400, "invalid_request")
    assert "masked value" in error["fields"]["config.url"][0]


def test_create_past_the_plan_limit_is_403(make_client):
    organization = OrganizationFactory(plan=Plan.FREE)
    writer = make_client(organization, "write")
    for _ in range(PLAN_LIMITS[Plan.FREE].alert_channels):
        make_channel(organization)

    response = writer.post(
        "/api/alert-channels", {"name": "One more", "type": "slack", "config": {"url": SLACK_URL}}, format="json"
    )

    error = assert_error(response, 403, "forbidden")
    assert error["message"] == "The free plan allows 2 alert channels."
    assert AlertChannel.objects.filter(organization=organization).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_cannot_pass_the_plan_limit(make_client):
    threads = 6
    organization = OrganizationFactory(plan=Plan.FREE)
    clients = [make_client(organization, "write") for _ in range(threads)]
    make_channel(organization)  # one below the limit
    start = threading.Barrier(threads)

    def post(index: int) -> int:
        try:
            start.wait()
            body = {"name": f"C{index}", "type": "slack", "config": {"url": SLACK_URL}}
            return clients[index].post("/api/alert-channels", body, format="json").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(post, range(threads)))

    assert sorted(statuses) == [201] + [403] * (threads - 1), statuses
    assert AlertChannel.objects.filter(organization=organization).count() == 2


# --- masking ---


def test_secrets_are_masked_in_detail_and_list_and_encrypted_at_rest(writer, reader):
    created = writer.post(
        "/api/alert-channels",
        {"name": "Pager", "type": "pagerduty", "config": {"routingKey": ROUTING_KEY}},
        format="json",
    ).json()
    slack = writer.post(
        "/api/alert-channels", {"name": "Slack", "type": "slack", "config": {"url": SLACK_URL}}, format="json"
    ).json()

    detail = reader.get(f"/api/alert-channels/{created['id']}")
    listed = reader.get("/api/alert-channels")

    assert detail.status_code == listed.status_code == 200
    assert detail.json()["config"] == {"routingKey": "••••WXYZ"}
    by_id = {item["id"]: item for item in listed.json()["data"]}
    assert by_id[created["id"]]["config"] == {"routingKey": "••••WXYZ"}
    assert by_id[slack["id"]]["config"] == {"url": "https://hooks.slack.com/••••"}
    for response in (detail, listed):
        assert ROUTING_KEY not in response.content.decode()
        assert "s3cr3t" not in response.content.decode()
    for channel_id, secret in ((created["id"], ROUTING_KEY), (slack["id"], "s3cr3t")):
        column = stored_config_column(channel_id)
        assert secret not in column
        assert "hooks.slack.com" not in column  # the whole config is encrypted, not just the secret
    assert AlertChannel.objects.get(pk=created["id"]).config == {"routingKey": ROUTING_KEY}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://ntfy.sh/my-secret-topic", "https://ntfy.sh/••••"),
        ("https://user:pw@chat.example.com:8443/hooks/abc", "https://chat.example.com:8443/••••"),
        ("short-token", "••••"),
        ("tk_0123456789abcdefghijklmnop", "••••mnop"),
        ("mailto://user:pass@example.com", "mailto://••••"),
    ],
)
def test_mask_shows_no_secret(value, shown):
    assert services.mask(value) == shown


def test_ntfy_optional_token_is_masked_too(writer):
    config = {"url": "https://ntfy.sh/my-secret-topic", "token": "tk_0123456789abcdefghijklmnop"}
    created = writer.post("/api/alert-channels", {"name": "N", "type": "ntfy", "config": config}, format="json")
    assert created.status_code == 201, created.content
    assert writer.get(created["Location"]).json()["config"] == {"url": "https://ntfy.sh/••••", "token": "••••mnop"}


# --- update ---


def test_put_back_the_masked_config_with_a_new_name_keeps_the_secret(writer, org):
    channel = make_channel(org, "pagerduty", {"routingKey": ROUTING_KEY})
    shown = writer.get(f"/api/alert-channels/{channel.id}").json()

    response = writer.put(
        f"/api/alert-channels/{channel.id}", {"name": "Renamed", "config": shown["config"]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"
    assert response.json()["config"] == {"routingKey": "••••WXYZ"}
    channel.refresh_from_db()
    assert (channel.name, channel.config) == ("Renamed", {"routingKey": ROUTING_KEY})


def test_put_a_config_without_its_secret_keeps_the_secret_and_changes_the_rest(writer, org):
    channel = make_channel(org, "telegram", {"botToken": "123456:" + "A" * 35, "chatId": "-100123"})

    response = writer.put(f"/api/alert-channels/{channel.id}", {"config": {"chatId": "@opsroom"}}, format="json")

    assert response.status_code == 200, response.content
    channel.refresh_from_db()
    assert channel.config == {"botToken": "123456:" + "A" * 35, "chatId": "@opsroom"}


def test_put_a_new_secret_replaces_it(writer, org):
    channel = make_channel(org)
    new_url = "https://hooks.slack.com/services/T0002/B0002/n3wN3wN3wN3wN3wN3wN3w"

    response = writer.put(f"/api/alert-channels/{channel.id}", {"config": {"url": new_url}}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["config"] == {"url": "https://hooks.slack.com/••••"}
    channel.refresh_from_db()
    assert channel.config == {"url": new_url}


def test_put_null_clears_an_optional_secret(writer, org):
    channel = make_channel(org, "ntfy", {"url": "https://ntfy.sh/topic-x", "token": "tk_0123456789abcdefghij"})

    response = writer.put(f"/api/alert-channels/{channel.id}", {"config": {"token": None}}, format="json")

    assert response.status_code == 200, response.content
    channel.refresh_from_db()
    assert channel.config == {"url": "https://ntfy.sh/topic-x"}


def test_put_another_mask_is_400_and_changes_nothing(writer, org):
    channel = make_channel(org)
    before = snapshot()

    response = writer.put(
        f"/api/alert-channels/{channel.id}", {"config": {"url": "https://evil.example.com/••••"}}, format="json"
    )

    error = assert_error(response, 400, "invalid_request")
    assert "config.url" in error["fields"]
    assert snapshot() == before


def test_changing_the_type_needs_the_new_types_config(writer, org):
    channel = make_channel(org)
    before = snapshot()

    refused = writer.put(f"/api/alert-channels/{channel.id}", {"type": "email"}, format="json")
    assert "config" in assert_error(refused, 400, "invalid_request")["fields"]
    assert snapshot() == before

    changed = writer.put(
        f"/api/alert-channels/{channel.id}", {"type": "email", "config": {"to": ["a@example.com"]}}, format="json"
    )
    assert changed.status_code == 200, changed.content
    channel.refresh_from_db()
    assert (channel.type, channel.config) == ("email", {"to": ["a@example.com"]})


@pytest.mark.parametrize(
    "body",
    [
        {"config": {"url": "not a url"}},
        {"config": {"url": SLACK_URL, "extra": "x"}},
        {"events": ["nope"]},
        {"name": ""},
        {"id": "ach_other"},
        {"createdAt": "2020-01-01T00:00:00Z"},
        {"unknown": 1},
    ],
)
def test_put_with_a_bad_body_is_400_and_changes_nothing(writer, org, body):
    channel = make_channel(org)
    before = snapshot()

    assert_error(writer.put(f"/api/alert-channels/{channel.id}", body, format="json"), 400, "invalid_request")
    assert snapshot() == before


def test_disabling_cancels_pending_alerts_and_enabling_clears_the_reason(writer, org):
    channel = make_channel(org)
    now = timezone.now()
    pending = Alert.objects.create(channel=channel, kind="down", message="{}", created_at=now, next_attempt_at=now)
    delivered = Alert.objects.create(
        channel=channel, kind="up", message="{}", created_at=now, status=Alert.Status.DELIVERED, finished_at=now
    )

    response = writer.put(f"/api/alert-channels/{channel.id}", {"enabled": False}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["enabled"], response.json()["disabledReason"]) == (False, "user")
    pending.refresh_from_db()
    delivered.refresh_from_db()
    assert (pending.status, delivered.status) == (Alert.Status.CANCELLED, Alert.Status.DELIVERED)
    assert pending.finished_at is not None

    enabled = writer.put(f"/api/alert-channels/{channel.id}", {"enabled": True}, format="json").json()
    assert (enabled["enabled"], enabled["disabledReason"]) == (True, "")


# --- delete ---


def test_delete_removes_the_channel_and_its_id_from_the_organizations_monitors(admin, org, other_org):
    channel = make_channel(org)
    keep = make_channel(org, "email", {"to": ["a@example.com"]})
    named = MonitorFactory(
        organization=org,
        alert_channels=[channel.id, keep.id],
        escalation=[
            {"afterMinutes": 5, "channels": [channel.id]},
            {"afterMinutes": 10, "channels": [keep.id, channel.id]},
        ],
    )
    unrelated = MonitorFactory(organization=org, alert_channels=[keep.id])
    # Another organization's monitor naming the id (it cannot, through the API) is left alone.
    foreign = MonitorFactory(organization=other_org, alert_channels=[channel.id])

    response = admin.delete(f"/api/alert-channels/{channel.id}")

    assert response.status_code == 204
    assert not AlertChannel.objects.filter(pk=channel.id).exists()
    named.refresh_from_db()
    assert named.alert_channels == [keep.id]
    assert named.escalation == [{"afterMinutes": 10, "channels": [keep.id]}]
    unrelated.refresh_from_db()
    assert unrelated.alert_channels == [keep.id]
    foreign.refresh_from_db()
    assert foreign.alert_channels == [channel.id]


def test_delete_takes_its_alerts_and_attempts_with_it(admin, org):
    channel = make_channel(org)
    alert = Alert.objects.create(channel=channel, kind="test", message="{}", created_at=timezone.now())
    AlertAttempt.objects.create(delivery=alert, attempted_at=timezone.now(), status_code=500, duration_ms=3)

    assert admin.delete(f"/api/alert-channels/{channel.id}").status_code == 204
    assert not Alert.objects.exists()
    assert not AlertAttempt.objects.exists()


# --- permissions and organizations ---


@pytest.fixture
def channel(org):
    return make_channel(org)


CALLS = [
    ("GET", "/api/alert-channels", None, "read", 200),
    ("GET", "/api/alert-channels/{id}", None, "read", 200),
    ("GET", "/api/alert-channels/{id}/deliveries", None, "read", 200),
    ("POST", "/api/alert-channels", {"name": "N", "type": "email", "config": {"to": ["a@example.com"]}}, "write", 201),
    ("PUT", "/api/alert-channels/{id}", {"name": "Renamed"}, "write", 200),
    ("POST", "/api/alert-channels/{id}/test", None, "write", 202),
    ("DELETE", "/api/alert-channels/{id}", None, "admin", 204),
]
LEVELS = {"read": 1, "write": 2, "admin": 3}


@pytest.mark.parametrize("permission", ["read", "write", "admin"])
@pytest.mark.parametrize(("method", "path", "body", "level", "success"), CALLS)
def test_permission_matrix(make_client, org, channel, permission, method, path, body, level, success):
    client = make_client(org, permission)
    before = snapshot()

    data = "" if body is None else json.dumps(body)
    response = client.generic(method, path.format(id=channel.id), data, content_type="application/json")

    if LEVELS[permission] < LEVELS[level]:
        assert_error(response, 403, "forbidden")
        assert snapshot() == before
    else:
        assert response.status_code == success, response.content


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/alert-channels/{id}", None),
        ("PUT", "/api/alert-channels/{id}", {"name": "Mine now"}),
        ("DELETE", "/api/alert-channels/{id}", None),
        ("POST", "/api/alert-channels/{id}/test", None),
        ("GET", "/api/alert-channels/{id}/deliveries", None),
    ],
)
def test_another_organizations_channel_is_404_and_unchanged(outsider, channel, method, path, body):
    before = snapshot()
    url = path.format(id=channel.id)
    response = getattr(outsider, method.lower())(url, body, format="json") if body else outsider.generic(method, url)

    assert_error(response, 404, "not_found")
    assert snapshot() == before
    assert not Alert.objects.exists()


def test_another_organizations_channel_is_not_listed(outsider, channel):
    response = outsider.get("/api/alert-channels")
    assert response.status_code == 200
    assert response.json()["data"] == []


def test_no_key_is_401(client, channel):
    assert_error(client.get("/api/alert-channels"), 401, "unauthorized")
    assert_error(client.get(f"/api/alert-channels/{channel.id}"), 401, "unauthorized")


# --- list ---


def test_list_is_paginated_newest_first(reader, org):
    ids = [make_channel(org).id for _ in range(3)]

    first = reader.get("/api/alert-channels?limit=2")
    second = reader.get("/api/alert-channels?limit=2&page=2")

    assert first.status_code == second.status_code == 200
    assert first.json()["pagination"] == {"page": 1, "limit": 2, "total": 3, "pages": 2}
    assert second.json()["pagination"] == {"page": 2, "limit": 2, "total": 3, "pages": 2}
    listed = [item["id"] for item in first.json()["data"] + second.json()["data"]]
    assert listed == ids[::-1]


@pytest.mark.parametrize("query", ["page=0", "limit=x", "type=fax", "enabled=yes", "type="])
def test_list_with_a_bad_parameter_is_400(reader, query):
    assert_error(reader.get(f"/api/alert-channels?{query}"), 400, "invalid_request")


def test_list_filters_by_type_enabled_and_name(reader, org):
    slack = make_channel(org)
    email = make_channel(org, "email", {"to": ["a@example.com"]}, enabled=False)

    def listed(query: str) -> list[str]:
        response = reader.get(f"/api/alert-channels?{query}")
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["data"]]

    assert listed("type=slack") == [slack.id]
    assert listed("enabled=false") == [email.id]
    assert listed("enabled=true") == [slack.id]
    assert listed("search=EMAIL") == [email.id]
    assert listed("type=email&enabled=true") == []


def test_list_queries_do_not_grow_with_channels(steady_request_plumbing, reader, org):
    for _ in range(5):
        make_channel(org)
    reader.get("/api/alert-channels")  # warm-up
    few = measured(reader, "/api/alert-channels?limit=100", 5)
    for _ in range(45):
        make_channel(org)
    many = measured(reader, "/api/alert-channels?limit=100", 50)

    # API key, rate-limit update, page with its total
    assert len(few) == len(many) == 3, many


# --- deliveries and the test alert ---


def measured(client, url: str, items: int) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content
    assert len(response.json()["data"]) == items
    return [query["sql"] for query in context.captured_queries]


def make_alerts(channel, count: int, attempts: int = 2) -> list[Alert]:
    made = []
    base = timezone.now() - timedelta(hours=1)
    monitor = MonitorFactory(organization=channel.organization)
    for n in range(count):
        alert = Alert.objects.create(
            channel=channel,
            monitor=monitor if n % 2 else None,
            kind="down" if n % 2 else "test",
            message="{}",
            created_at=base + timedelta(seconds=n),
            status=Alert.Status.FAILED,
            attempts=attempts,
            finished_at=base + timedelta(seconds=n, milliseconds=500),
        )
        for a in range(attempts):
            AlertAttempt.objects.create(
                delivery=alert,
                attempted_at=base + timedelta(seconds=n, milliseconds=a),
                status_code=500 + a,
                duration_ms=10 + a,
                error=f"HTTP {500 + a}",
                response_head="oops",
            )
        made.append(alert)
    return made


def test_deliveries_are_listed_newest_first_with_every_attempt_newest_first(reader, channel):
    alerts = make_alerts(channel, 3)

    response = reader.get(f"/api/alert-channels/{channel.id}/deliveries?limit=2")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["pagination"] == {"page": 1, "limit": 2, "total": 3, "pages": 2}
    newest = body["data"][0]
    assert [item["id"] for item in body["data"]] == [alerts[2].id, alerts[1].id]
    assert newest == {
        "id": alerts[2].id,
        "kind": "test",
        "status": "failed",
        "attempts": 2,
        "nextAttemptAt": None,
        "createdAt": newest["createdAt"],
        "finishedAt": newest["finishedAt"],
        "monitor": None,
        "attemptLog": [
            {
                "attemptedAt": newest["attemptLog"][0]["attemptedAt"],
                "statusCode": 501,
                "durationMs": 11,
                "error": "HTTP 501",
                "response": "oops",
            },
            {
                "attemptedAt": newest["attemptLog"][1]["attemptedAt"],
                "statusCode": 500,
                "durationMs": 10,
                "error": "HTTP 500",
                "response": "oops",
            },
        ],
    }
    assert body["data"][1]["monitor"] == alerts[1].monitor_id


def test_deliveries_filter_by_status_and_show_only_this_channel(reader, org, channel):
    other = make_channel(org)
    make_alerts(other, 2)
    pending = Alert.objects.create(channel=channel, kind="down", message="{}", created_at=timezone.now())

    everything = reader.get(f"/api/alert-channels/{channel.id}/deliveries").json()
    only_pending = reader.get(f"/api/alert-channels/{channel.id}/deliveries?status=pending").json()

    assert [item["id"] for item in everything["data"]] == [pending.id]
    assert [item["id"] for item in only_pending["data"]] == [pending.id]
    assert_error(reader.get(f"/api/alert-channels/{channel.id}/deliveries?status=lost"), 400, "invalid_request")


def test_deliveries_queries_do_not_grow_with_alerts_or_attempts(steady_request_plumbing, reader, channel):
    make_alerts(channel, 3, attempts=1)
    url = f"/api/alert-channels/{channel.id}/deliveries?limit=100"
    reader.get(url)  # warm-up
    few = measured(reader, url, 3)
    make_alerts(channel, 47, attempts=4)
    many = measured(reader, url, 50)

    # API key, rate-limit update, the channel, page with its total, attempts (one prefetch)
    assert len(few) == len(many) == 5, many


def test_test_alert_is_queued_and_answered_202(writer, channel):
    response = writer.post(f"/api/alert-channels/{channel.id}/test")

    assert response.status_code == 202, response.content
    body = response.json()
    alert = Alert.objects.get(channel=channel)
    assert body["id"] == alert.id
    assert (body["kind"], body["monitor"]) == (alert.kind, None)
    assert body["status"] in ("pending", "delivered", "failed")


def test_test_alert_to_a_disabled_channel_is_400_and_queues_nothing(writer, org):
    channel = make_channel(org, enabled=False)

    error = assert_error(writer.post(f"/api/alert-channels/{channel.id}/test"), 400, "invalid_request")

    assert 'enable it with PUT {"enabled": true}' in error["message"]
    assert not Alert.objects.exists()


# --- logs ---


def test_secrets_sent_in_refused_and_accepted_requests_are_not_logged(writer, caplog):
    caplog.set_level(logging.DEBUG)
    writer.post(
        "/api/alert-channels",
        {"name": "P", "type": "pagerduty", "config": {"routingKey": ROUTING_KEY}, "bogus": 1},
        format="json",
    )
    created = writer.post(
        "/api/alert-channels", {"name": "P", "type": "pagerduty", "config": {"routingKey": ROUTING_KEY}}, format="json"
    )
    assert created.status_code == 201
    writer.put(created["Location"], {"config": {"routingKey": ROUTING_KEY[::-1]}}, format="json")

    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert ROUTING_KEY not in logged
    assert ROUTING_KEY[::-1] not in logged

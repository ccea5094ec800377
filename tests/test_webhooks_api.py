"""Webhook endpoints over the API: /api/webhooks and /api/webhooks/{id} (admin keys only)."""

import base64

import pytest

from webhooks.models import EventType, WebhookEndpoint

from .factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

ALL_EVENTS = ["monitor.down", "monitor.up", "incident.created", "incident.updated", "incident.resolved"]


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) >= {"code", "message", "details"}
    return error


def snapshot() -> list[dict]:
    return list(WebhookEndpoint.objects.order_by("pk").values())


@pytest.fixture
def endpoint(org):
    # Disabled so that nothing in these tests could ever try to deliver to it.
    return WebhookEndpointFactory(
        organization=org,
        url="https://hooks.example.com/existing",
        events=["monitor.down", "monitor.up"],
        description="Existing",
        enabled=False,
    )


# --- create ---


def test_create_returns_201_with_secret_shown_once(admin, org):
    response = admin.post(
        "/api/webhooks",
        {"url": "https://hooks.example.com/x", "events": ["monitor.down", "incident.created"]},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("wh_")
    assert body["url"] == "https://hooks.example.com/x"
    assert body["events"] == ["monitor.down", "incident.created"]
    assert body["enabled"] is True
    secret = body["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    stored = WebhookEndpoint.objects.get(pk=body["id"])
    assert stored.organization == org
    assert stored.url == "https://hooks.example.com/x"
    assert stored.events == ["monitor.down", "incident.created"]
    assert stored.secret == secret


def test_each_endpoint_gets_its_own_secret(admin):
    first = admin.post("/api/webhooks", {"url": "https://hooks.example.com/a"}, format="json")
    second = admin.post("/api/webhooks", {"url": "https://hooks.example.com/b"}, format="json")

    assert first.status_code == second.status_code == 201
    assert first.json()["secret"] != second.json()["secret"]


def test_secret_is_not_in_detail_or_list_responses(admin):
    created = admin.post("/api/webhooks", {"url": "https://hooks.example.com/x"}, format="json")
    assert created.status_code == 201, created.content
    endpoint_id, secret = created.json()["id"], created.json()["secret"]
    secret_b64 = secret.removeprefix("whsec_")

    detail = admin.get(f"/api/webhooks/{endpoint_id}")
    listing = admin.get("/api/webhooks")
    updated = admin.put(f"/api/webhooks/{endpoint_id}", {"description": "changed"}, format="json")

    for response in (detail, listing, updated):
        assert response.status_code == 200, response.content
        text = response.content.decode()
        assert secret not in text
        assert secret_b64 not in text
        assert '"secret"' not in text
    assert detail.json()["id"] == endpoint_id
    assert [item["id"] for item in listing.json()["data"]] == [endpoint_id]


def test_create_without_events_subscribes_to_all_five(admin):
    response = admin.post("/api/webhooks", {"url": "https://hooks.example.com/x"}, format="json")

    assert response.status_code == 201, response.content
    assert sorted(response.json()["events"]) == sorted(ALL_EVENTS)
    assert sorted(WebhookEndpoint.objects.get(pk=response.json()["id"]).events) == sorted(EventType.values)
    assert sorted(EventType.values) == sorted(ALL_EVENTS)


@pytest.mark.parametrize(
    "events",
    [["monitor.down", "monitor.exploded"], ["MONITOR.DOWN"], [""], [None], "monitor.down", None, [], {}],
    ids=["unknown", "wrong-case", "blank", "null-item", "string", "null", "empty-list", "object"],
)
def test_create_with_bad_events_is_400_and_stores_nothing(admin, events):
    response = admin.post("/api/webhooks", {"url": "https://hooks.example.com/x", "events": events}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert any(name.startswith("events") for name in error["fields"])
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["ftp://x", "nope", "", "http://", "javascript:alert(1)", "https://exa mple.com/", None, 42]
)
def test_create_with_bad_url_is_400_and_stores_nothing(admin, url):
    response = admin.post("/api/webhooks", {"url": url}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "url" in error["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_create_without_url_is_400(admin):
    error = assert_error(
        admin.post("/api/webhooks", {"events": ["monitor.down"]}, format="json"), 400, "invalid_request"
    )
    assert "url" in error["fields"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("field", ["secret", "id", "createdAt", "organization"])
def test_create_with_read_only_or_unknown_field_is_400(admin, field):
    response = admin.post("/api/webhooks", {"url": "https://hooks.example.com/x", field: "whsec_chosen"}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert field in error["fields"]
    assert not WebhookEndpoint.objects.exists()


# --- update ---


def test_put_enabled_false_is_a_partial_update(admin, org):
    created = admin.post(
        "/api/webhooks",
        {"url": "https://hooks.example.com/x", "events": ["incident.created"], "description": "Ops"},
        format="json",
    )
    assert created.status_code == 201, created.content
    endpoint_id = created.json()["id"]
    before = WebhookEndpoint.objects.get(pk=endpoint_id)

    response = admin.put(f"/api/webhooks/{endpoint_id}", {"enabled": False}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["enabled"] is False
    assert response.json()["url"] == "https://hooks.example.com/x"
    assert response.json()["events"] == ["incident.created"]
    stored = WebhookEndpoint.objects.get(pk=endpoint_id)
    assert stored.enabled is False
    assert stored.url == before.url
    assert stored.events == before.events
    assert stored.description == before.description
    assert stored.secret == before.secret


def test_put_events_and_url_are_stored(admin, endpoint):
    response = admin.put(
        f"/api/webhooks/{endpoint.id}",
        {"url": "https://hooks.example.com/new", "events": ["incident.resolved"]},
        format="json",
    )

    assert response.status_code == 200, response.content
    stored = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert stored.url == "https://hooks.example.com/new"
    assert stored.events == ["incident.resolved"]
    assert stored.secret == endpoint.secret


@pytest.mark.parametrize(
    "body",
    [{"events": []}, {"events": ["nope"]}, {"url": "ftp://x"}, {"secret": "whsec_mine"}, {"enabled": "maybe"}],
    ids=["empty-events", "unknown-event", "bad-url", "secret", "bad-enabled"],
)
def test_put_with_bad_body_is_400_and_changes_nothing(admin, endpoint, body):
    before = snapshot()

    assert_error(admin.put(f"/api/webhooks/{endpoint.id}", body, format="json"), 400, "invalid_request")
    assert snapshot() == before


# --- delete ---


def test_delete_returns_204_and_removes_endpoint(admin, endpoint):
    response = admin.delete(f"/api/webhooks/{endpoint.id}")

    assert response.status_code == 204
    assert response.content == b""
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert_error(admin.get(f"/api/webhooks/{endpoint.id}"), 404, "not_found")


# --- other organizations ---


def test_other_org_endpoint_is_404_on_get(outsider, endpoint):
    assert_error(outsider.get(f"/api/webhooks/{endpoint.id}"), 404, "not_found")


def test_other_org_endpoint_is_404_on_put_and_unchanged(outsider, endpoint):
    before = snapshot()
    assert_error(outsider.put(f"/api/webhooks/{endpoint.id}", {"enabled": True}, format="json"), 404, "not_found")
    assert snapshot() == before


def test_other_org_endpoint_is_404_on_delete_and_kept(outsider, endpoint):
    assert_error(outsider.delete(f"/api/webhooks/{endpoint.id}"), 404, "not_found")
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_other_org_endpoint_is_invisible_in_list(outsider, endpoint):
    response = outsider.get("/api/webhooks")

    assert response.status_code == 200
    assert response.json()["data"] == []
    assert endpoint.id not in response.content.decode()


# --- permissions: admin only, even for GET ---

ENDPOINT_CALLS = [
    ("GET", "/api/webhooks", None),
    ("GET", "/api/webhooks/{id}", None),
    ("POST", "/api/webhooks", {"url": "https://hooks.example.com/x"}),
    ("PUT", "/api/webhooks/{id}", {"description": "changed"}),
    ("DELETE", "/api/webhooks/{id}", None),
]
CALL_IDS = ["list", "detail", "create", "update", "delete"]


def call(client, method: str, path: str, body, endpoint):
    url = path.format(id=endpoint.id)
    if body is None:
        return getattr(client, method.lower())(url)
    return getattr(client, method.lower())(url, body, format="json")


@pytest.mark.parametrize("permission", ["read", "write"])
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINT_CALLS, ids=CALL_IDS)
def test_read_and_write_keys_get_403_on_every_webhook_endpoint(
    make_client, org, endpoint, permission, method, path, body
):
    client = make_client(org, permission)
    before = snapshot()

    response = call(client, method, path, body, endpoint)

    assert_error(response, 403, "forbidden")
    assert endpoint.secret not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [(*c, s) for c, s in zip(ENDPOINT_CALLS, [200, 200, 201, 200, 204], strict=True)],
    ids=CALL_IDS,
)
def test_admin_key_is_allowed_on_every_webhook_endpoint(admin, endpoint, method, path, body, expected):
    response = call(admin, method, path, body, endpoint)

    assert response.status_code == expected, response.content

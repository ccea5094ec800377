"""The permission matrix: every endpoint and method against every kind of caller.

read = GET only; write = read + create/update; admin = everything, including DELETE,
webhooks and API keys. No, malformed, unknown, revoked or expired key: 401.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apikeys.models import ApiKey
from apikeys.services import api_key_create, api_key_revoke
from incidents.models import AffectedComponent, Incident, IncidentUpdate
from monitors.models import Monitor
from statuspages.models import StatusPage, StatusPageComponent
from webhooks.models import WebhookEndpoint

from .factories import IncidentFactory, MonitorFactory, StatusPageFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

SUCCESS = {"GET": 200, "POST": 201, "PUT": 200, "DELETE": 204}


@dataclass(frozen=True)
class Case:
    """One endpoint and method; `level` is the permission it needs."""

    name: str
    method: str
    path: str  # formatted with the `world` fixture's ids
    level: str  # "read", "write" or "admin"
    body: dict[str, Any] | None = field(default=None)

    def send(self, client: APIClient, world: dict[str, str]):
        url = self.path.format(**world)
        if self.body is None:
            return getattr(client, self.method.lower())(url)
        return getattr(client, self.method.lower())(url, fill(self.body, world), format="json")


def fill(value, world: dict[str, str]):
    """Replace "{monitor}"-style placeholders in a body with the world's ids."""
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    return value


CASES = [
    # Monitors
    Case("monitors-list", "GET", "/api/monitors", "read"),
    Case("monitors-detail", "GET", "/api/monitors/{monitor}", "read"),
    Case(
        "monitors-create",
        "POST",
        "/api/monitors",
        "write",
        {"name": "API Health Check", "type": "http", "url": "https://api.example.com/health", "interval": 60},
    ),
    Case("monitors-update", "PUT", "/api/monitors/{monitor}", "write", {"name": "Updated Name", "status": "PAUSED"}),
    Case("monitors-delete", "DELETE", "/api/monitors/{monitor}", "admin"),
    # Incidents
    Case("incidents-list", "GET", "/api/incidents", "read"),
    Case("incidents-detail", "GET", "/api/incidents/{incident}", "read"),
    Case(
        "incidents-create",
        "POST",
        "/api/incidents",
        "write",
        {
            "title": "Database Maintenance",
            "description": "Planned maintenance on primary database",
            "status": "INVESTIGATING",
            "affectedComponents": ["{monitor}"],
            "impact": "high",
        },
    ),
    Case(
        "incidents-update",
        "PUT",
        "/api/incidents/{incident}",
        "write",
        {"status": "RESOLVED", "update": "Issue resolved. All systems operational."},
    ),
    Case("incidents-delete", "DELETE", "/api/incidents/{incident}", "admin"),
    Case(
        "incidents-add-update",
        "POST",
        "/api/incidents/{incident}/updates",
        "write",
        {"message": "Investigating database connectivity issues", "notifySubscribers": True},
    ),
    # Status pages
    Case("status-pages-list", "GET", "/api/status-pages", "read"),
    Case("status-pages-detail", "GET", "/api/status-pages/{page}", "read"),
    Case(
        "status-pages-create",
        "POST",
        "/api/status-pages",
        "write",
        {"name": "Second page", "components": ["{monitor}"]},
    ),
    Case(
        "status-pages-update",
        "PUT",
        "/api/status-pages/{page}",
        "write",
        {"name": "Updated Name", "description": "Updated description"},
    ),
    Case("status-pages-delete", "DELETE", "/api/status-pages/{page}", "admin"),
    # Webhooks: admin only, GET included
    Case("webhooks-list", "GET", "/api/webhooks", "admin"),
    Case("webhooks-detail", "GET", "/api/webhooks/{webhook}", "admin"),
    Case("webhooks-create", "POST", "/api/webhooks", "admin", {"url": "https://hooks.example.com/x"}),
    Case("webhooks-update", "PUT", "/api/webhooks/{webhook}", "admin", {"description": "changed"}),
    Case("webhooks-delete", "DELETE", "/api/webhooks/{webhook}", "admin"),
    # API keys: admin only, GET included
    Case("api-keys-list", "GET", "/api/api-keys", "admin"),
    Case("api-keys-create", "POST", "/api/api-keys", "admin", {"name": "ci", "permission": "admin"}),
    Case("api-keys-delete", "DELETE", "/api/api-keys/{spare_key}", "admin"),
]
CASE_IDS = [case.name for case in CASES]
LEVELS = {"read": 1, "write": 2, "admin": 3}


@pytest.fixture
def world(org) -> dict[str, str]:
    """One object of each kind in `org`, by public id."""
    monitor = MonitorFactory(organization=org)
    incident = IncidentFactory(organization=org)
    page = StatusPageFactory(organization=org)
    StatusPageComponent.objects.create(page=page, monitor=monitor, position=0)
    # Disabled, so no test here could deliver to it.
    webhook = WebhookEndpointFactory(organization=org, enabled=False)
    spare_key, _ = api_key_create(organization=org, name="spare", permission="read")
    return {
        "monitor": monitor.id,
        "incident": incident.id,
        "page": page.id,
        "webhook": webhook.id,
        "spare_key": spare_key.id,
    }


SNAPSHOT_MODELS = [
    Monitor,
    Incident,
    IncidentUpdate,
    AffectedComponent,
    StatusPage,
    StatusPageComponent,
    WebhookEndpoint,
    ApiKey,
]


def snapshot() -> dict[str, list[dict]]:
    """Every row a request could change (but an API key's last-used time, which any request may touch)."""
    state = {}
    for model in SNAPSHOT_MODELS:
        columns = [f.attname for f in model._meta.concrete_fields if f.name != "last_used_at"]
        state[model.__name__] = list(model.objects.order_by("pk").values(*columns))
    return state


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) >= {"code", "message", "details"}
    return error


def assert_unauthorized(response) -> None:
    assert_error(response, 401, "unauthorized")
    assert response.has_header("WWW-Authenticate")
    assert response["WWW-Authenticate"].lower().startswith("bearer")


# --- read, write and admin keys ---


@pytest.mark.parametrize("permission", ["read", "write", "admin"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_permission_matrix(make_client, org, world, permission, case):
    client = make_client(org, permission)
    before = snapshot()

    response = case.send(client, world)

    if LEVELS[permission] < LEVELS[case.level]:
        assert_error(response, 403, "forbidden")
        assert snapshot() == before, "a forbidden request changed the database"
    else:
        assert response.status_code == SUCCESS[case.method], response.content
        if case.method == "GET":
            assert snapshot() == before
        else:
            assert snapshot() != before, "a successful write changed nothing"


def test_matrix_covers_every_level_as_documented():
    # read = GET of monitors/incidents/status pages; write adds create/update; DELETE, webhooks and keys are admin.
    for case in CASES:
        if case.name.startswith(("webhooks", "api-keys")) or case.method == "DELETE":
            assert case.level == "admin", case.name
        elif case.method == "GET":
            assert case.level == "read", case.name
        else:
            assert case.level == "write", case.name
    assert {(case.path.split("/")[2], case.method) for case in CASES} >= {
        (resource, method)
        for resource in ("monitors", "incidents", "status-pages", "webhooks")
        for method in ("GET", "POST", "PUT", "DELETE")
    }


# --- callers without a usable key ---

UNUSABLE = ["no-key", "token-scheme", "bearer-without-key", "bearer-bad-key", "unknown-key", "forged-secret"]
UNUSABLE += ["revoked", "expired"]


def unusable_client(persona: str, org) -> APIClient:
    client = APIClient()
    if persona == "no-key":
        return client
    if persona in ("revoked", "expired", "forged-secret"):
        key, raw_key = api_key_create(organization=org, name=persona, permission="admin")
        if persona == "revoked":
            api_key_revoke(key=key)
        elif persona == "expired":
            key.expires_at = timezone.now() - timedelta(seconds=1)
            key.save(update_fields=["expires_at"])
        else:
            secret = raw_key.rsplit("_", 1)[1]
            raw_key = raw_key[: -len(secret)] + ("A" if secret[0] != "A" else "B") + secret[1:]
        header = f"Bearer {raw_key}"
    else:
        header = {
            "token-scheme": "Token x",
            "bearer-without-key": "Bearer",
            "bearer-bad-key": "Bearer sk_live_bad",
            "unknown-key": "Bearer sk_live_" + "a" * 12 + "_" + "B" * 43,
        }[persona]
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.mark.parametrize("persona", UNUSABLE)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_no_usable_key_is_401_everywhere(org, world, persona, case):
    client = unusable_client(persona, org)
    before = snapshot()

    response = case.send(client, world)

    assert_unauthorized(response)
    assert snapshot() == before


# --- keys in the query string are not accepted ---


@pytest.mark.parametrize("param", ["api_key", "key", "access_token"])
def test_key_in_query_string_is_not_accepted_for_get(admin, world, param):
    response = APIClient().get(f"/api/monitors?{param}={admin.raw_key}")

    assert_unauthorized(response)
    assert world["monitor"] not in response.content.decode()


@pytest.mark.parametrize("param", ["api_key", "key"])
def test_key_in_query_string_is_not_accepted_for_post(admin, world, param):
    before = snapshot()

    response = APIClient().post(
        f"/api/monitors?{param}={admin.raw_key}",
        {"name": "Sneaky", "type": "http", "url": "https://example.com"},
        format="json",
    )

    assert_unauthorized(response)
    assert snapshot() == before


@pytest.mark.parametrize("param", ["api_key", "key"])
def test_key_in_request_body_is_not_accepted(admin, world, param):
    before = snapshot()

    response = APIClient().post(
        "/api/monitors",
        {param: admin.raw_key, "name": "Sneaky", "type": "http", "url": "https://example.com"},
        format="json",
    )

    assert_unauthorized(response)
    assert snapshot() == before

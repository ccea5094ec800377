"""Every create in the API answers 201 with `Location: <its own path>`, and that path reads it back.

DRF's default took a `url` field for `Location`, so a monitor's create pointed at the
monitor's target. The list below is checked against the schema: a new create endpoint
that is not in it fails `test_every_create_in_the_schema_is_covered`.
"""

from collections.abc import Callable
from datetime import timedelta

import pytest
import yaml
from django.utils import timezone

from .factories import IncidentFactory, MonitorFactory, StatusPageFactory

pytestmark = pytest.mark.django_db


def _in_hours(n: int) -> str:
    return (timezone.now() + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


# (collection path in the schema, how to make the path's objects, the body to create with)
CREATES: dict[str, tuple[Callable[[object], dict], Callable[[dict], dict]]] = {
    "/api/monitors": (
        lambda org: {},
        lambda ids: {"name": "API Health Check", "type": "http", "url": "https://api.example.com/health"},
    ),
    "/api/incidents": (
        lambda org: {"monitor": MonitorFactory(organization=org).id},
        lambda ids: {"title": "Slow API", "status": "INVESTIGATING", "affectedComponents": [ids["monitor"]]},
    ),
    "/api/incidents/{id}/updates": (
        lambda org: {"id": IncidentFactory(organization=org).id},
        lambda ids: {"status": "IDENTIFIED", "message": "A bad deploy; rolling back."},
    ),
    "/api/maintenances": (
        lambda org: {},
        lambda ids: {"title": "Database upgrade", "startsAt": _in_hours(24), "endsAt": _in_hours(26)},
    ),
    "/api/status-pages": (lambda org: {}, lambda ids: {"name": "Acme Status"}),
    "/api/status-pages/{id}/subscribers": (
        lambda org: {"id": StatusPageFactory(organization=org).id},
        lambda ids: {"email": "ops@example.com", "confirmed": True},
    ),
    "/api/webhooks": (lambda org: {}, lambda ids: {"url": "https://hooks.example.com/statusapp"}),
    "/api/alert-channels": (
        lambda org: {},
        lambda ids: {"name": "Ops", "type": "email", "config": {"to": ["ops@example.com"]}},
    ),
    "/api/api-keys": (lambda org: {}, lambda ids: {"name": "CI", "permission": "read"}),
}


@pytest.mark.parametrize("collection", sorted(CREATES))
def test_create_answers_location_of_the_new_object(admin, org, collection):
    make_ids, make_body = CREATES[collection]
    ids = make_ids(org)
    path = collection.replace("{id}", ids.get("id", ""))

    response = admin.post(path, make_body(ids), format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert response["Location"] == f"{path}/{created['id']}"
    fetched = admin.get(response["Location"])
    assert fetched.status_code == 200, fetched.content
    assert fetched.json()["id"] == created["id"]


def test_a_monitor_location_is_not_its_target_url(admin):
    body = {"name": "Shop", "type": "http", "url": "https://shop.example.com/"}
    response = admin.post("/api/monitors", body, format="json")
    assert response.status_code == 201
    assert response["Location"].startswith("/api/monitors/mon_")
    assert "shop.example.com" not in response["Location"]


def test_a_refused_create_has_no_location(admin):
    response = admin.post("/api/monitors", {"name": "No target", "type": "http"}, format="json")
    assert response.status_code == 400
    assert "Location" not in response


def test_every_create_in_the_schema_is_covered_and_documents_location(client):
    schema = yaml.safe_load(client.get("/api/schema").content)
    creates = {
        path: methods["post"]["responses"]["201"]
        for path, methods in schema["paths"].items()
        if "201" in methods.get("post", {}).get("responses", {})
    }
    assert set(creates) == set(CREATES)
    for response in creates.values():
        assert response["headers"]["Location"]["schema"] == {"type": "string"}

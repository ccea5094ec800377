"""The examples /api/docs shows are true: every request-body example in /api/schema is a
request the API accepts, every error example carries the code of its status, and the schema
speaks to users (no internal words)."""

import json
from datetime import UTC, datetime

import pytest
import yaml

from alerts import services as alert_services
from incidents import maintenance as maintenance_services
from statusapp.api.errors import CODES

from .factories import IncidentFactory, MonitorFactory, StatusPageFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db

# The monitor id the examples name, replaced by one of the caller's monitors.
EXAMPLE_MONITOR_ID = "mon_123"


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def body_examples(schema: dict) -> list[tuple[str, str, str, dict]]:
    """(path, method, example name, body) for every request-body example."""
    found = []
    for path, method, operation in operations(schema):
        content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        for name, example in content.get("examples", {}).items():
            found.append((path, method, name, example["value"]))
    return found


def test_every_request_body_has_an_example(schema):
    with_body = {(path, method) for path, method, operation in operations(schema) if "requestBody" in operation}
    with_example = {(path, method) for path, method, _, _ in body_examples(schema)}

    assert with_body, "no operation takes a body?"
    assert with_body == with_example, sorted(with_body - with_example)


def existing_object_id(path: str, organization) -> str:
    """A fresh object of the caller's for the `{id}` of this path."""
    collection = path.split("/")[2]
    if collection == "monitors":
        return MonitorFactory(organization=organization).id
    if collection == "incidents":
        return IncidentFactory(organization=organization).id
    if collection == "status-pages":
        return StatusPageFactory(organization=organization).id
    if collection == "webhooks":
        return WebhookEndpointFactory(organization=organization).id
    if collection == "maintenances":
        return maintenance_services.maintenance_create(
            organization=organization,
            title="Database upgrade",
            starts_at=datetime(2030, 1, 15, 2, tzinfo=UTC),
            ends_at=datetime(2030, 1, 15, 4, tzinfo=UTC),
        ).id
    if collection == "alert-channels":
        return alert_services.channel_create(
            organization=organization, name="Ops", type="email", config={"to": ["ops@example.com"]}
        ).id
    raise AssertionError(f"no object to make for {path}: add it here")


def test_every_request_body_example_is_accepted(schema, admin):
    examples = body_examples(schema)
    organization = admin.organization  # on a plan with room for every example
    monitor_id = MonitorFactory(organization=organization, name="API Server").id
    refused = []

    for path, method, name, body in examples:
        url = path.replace("{id}", existing_object_id(path, organization)) if "{id}" in path else path
        sent = json.loads(json.dumps(body).replace(f'"{EXAMPLE_MONITOR_ID}"', f'"{monitor_id}"'))
        response = admin.generic(method, url, json.dumps(sent), content_type="application/json")
        if not 200 <= response.status_code < 300:
            refused.append((method, path, name, response.status_code, response.content[:300]))
            continue
        if response.status_code == 201:  # what it created is there
            assert admin.get(response["Location"]).status_code == 200, (method, path, name)

    assert not refused, refused
    # Every example was sent: each monitor create, for one, made its monitor.
    assert len(examples) >= 30
    created = {monitor.name for monitor in organization.monitors.all()}
    monitor_creates = [
        body["name"] for path, method, _, body in examples if (path, method) == ("/api/monitors", "POST")
    ]
    assert "API Health Check" in monitor_creates
    assert set(monitor_creates) <= created


def test_error_examples_carry_the_code_of_their_status(schema):
    seen = set()
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            examples = response["content"]["application/json"].get("examples", {})
            assert examples, (method, path, status)
            for example in examples.values():
                error = example["value"]["error"]
                assert error["code"] == CODES[int(status)], (method, path, status, error)
                assert {"code", "message", "details"} <= set(error)
                assert ("fields" in error) == (status == "400")
                seen.add(status)
    assert seen == {"400", "401", "403", "404", "413", "429"}


def test_schema_has_no_internal_words(client):
    text = client.get("/api/schema").content.decode()

    assert "seed" not in text.lower()

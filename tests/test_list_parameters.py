"""A list's query parameters: pagination (`page`, `limit`), the filters, what a bad value
answers, and how /api/schema documents them."""

from datetime import timedelta

import pytest
import yaml
from django.utils import timezone

from apikeys.services import api_key_create
from incidents import maintenance as maintenance_services
from incidents.models import IncidentStatus, MaintenanceStatus
from monitors.models import Monitor
from webhooks.models import Delivery, EventType

from .factories import IncidentFactory, MonitorFactory, StatusPageFactory

pytestmark = pytest.mark.django_db


def assert_invalid_parameter(response, name: str) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert set(error["fields"]) == {name}, error
    return error


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/monitors?limit=abc", "limit"),
        ("/api/monitors?limit=0", "limit"),
        ("/api/monitors?limit=-5", "limit"),
        ("/api/monitors?page=abc", "page"),
        ("/api/monitors?page=0", "page"),
        ("/api/incidents?page=1.5", "page"),
        ("/api/events?limit=abc", "limit"),
    ],
)
def test_a_bad_page_or_limit_names_itself_in_the_message(admin, url, name):
    error = assert_invalid_parameter(admin.get(url), name)

    # Not "Must be a positive integer.", which reads like a plan limit.
    assert error["details"] == f"{name} must be a positive integer."
    assert error["fields"][name] == [f"{name} must be a positive integer."]


# --- filters (django-filter FilterSets in <app>/filters.py) --------------------------------


def ids_of(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["data"]}


@pytest.fixture
def fleet(org) -> dict[str, Monitor]:
    return {
        "api": MonitorFactory(organization=org, name="Public API", status=Monitor.Status.UP),
        "shop": MonitorFactory(organization=org, name="Shop front", status=Monitor.Status.DOWN),
        "db": MonitorFactory(
            organization=org, name="Primary DB", type=Monitor.Type.TCP, url="", host="db.example.com", port=5432
        ),
    }


@pytest.mark.parametrize("param", ["type", "category"])
def test_monitors_filter_by_type_under_both_names(admin, fleet, param):
    assert ids_of(admin.get(f"/api/monitors?{param}=tcp")) == {fleet["db"].id}
    assert ids_of(admin.get(f"/api/monitors?{param}=http")) == {fleet["api"].id, fleet["shop"].id}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=api", {"api"}),  # any case
        ("search=PRIMARY%20db", {"db"}),
        ("search=o", {"shop"}),  # contains, not starts with
        ("search=nothing", set()),
        ("search=", {"api", "shop", "db"}),  # an empty search is no search
        ("status=UP&type=http", {"api"}),
        ("status=DOWN&search=front&category=http", {"shop"}),
        ("status=DOWN&type=tcp", set()),
    ],
)
def test_monitors_search_and_filters_combine(admin, fleet, query, expected):
    response = admin.get(f"/api/monitors?{query}")

    assert ids_of(response) == {fleet[name].id for name in expected}
    assert response.json()["pagination"]["total"] == len(expected)


def test_search_finds_incidents_maintenances_pages_and_keys_by_name(admin, org):
    incident = IncidentFactory(organization=org, title="Login errors")
    IncidentFactory(organization=org, title="Slow search")
    page = StatusPageFactory(organization=org, name="Acme Cloud")
    StatusPageFactory(organization=org, name="Internal")
    window = maintenance_services.maintenance_create(
        organization=org,
        title="Database UPGRADE",
        description="",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=2),
        monitors=[],
    )
    ci_key, _ = api_key_create(organization=org, name="CI deploys", permission="read")

    assert ids_of(admin.get("/api/incidents?search=LOGIN")) == {incident.id}
    assert ids_of(admin.get("/api/status-pages?search=cloud")) == {page.id}
    assert ids_of(admin.get("/api/maintenances?search=upgrade")) == {window.id}
    assert ids_of(admin.get("/api/api-keys?search=ci%20dep")) == {ci_key.id}


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/monitors?type=gopher", "type"),
        ("/api/monitors?type=HTTP", "type"),
        ("/api/monitors?type=", "type"),
        ("/api/monitors?category=icmp", "category"),
        ("/api/monitors?status=ONLINE", "status"),
        ("/api/monitors?status=UP%00", "status"),
        ("/api/monitors?search=a%00b", "search"),
        (f"/api/monitors?search={'x' * 201}", "search"),
        ("/api/incidents?status=OPEN", "status"),
        ("/api/incidents?search=%00", "search"),
        ("/api/maintenances?status=done", "status"),
        ("/api/status-pages?search=%00", "search"),
        ("/api/api-keys?search=%00", "search"),
        ("/api/events?type=monitor", "type"),
    ],
)
def test_a_bad_filter_value_is_400_naming_the_parameter(admin, url, name):
    assert_invalid_parameter(admin.get(url), name)


def test_a_bad_choice_lists_the_values_it_takes(admin):
    error = assert_invalid_parameter(admin.get("/api/monitors?type=gopher"), "type")

    assert error["message"] == "Invalid monitor type"
    assert error["fields"]["type"] == [
        "Must be one of: http, keyword, tcp, dns, ssl, heartbeat, ping, postgres, mysql, redis, grpc, smtp."
    ]


def test_filters_do_not_apply_to_a_detail_lookup(admin, fleet):
    assert admin.get(f"/api/monitors/{fleet['db'].id}?type=http&search=nothing").status_code == 200
    assert admin.get(f"/api/api-keys/{admin.key.id}?search=nothing").status_code == 200


def test_a_kept_list_page_is_per_filter(redis_url, admin, org, fleet):
    for _ in range(2):  # the second of each is served from the page this process kept
        assert ids_of(admin.get("/api/monitors?type=tcp")) == {fleet["db"].id}
        assert ids_of(admin.get("/api/monitors?type=http&search=shop")) == {fleet["shop"].id}
        assert_invalid_parameter(admin.get("/api/monitors?type=gopher"), "type")

    added = MonitorFactory(organization=org, name="Replica DB", type=Monitor.Type.TCP, url="", host="r.example.com")
    assert ids_of(admin.get("/api/monitors?type=tcp")) == {fleet["db"].id, added.id}


# --- the filters in /api/schema ----------------------------------------------------------


@pytest.fixture
def schema(client) -> dict:
    return yaml.safe_load(client.get("/api/schema").content)


def query_parameters(schema: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"}


@pytest.mark.parametrize(
    ("path", "name", "enum"),
    [
        ("/api/monitors", "type", Monitor.Type.values),
        ("/api/monitors", "category", Monitor.Type.values),
        ("/api/monitors", "status", Monitor.Status.values),
        ("/api/monitors/{id}/checks", "status", ["UP", "DEGRADED", "DOWN"]),
        ("/api/incidents", "status", IncidentStatus.values),
        ("/api/maintenances", "status", MaintenanceStatus.values),
        ("/api/events", "type", EventType.values),
        ("/api/webhooks/{id}/deliveries", "status", Delivery.Status.values),
    ],
)
def test_schema_documents_each_choice_filter_with_its_values(schema, path, name, enum):
    parameter = query_parameters(schema, path)[name]

    assert sorted(parameter["schema"]["enum"]) == sorted(enum)
    assert parameter["description"]
    assert parameter.get("required", False) is False


@pytest.mark.parametrize(
    "path", ["/api/monitors", "/api/incidents", "/api/maintenances", "/api/status-pages", "/api/api-keys"]
)
def test_schema_documents_search(schema, path):
    parameter = query_parameters(schema, path)["search"]

    assert parameter["schema"] == {"type": "string", "maxLength": 200}
    assert "any case" in parameter["description"]

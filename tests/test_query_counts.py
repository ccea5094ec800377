"""No N+1: a list page of 100 items costs the same queries as a page of 5, and the number is pinned.

Each figure carries a comment naming its queries. The first request of a test does one-off
work (the API key's last-used time, written at most once a minute; the rate limiter's row for
the hour), so every test makes a warm-up request and measures the ones after it.
"""

import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys import services as api_key_services
from incidents import services as incident_services
from incidents.models import ComponentStatus
from monitors.models import Monitor
from statuspages.models import StatusPageComponent

from .factories import MonitorFactory, StatusPageFactory, WebhookEndpointFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_request_plumbing")]

# Every request: the API key with its organization (one plain query), then the rate limiter's
# conditional counter UPDATE ... RETURNING the new count.
PER_REQUEST = 2


def measure(client, url: str, expected_items: int | None = None) -> list[str]:
    """The SQL one GET runs (after checking it succeeded and listed what it should)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    if expected_items is not None:
        body = response.json()
        assert len(body["data"]) == expected_items
        assert body["pagination"]["total"] == expected_items
    return [query["sql"] for query in context.captured_queries]


def show(queries: list[str]) -> str:
    return "\n".join(f"{n}. {sql[:160]}" for n, sql in enumerate(queries, 1))


def assert_constant(few: list[str], many: list[str], expected: int) -> None:
    assert len(few) == len(many), f"5 items:\n{show(few)}\n\n100 items:\n{show(many)}"
    assert len(many) == expected, show(many)


# --- list endpoints --------------------------------------------------------------------------


def make_monitors(org, count: int) -> None:
    """Every monitor type, so every branch of the representation runs; each depends on the
    org's first monitor and the one made before it."""
    kinds = [
        {"type": Monitor.Type.HTTP, "request_headers": {"X-Token": "t"}},
        {"type": Monitor.Type.KEYWORD, "keyword": "ok"},
        {"type": Monitor.Type.SSL},
        {"type": Monitor.Type.TCP, "url": "", "host": "db.example.com", "port": 5432},
        {
            "type": Monitor.Type.DNS,
            "url": "",
            "host": "example.com",
            "record_type": "A",
            "expected_values": ["1.2.3.4"],
        },
        {"type": Monitor.Type.HEARTBEAT, "url": "", "ping_token": None},
    ]
    for n in range(count):
        kind = dict(kinds[n % len(kinds)])
        if kind["type"] == Monitor.Type.HEARTBEAT:
            kind["ping_token"] = secrets.token_urlsafe(24)
        monitor = MonitorFactory(organization=org, **kind)
        earlier = Monitor.objects.filter(organization=org).exclude(id=monitor.id).order_by("created_at", "id")
        monitor.depends_on.set({m.id for m in (earlier.first(), earlier.last()) if m is not None})


def test_monitor_list_queries_do_not_grow_with_monitors(admin, org):
    make_monitors(org, 5)
    admin.get("/api/monitors")  # warm-up
    few = measure(admin, "/api/monitors?limit=100", 5)
    make_monitors(org, 95)
    many = measure(admin, "/api/monitors?limit=100", 100)

    # API key, rate-limit update, page with its total and its monitors' 24h uptime,
    # the page's dependencies (dependsOn)
    assert_constant(few, many, PER_REQUEST + 2)


@pytest.mark.parametrize("filters", ["category=tcp", "type=tcp&status=PENDING&search=MONITOR"])
def test_filtered_monitor_list_queries_do_not_grow_with_monitors(admin, org, filters):
    make_monitors(org, 6)
    admin.get("/api/monitors")  # warm-up
    few = measure(admin, f"/api/monitors?limit=100&{filters}", 1)
    make_monitors(org, 594)
    many = measure(admin, f"/api/monitors?limit=100&{filters}", 100)

    # API key, rate-limit update, page with its total and its monitors' 24h uptime,
    # the page's dependencies (dependsOn)
    assert_constant(few, many, PER_REQUEST + 2)


def make_incidents(org, count: int) -> None:
    """Incidents with two affected components each (one with its own status) and two updates."""
    for _ in range(count):
        first, second = MonitorFactory(organization=org), MonitorFactory(organization=org)
        incident = incident_services.incident_create(
            organization=org,
            title="Database degraded",
            impact="high",
            affected=[(first, None), (second, ComponentStatus.MAJOR_OUTAGE)],
        )
        incident_services.incident_add_update(incident=incident, message="Failing over")


def test_incident_list_queries_do_not_grow_with_incidents(admin, org):
    make_incidents(org, 5)
    admin.get("/api/incidents")  # warm-up
    few = measure(admin, "/api/incidents?limit=100", 5)
    make_incidents(org, 95)
    many = measure(admin, "/api/incidents?limit=100", 100)

    # API key, rate-limit update, page with its total,
    # affected components with their monitors' names (one prefetch, joined)
    assert_constant(few, many, PER_REQUEST + 2)


@pytest.mark.parametrize("filters", ["status=INVESTIGATING", "status=INVESTIGATING&search=database"])
def test_filtered_incident_list_queries_do_not_grow_with_incidents(admin, org, filters):
    make_incidents(org, 5)
    admin.get("/api/incidents")  # warm-up
    few = measure(admin, f"/api/incidents?limit=100&{filters}", 5)
    make_incidents(org, 95)
    many = measure(admin, f"/api/incidents?limit=100&{filters}", 100)

    # API key, rate-limit update, page with its total, affected components + monitors
    assert_constant(few, many, PER_REQUEST + 2)


def make_status_pages(org, count: int) -> None:
    """Pages with three components each (the factory, since the plan caps pages at 20)."""
    for _ in range(count):
        page = StatusPageFactory(organization=org)
        for position in range(3):
            StatusPageComponent.objects.create(page=page, monitor=MonitorFactory(organization=org), position=position)


def test_status_page_list_queries_do_not_grow_with_pages(admin, org):
    make_status_pages(org, 5)
    admin.get("/api/status-pages")  # warm-up
    few = measure(admin, "/api/status-pages?limit=100", 5)
    make_status_pages(org, 95)
    many = measure(admin, "/api/status-pages?limit=100", 100)

    # API key, rate-limit update, page with its total, components (one prefetch)
    assert_constant(few, many, PER_REQUEST + 2)


def test_webhook_list_queries_do_not_grow_with_endpoints(admin, org):
    WebhookEndpointFactory.create_batch(5, organization=org)
    admin.get("/api/webhooks")  # warm-up
    few = measure(admin, "/api/webhooks?limit=100", 5)
    WebhookEndpointFactory.create_batch(95, organization=org)
    many = measure(admin, "/api/webhooks?limit=100", 100)

    # API key, rate-limit update, page with its total
    assert_constant(few, many, PER_REQUEST + 1)


def make_api_keys(org, count: int) -> None:
    """Keys in every state: plain, expiring, revoked."""
    for n in range(count):
        expires_at = timezone.now() + timedelta(days=30) if n % 3 == 1 else None
        key, _ = api_key_services.api_key_create(
            organization=org, name=f"key {n}", permission=["read", "write", "admin"][n % 3], expires_at=expires_at
        )
        if n % 3 == 2:
            api_key_services.api_key_revoke(key=key)


def test_api_key_list_queries_do_not_grow_with_keys(admin, org):
    make_api_keys(org, 4)  # and the admin key itself: 5
    admin.get("/api/api-keys")  # warm-up
    few = measure(admin, "/api/api-keys?limit=100", 5)
    make_api_keys(org, 95)
    many = measure(admin, "/api/api-keys?limit=100", 100)

    # API key, rate-limit update, page with its total
    assert_constant(few, many, PER_REQUEST + 1)


# --- detail endpoints with related rows ------------------------------------------------------


def make_incident(org, size: int):
    """An incident with `size` affected components and `size` timeline entries."""
    monitors = [MonitorFactory(organization=org) for _ in range(size)]
    incident = incident_services.incident_create(
        organization=org, title="Outage", impact="critical", affected=[(monitor, None) for monitor in monitors]
    )
    for n in range(size - 1):  # the creation entry is the first
        incident_services.incident_add_update(incident=incident, message=f"Update {n}")
    return incident


def test_incident_detail_queries_do_not_grow_with_updates_and_components(admin, org):
    small, large = make_incident(org, 5), make_incident(org, 50)
    admin.get("/api/incidents")  # warm-up

    few = measure(admin, f"/api/incidents/{small.id}")
    many = measure(admin, f"/api/incidents/{large.id}")
    body = admin.get(f"/api/incidents/{large.id}").json()
    assert len(body["updates"]) == 50
    assert len(body["components"]) == 50

    # API key, rate-limit update, incident, affected components + monitors, updates
    assert len(few) == len(many), f"5:\n{show(few)}\n\n50:\n{show(many)}"
    assert len(many) == PER_REQUEST + 3, show(many)


def test_status_page_detail_queries_do_not_grow_with_components(admin, org):
    small, large = StatusPageFactory(organization=org), StatusPageFactory(organization=org)
    for page, size in ((small, 5), (large, 50)):
        for position in range(size):
            StatusPageComponent.objects.create(page=page, monitor=MonitorFactory(organization=org), position=position)
    admin.get("/api/status-pages")  # warm-up

    few = measure(admin, f"/api/status-pages/{small.id}")
    many = measure(admin, f"/api/status-pages/{large.id}")
    assert len(admin.get(f"/api/status-pages/{large.id}").json()["components"]) == 50

    # API key, rate-limit update, page, components
    assert len(few) == len(many), f"5:\n{show(few)}\n\n50:\n{show(many)}"
    assert len(many) == PER_REQUEST + 2, show(many)


def test_warm_up_request_is_what_pays_the_one_off_writes(admin, org):
    """Why the tests above warm up: the first request writes last-used and opens the hour's counter."""
    make_monitors(org, 5)

    first = measure(admin, "/api/monitors?limit=100", 5)
    second = measure(admin, "/api/monitors?limit=100", 5)

    assert len(second) == PER_REQUEST + 2, show(second)  # page, with totals and uptimes; dependencies
    assert len(first) > len(second), show(first)
    assert any("last_used_at" in sql and sql.lstrip().upper().startswith("UPDATE") for sql in first), show(first)

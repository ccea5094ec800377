"""Plan limits hold under concurrent creates: the count and the insert are one step.

Eight API requests for one organization one below its limit start at the same moment, each in its own thread
with its own database connection; exactly one is created and the other seven get the plan-limit 403. Each test
runs ROUNDS organizations in turn: on PostgreSQL without the organization row lock one round often lets several
through, but not always. On SQLite it passes because IMMEDIATE transactions let one writer in at a time.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from accounts.plans import PLAN_LIMITS, Plan
from monitors.models import Monitor
from statuspages.models import StatusPage
from webhooks.models import WebhookEndpoint

from .factories import MonitorFactory, OrganizationFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
ROUNDS = 3
FREE = PLAN_LIMITS[Plan.FREE]


def create_at_once(clients, path: str, bodies: list[dict]) -> list[int]:
    """POST bodies[i] with clients[i], all released together; the status codes."""
    start = threading.Barrier(len(clients))

    def post(index: int) -> int:
        try:
            start.wait()
            return clients[index].post(path, bodies[index], format="json").status_code
        finally:
            connections.close_all()  # this thread's connection, before the test database is flushed

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(post, range(len(clients))))


@pytest.fixture
def org_clients(make_client):
    """ROUNDS (organization, its THREADS API clients)."""
    organizations = [OrganizationFactory(plan=Plan.FREE) for _ in range(ROUNDS)]
    return [(org, [make_client(org, "admin") for _ in range(THREADS)]) for org in organizations]


def assert_one_created(statuses: list[int]) -> None:
    assert sorted(statuses) == [201] + [403] * (THREADS - 1), statuses


def test_concurrent_monitor_creates_cannot_pass_the_limit(org_clients):
    bodies = [{"name": f"M{i}", "type": "http", "url": f"https://e{i}.example.com/"} for i in range(THREADS)]
    for organization, clients in org_clients:
        MonitorFactory.create_batch(FREE.monitors - 1, organization=organization)

        statuses = create_at_once(clients, "/api/monitors", bodies)

        assert_one_created(statuses)
        assert Monitor.objects.filter(organization=organization).count() == FREE.monitors


def test_concurrent_status_page_creates_cannot_pass_the_limit(org_clients):
    assert FREE.status_pages == 1  # at limit - 1 with none yet
    for round_, (organization, clients) in enumerate(org_clients):
        bodies = [{"name": f"Page {i}", "slug": f"page-{round_}-{i}"} for i in range(THREADS)]

        statuses = create_at_once(clients, "/api/status-pages", bodies)

        assert_one_created(statuses)
        assert StatusPage.objects.filter(organization=organization).count() == FREE.status_pages


def test_concurrent_webhook_creates_cannot_pass_the_limit(org_clients):
    bodies = [{"url": f"https://hooks{i}.example.com/in", "events": ["monitor.down"]} for i in range(THREADS)]
    for organization, clients in org_clients:
        WebhookEndpointFactory.create_batch(FREE.webhooks - 1, organization=organization)

        statuses = create_at_once(clients, "/api/webhooks", bodies)

        assert_one_created(statuses)
        assert WebhookEndpoint.objects.filter(organization=organization).count() == FREE.webhooks

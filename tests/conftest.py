import os
import time
import uuid
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from apikeys.services import api_key_create

from .factories import OrganizationFactory

REQUIRE_SERVICES = os.environ.get("STATUSAPP_REQUIRE_SERVICES") == "1"
# The fault tests stop and flush their PostgreSQL and Redis: they run only under
# `python -m faults` (make faults), which gives them a private pair.
collect_ignore = [] if os.environ.get("STATUSAPP_FAULTS_DIR") else ["faults"]


@pytest.fixture(scope="session", autouse=True)
def _webhook_recorder_disconnects(django_db_setup):
    """The webhook sender's recorder thread keeps its database connection for a moment
    after its last write; the test database can be dropped only once it has let go."""
    yield
    from webhooks import sender

    if sender._sender is not None:
        sender._sender.wait_idle(10)
        time.sleep(sender.IDLE_DISCONNECT + 0.5)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item):
    """Before any fixture is torn down, webhook requests still in flight get their answer
    and it is recorded: written later, an attempt would race the test database's flush."""
    from webhooks import sender

    if sender._sender is not None and sender._sender.pid == os.getpid():
        sender._sender.wait_idle(15)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # A send run inline records a prompt answer itself, on the test's connection, even
    # on a busy CI machine (the production wait is 250 ms).
    settings.WEBHOOK_TASK_FIRST_WAIT = 0.5
    # Redis outlives a test run: give each test its own rate-limit and cache keys (failed
    # login counts, rendered pages).
    prefix = f"test:{uuid.uuid4().hex}"
    settings.RATELIMIT_KEY_PREFIX = prefix
    settings.CACHES = {name: {**config, "KEY_PREFIX": prefix} for name, config in settings.CACHES.items()}


@pytest.fixture(autouse=True)
def _forget_what_processes_keep():
    """Each test starts with nothing kept per process (API keys, pages, rendered lists).

    A test's database is rolled back behind the caches' backs, which production never
    does: a slug or a key seen in one test could otherwise be served in the next.
    """
    from accounts import generation
    from apikeys import services as apikey_services
    from monitors.api import views as monitor_views
    from statuspages import access, page_cache

    for kept in (
        apikey_services._kept,
        apikey_services._organization_of_key,
        monitor_views._pages,
        access._kept,
        access._organization_of,
        page_cache._local,
        generation._seen,
    ):
        kept.clear()


@pytest.fixture
def steady_request_plumbing(settings, monkeypatch):
    """Pins what every API request costs in queries, with or without Redis, for the
    query-count tests: the rate limiter counts in the database (2 queries a request; in
    Redis it would be none), on one clock (an hour boundary mid-test would add a new
    window's INSERT), and the throttles' counters live in memory (in the database cache
    they would add a query)."""
    from accounts import ratelimit

    settings.REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    now = ratelimit.time.time()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))


def require_service(name: str, env_var: str) -> str:
    """The service URL, or a skip (a failure in CI, where every service must be there)."""
    url = os.environ.get(env_var, "")
    if not url:
        message = f"{name} not configured: set {env_var} to run this test"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def redis_url() -> str:
    return require_service("Redis", "REDIS_URL")


@pytest.fixture
def org(db):
    return OrganizationFactory()


@pytest.fixture
def other_org(db):
    return OrganizationFactory()


class KeyClient(APIClient):
    """An APIClient that sends one API key, with the organization and key at hand."""

    def __init__(self, organization, permission: str):
        super().__init__()
        self.organization = organization
        self.key, self.raw_key = api_key_create(
            organization=organization, name=f"{permission} key", permission=permission
        )
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {self.raw_key}")


@pytest.fixture
def person(db):
    """A dashboard user with `role` in `organization`, logged in on `client` when given.

    No password: hashing one costs half a second, and the client logs in directly."""
    from django.contrib.auth import get_user_model

    from accounts.models import Membership

    def make(organization, role: str, client=None):
        user = get_user_model().objects.create_user(f"{role}-{uuid.uuid4().hex[:6]}", email=f"{role}@example.com")
        Membership.objects.create(user=user, organization=organization, role=role)
        if client is not None:
            client.force_login(user)
        return user

    return make


@pytest.fixture
def make_client(db):
    def make(organization=None, permission: str = "admin") -> KeyClient:
        return KeyClient(organization or OrganizationFactory(), permission)

    return make


@pytest.fixture
def admin(make_client, org) -> KeyClient:
    return make_client(org, "admin")


@pytest.fixture
def writer(make_client, org) -> KeyClient:
    return make_client(org, "write")


@pytest.fixture
def reader(make_client, org) -> KeyClient:
    return make_client(org, "read")


@pytest.fixture
def outsider(make_client, other_org) -> KeyClient:
    """An admin key of another organization."""
    return make_client(other_org, "admin")

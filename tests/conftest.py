import os
import uuid

import pytest
from rest_framework.test import APIClient

from apikeys.services import api_key_create

from .factories import OrganizationFactory

REQUIRE_SERVICES = os.environ.get("STATUSAPP_REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Redis outlives a test run: give each run its own rate-limit keys.
    settings.RATELIMIT_KEY_PREFIX = f"test:{uuid.uuid4().hex}"


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

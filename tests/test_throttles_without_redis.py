"""With the cache (Redis) unreachable the throttles count nothing and refuse nothing
(fail open, logged): logins, API keys and subscriptions keep working, and nothing is a 500."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from statuspages.models import Subscriber
from statuspages.services import status_page_create

PASSWORD = "a long enough pass-phrase 7"


@pytest.fixture
def cache_down(settings):
    # Port 9 (discard) has no listener here: every cache call is refused at connect time.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }


def test_logins_work_and_are_not_counted(client, db, cache_down, caplog):
    user = get_user_model().objects.create_user("grace", password=PASSWORD)
    for _ in range(8):  # past the five failures that would lock the username
        assert client.post("/login", {"username": user.username, "password": "wrong"}).status_code == 200
    assert client.post("/login", {"username": user.username, "password": PASSWORD}).status_code == 302
    assert "attempt counter unavailable" in caplog.text


def test_api_keys_are_checked_and_bad_ones_refused_without_throttling(admin, cache_down, caplog):
    for _ in range(40):  # past the 30 invalid keys a minute that would block the address
        refused = APIClient().get("/api/monitors", HTTP_AUTHORIZATION="Bearer sk_live_nothing_here")
        assert refused.status_code == 401
    assert admin.get("/api/monitors").status_code == 200
    assert "attempt counter unavailable" in caplog.text


def test_subscribing_works_unthrottled(client, org, cache_down):
    status_page_create(organization=org, name="P", slug="p")
    for n in range(12):  # past the 10 an hour that would answer 429
        response = client.post("/status/p/subscribe", {"email": f"s{n}@example.com"}, REMOTE_ADDR="192.0.2.9")
        assert response.status_code == 200
    assert Subscriber.objects.filter(page__slug="p").count() == 12

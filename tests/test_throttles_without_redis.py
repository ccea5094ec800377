"""With the cache (Redis) unreachable the throttles count nothing and refuse nothing
(fail open, logged): logins, API keys and subscriptions keep working, and nothing is a 500.
With no Redis configured they count in the database, over windows as long as they say."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts import login_throttle
from statuspages import public_views
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


# --- no Redis configured: the counts live in the database, over exact windows ---


@pytest.fixture
def database_cache(settings, db):
    from django.core.management import call_command

    settings.REDIS_URL = ""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "statusapp_cache"}
    }
    call_command("createcachetable", verbosity=0)


@pytest.fixture
def later(monkeypatch):
    """Moves the clock the throttles and the database cache read forward by `seconds`."""
    from django.core.cache.backends import db as database_cache_backend
    from django.utils import timezone

    real_now = timezone.now

    def move(seconds: int) -> None:
        def moved():
            return real_now() + timedelta(seconds=seconds)

        monkeypatch.setattr(timezone, "now", moved)
        monkeypatch.setattr(database_cache_backend, "tz_now", moved)

    return move


def test_a_locked_username_stays_locked_for_the_whole_fifteen_minutes(client, database_cache, later):
    user = get_user_model().objects.create_user("hopper", password=PASSWORD)
    for _ in range(login_throttle.MAX_PER_USER):
        client.post("/login", {"username": user.username, "password": "wrong"})
    later(6 * 60)  # past the database cache's 300 s default timeout
    refused = client.post("/login", {"username": user.username, "password": PASSWORD})
    assert login_throttle.REFUSED in refused.content.decode()
    later(login_throttle.WINDOW + 1)
    assert client.post("/login", {"username": user.username, "password": PASSWORD}).status_code == 302


def test_the_subscribe_window_lasts_the_hour_its_retry_after_says(client, org, database_cache, later):
    status_page_create(organization=org, name="P", slug="p")
    for n in range(public_views.SUBSCRIBE_LIMIT):
        assert client.post("/status/p/subscribe", {"email": f"s{n}@example.com"}).status_code == 200
    refused = client.post("/status/p/subscribe", {"email": "x@example.com"})
    assert refused.status_code == 429 and refused["Retry-After"] == str(public_views.SUBSCRIBE_WINDOW)
    later(6 * 60)
    assert client.post("/status/p/subscribe", {"email": "y@example.com"}).status_code == 429
    later(public_views.SUBSCRIBE_WINDOW + 1)
    assert client.post("/status/p/subscribe", {"email": "z@example.com"}).status_code == 200


def test_counts_are_exact_and_a_new_window_starts_at_one(database_cache, later):
    from accounts import attempts
    from accounts.models import AttemptCounter

    assert [attempts.record("k", 3600) for _ in range(3)] == [1, 2, 3]
    assert attempts.count("k") == 3
    attempts.release("k")
    assert attempts.count("k") == 2
    later(3000)
    assert attempts.record("k", 3600) == 3  # the window did not move
    later(3601)
    assert attempts.count("k") == 0
    assert attempts.record("k", 3600) == 1
    assert AttemptCounter.objects.get(key="k").count == 1
    long_key = "login-failures:user:" + "x" * 300  # hashed to fit the column
    assert [attempts.record(long_key, 60) for _ in range(2)] == [1, 2]
    attempts.forget(long_key)
    assert attempts.count(long_key) == 0

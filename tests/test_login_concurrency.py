"""Concurrent wrong passwords for one username: each is counted before its password is
checked, so no more than MAX_PER_USER of them are checked, however many arrive at once.
On PostgreSQL, with each store the throttles use (Redis, and the database without it)."""

import secrets
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts import login_throttle

CONCURRENT = 12
WRONG = "Please enter a correct username and password"


@pytest.fixture(params=["redis", "database"])
def store(request, settings, transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (DATABASE_URL)")
    if request.param == "redis":
        request.getfixturevalue("redis_url")
    else:
        settings.REDIS_URL = ""
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "statusapp_cache"}
        }
        call_command("createcachetable", verbosity=0)
    return request.param


def test_of_twelve_concurrent_wrong_logins_at_most_five_are_checked(store):
    user = get_user_model().objects.create_user(f"eve{secrets.token_hex(4)}", password="a long enough pass-phrase 7")
    start = threading.Barrier(CONCURRENT)
    answers: list[str] = []

    def attempt(number: int) -> None:
        try:
            start.wait()
            response = Client().post(
                "/login", {"username": user.username, "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{number + 1}"
            )
            answers.append(response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(number,)) for number in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    checked = sum(WRONG in answer for answer in answers)
    refused = sum(login_throttle.REFUSED in answer for answer in answers)
    assert len(answers) == CONCURRENT
    assert checked == login_throttle.MAX_PER_USER
    assert refused == CONCURRENT - login_throttle.MAX_PER_USER

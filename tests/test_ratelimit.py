"""Per-organization hourly rate limits: the limiter (Redis and database), the API's
`X-RateLimit-*` headers and 429s, and the limit holding across gunicorn workers."""

import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from django.db import connection

from accounts import ratelimit
from accounts.models import RequestCounter
from accounts.plans import Plan
from apikeys.services import api_key_create

from .factories import OrganizationFactory
from .live_server import gunicorn_server

HOUR = 3600


def window_end(now: float) -> int:
    return (int(now) // HOUR + 1) * HOUR


@pytest.fixture(autouse=True)
def _not_at_the_end_of_an_hour():
    """Tests that make many requests in real time must not straddle two windows."""
    left = window_end(time.time()) - time.time()
    if left < 20:
        time.sleep(left + 0.5)


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request, settings) -> str:
    """Run a test against the database counter (no REDIS_URL) and against real Redis."""
    if request.param == "redis":
        settings.REDIS_URL = request.getfixturevalue("redis_url")
    else:
        settings.REDIS_URL = ""
    return request.param


@pytest.fixture
def clock(monkeypatch):
    """A settable time.time(). Starts well in the future so Redis keys (EXPIREAT the
    window's end) are not already expired."""

    class Clock:
        now = float((int(time.time()) // HOUR + 5) * HOUR + 1234)

        def __call__(self) -> float:
            return self.now

    fake = Clock()
    monkeypatch.setattr(ratelimit.time, "time", fake)
    return fake


@pytest.fixture
def free_org(db):
    return OrganizationFactory(plan=Plan.FREE)


@pytest.fixture
def free_client(make_client, free_org):
    return make_client(free_org, "admin")


def headers_of(response) -> tuple[int, int, int]:
    return (
        int(response["X-RateLimit-Limit"]),
        int(response["X-RateLimit-Remaining"]),
        int(response["X-RateLimit-Reset"]),
    )


# --- the limiter itself -------------------------------------------------------------


def test_hit_allows_the_free_plan_limit_then_refuses(backend, free_org, clock):
    limit = free_org.requests_per_hour
    assert limit == 100
    expected_reset = window_end(clock.now)
    for number in range(1, limit + 1):
        result = ratelimit.hit(free_org.id, limit)
        assert result.allowed, number
        assert (result.limit, result.remaining, result.reset) == (limit, limit - number, expected_reset)

    refused = ratelimit.hit(free_org.id, limit)
    assert not refused.allowed
    assert (refused.limit, refused.remaining, refused.reset) == (limit, 0, expected_reset)
    # Refused requests are not counted: still refused, still 0 remaining, nothing overflows.
    again = ratelimit.hit(free_org.id, limit)
    assert (again.allowed, again.remaining) == (False, 0)


def test_hit_reset_is_the_end_of_the_current_hour(backend, free_org, clock):
    hour_start = int(clock.now) // HOUR * HOUR
    for offset in (0, 1, 1800, HOUR - 1):
        clock.now = hour_start + offset + 0.25
        result = ratelimit.hit(free_org.id, 100)
        assert result.reset == hour_start + HOUR, offset
    assert result.remaining == 96  # the four hits share one window


def test_hit_new_hour_window_starts_fresh(backend, free_org, clock):
    first_reset = window_end(clock.now)
    for _ in range(100):
        assert ratelimit.hit(free_org.id, 100).allowed
    assert not ratelimit.hit(free_org.id, 100).allowed

    clock.now = first_reset + 5  # the next hour
    result = ratelimit.hit(free_org.id, 100)
    assert result.allowed
    assert (result.remaining, result.reset) == (99, first_reset + HOUR)


def test_a_shorter_window_setting_counts_and_resets_per_that_window(backend, settings, free_org, clock):
    settings.RATELIMIT_WINDOW = 10
    start = int(clock.now) // 10 * 10
    clock.now = start + 0.5
    assert [ratelimit.hit(free_org.id, 2).allowed for _ in range(3)] == [True, True, False]
    assert ratelimit.hit(free_org.id, 2).reset == start + 10

    clock.now = start + 10.5  # the next window: counted from zero again
    result = ratelimit.hit(free_org.id, 2)
    assert (result.allowed, result.remaining, result.reset) == (True, 1, start + 20)


def test_hit_limits_are_per_organization(backend, free_org, clock):
    other = OrganizationFactory(plan=Plan.FREE)
    for _ in range(3):
        ratelimit.hit(free_org.id, 3)
    assert not ratelimit.hit(free_org.id, 3).allowed
    result = ratelimit.hit(other.id, 3)
    assert (result.allowed, result.remaining) == (True, 2)


def test_database_hit_stores_one_counter_per_window(settings, free_org, clock):
    settings.REDIS_URL = ""
    for _ in range(7):
        ratelimit.hit(free_org.id, 100)
    counter = RequestCounter.objects.get(organization=free_org)
    assert counter.count == 7
    assert counter.window_start.timestamp() == int(clock.now) // HOUR * HOUR


def test_redis_hit_counter_expires_after_its_window(settings, redis_url, free_org, clock):
    settings.REDIS_URL = redis_url
    result = ratelimit.hit(free_org.id, 100)
    client = redis.Redis.from_url(redis_url)
    keys = client.keys(f"{settings.RATELIMIT_KEY_PREFIX}:*")
    assert len(keys) == 1
    assert int(client.get(keys[0])) == 1
    # EXPIREAT the window's end (+ slack): the counter never outlives its hour by much.
    assert result.reset <= client.expiretime(keys[0]) <= result.reset + 120
    client.delete(*keys)


def test_hit_counts_atomically_under_concurrency(backend, transactional_db):
    org = OrganizationFactory(plan=Plan.FREE)
    limit, threads, per_thread = 150, 20, 10
    start = threading.Barrier(threads)

    def worker() -> list:
        start.wait()
        try:
            return [ratelimit.hit(org.id, limit) for _ in range(per_thread)]
        finally:
            connection.close()

    with ThreadPoolExecutor(threads) as pool:
        results = [result for batch in pool.map(lambda _: worker(), range(threads)) for result in batch]

    allowed = [result for result in results if result.allowed]
    assert len(allowed) == limit
    assert len(results) - len(allowed) == threads * per_thread - limit
    assert all(0 <= result.remaining < limit for result in results)
    if backend == "redis":
        # The Lua script returns the count it set: each allowed hit saw a distinct one.
        assert sorted(result.remaining for result in allowed) == list(range(limit))
    else:
        assert RequestCounter.objects.get(organization=org).count == limit


def test_redis_unreachable_hit_returns_none(settings, free_org, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with caplog.at_level(logging.WARNING, logger="accounts.ratelimit"):
        assert ratelimit.hit(free_org.id, 100) is None
    assert "rate limiter unavailable" in caplog.text


def test_redis_unreachable_api_request_is_allowed_without_headers(settings, free_client):
    """Fail open (documented in accounts/ratelimit.py): a dead cache must not take the API down."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    for _ in range(3):
        response = free_client.get("/api/monitors")
        assert response.status_code == 200, response.content
        assert "X-RateLimit-Limit" not in response
        assert "X-RateLimit-Remaining" not in response
        assert "X-RateLimit-Reset" not in response


# --- the API: headers and 429 ---------------------------------------------------------


def test_api_responses_carry_rate_limit_headers(backend, free_client):
    expected_reset = window_end(time.time())
    for expected_remaining in (99, 98, 97):
        response = free_client.get("/api/monitors")
        assert response.status_code == 200
        assert headers_of(response) == (100, expected_remaining, expected_reset)


def test_api_error_responses_also_carry_rate_limit_headers_and_count(backend, free_client):
    not_found = free_client.get("/api/monitors/mon_doesnotexist")
    assert not_found.status_code == 404
    assert headers_of(not_found)[:2] == (100, 99)
    bad_request = free_client.get("/api/monitors?limit=abc")
    assert bad_request.status_code == 400
    assert headers_of(bad_request)[:2] == (100, 98)
    invalid_body = free_client.post("/api/monitors", {"name": "x"}, format="json")
    assert invalid_body.status_code == 400
    assert headers_of(invalid_body)[:2] == (100, 97)


def test_api_forbidden_responses_carry_rate_limit_headers_and_count(backend, make_client, free_org):
    """A key without enough permission is still an authenticated caller of the
    organization: its 403s carry the headers and count, or it could hammer the API
    without limit."""
    reader = make_client(free_org, "read")
    forbidden = reader.post("/api/monitors", {"name": "x", "type": "http", "url": "https://a.example"}, format="json")
    assert forbidden.status_code == 403
    assert "X-RateLimit-Remaining" in forbidden
    assert headers_of(forbidden)[:2] == (100, 99)
    assert headers_of(reader.get("/api/monitors"))[:2] == (100, 98)


def test_api_unauthenticated_responses_have_no_rate_limit_headers(backend, client, free_client):
    response = client.get("/api/monitors")
    assert response.status_code == 401
    assert "X-RateLimit-Limit" not in response
    # ...and do not count against anyone.
    assert headers_of(free_client.get("/api/monitors"))[1] == 99


def test_api_429_after_the_free_plan_limit(backend, free_client):
    for number in range(1, 101):
        response = free_client.get("/api/monitors")
        assert response.status_code == 200, number
    assert headers_of(response)[:2] == (100, 0)

    before = time.time()
    refused = free_client.get("/api/monitors")
    assert refused.status_code == 429
    body = refused.json()
    assert body["error"]["code"] == "rate_limited"
    assert set(body["error"]) >= {"code", "message", "details"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    limit, remaining, reset = headers_of(refused)
    assert (limit, remaining, reset) == (100, 0, window_end(before))
    retry_after = refused["Retry-After"]
    assert retry_after.isdigit()
    assert 0 < int(retry_after) <= HOUR
    assert abs(int(retry_after) - (reset - before)) <= 2
    # Refused requests stay refused within the window, for every method.
    assert free_client.post("/api/monitors", {"name": "x"}, format="json").status_code == 429


def test_api_limit_is_shared_by_the_organization_keys(backend, make_client, free_org):
    first, second = make_client(free_org, "admin"), make_client(free_org, "read")
    for _ in range(60):
        assert first.get("/api/monitors").status_code == 200
    for _ in range(40):
        assert second.get("/api/monitors").status_code == 200
    assert first.get("/api/monitors").status_code == 429
    assert second.get("/api/monitors").status_code == 429
    # Another organization has its own window.
    outsider = make_client(OrganizationFactory(plan=Plan.FREE), "read")
    assert headers_of(outsider.get("/api/monitors"))[:2] == (100, 99)


@pytest.mark.parametrize(
    ("plan", "custom", "limit"),
    [
        (Plan.FREE, None, 100),
        (Plan.STARTER, None, 1_000),
        (Plan.PROFESSIONAL, None, 10_000),
        (Plan.BUSINESS, None, 50_000),
        (Plan.ENTERPRISE, 2, 2),
    ],
)
def test_api_limit_header_follows_the_plan(backend, make_client, plan, custom, limit):
    org = OrganizationFactory(plan=plan, custom_requests_per_hour=custom)
    client = make_client(org, "read")
    response = client.get("/api/monitors")
    assert response.status_code == 200
    assert headers_of(response)[:2] == (limit, limit - 1)
    if plan == Plan.ENTERPRISE:
        assert client.get("/api/monitors").status_code == 200
        assert client.get("/api/monitors").status_code == 429


# --- acceptance: the limit holds across gunicorn workers -----------------------------


def _fire(base_url: str, raw_key: str, total: int, concurrency: int) -> list[requests.Response]:
    """`total` GET /api/monitors from `concurrency` clients (threads), all starting together."""
    start = threading.Barrier(concurrency)
    per_client = [total // concurrency + (1 if index < total % concurrency else 0) for index in range(concurrency)]

    def client(count: int) -> list[requests.Response]:
        with requests.Session() as session:
            session.trust_env = False  # no proxy for 127.0.0.1
            session.headers["Authorization"] = f"Bearer {raw_key}"
            start.wait()
            return [session.get(f"{base_url}/api/monitors", timeout=30) for _ in range(count)]

    with ThreadPoolExecutor(concurrency) as pool:
        return [response for batch in pool.map(client, per_client) for response in batch]


@pytest.mark.redis
def test_acceptance_free_key_150_concurrent_requests_on_two_workers_with_redis(settings, redis_url, transactional_db):
    """REDIS_URL + gunicorn with 2 workers + a free-plan key: 20 concurrent clients send
    150 requests; exactly 100 succeed and 50 are refused, all with correct headers."""
    settings.REDIS_URL = redis_url
    _check_150_concurrent_requests(distinct_counts=True)


def test_acceptance_free_key_150_concurrent_requests_on_two_workers_with_database(settings, transactional_db):
    """The same without Redis: the database counter is atomic across processes too."""
    settings.REDIS_URL = ""
    _check_150_concurrent_requests(distinct_counts=False)


def _check_150_concurrent_requests(*, distinct_counts: bool):
    org = OrganizationFactory(plan=Plan.FREE)
    _key, raw_key = api_key_create(organization=org, name="load", permission="read")
    with gunicorn_server(workers=2) as base_url:
        started = time.time()
        responses = _fire(base_url, raw_key, total=150, concurrency=20)

    assert len(responses) == 150
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {200: 100, 429: 50}
    expected_reset = window_end(started)
    for response in responses:
        assert response.headers["X-RateLimit-Limit"] == "100"
        assert int(response.headers["X-RateLimit-Reset"]) == expected_reset
    ok = [response for response in responses if response.status_code == 200]
    refused = [response for response in responses if response.status_code == 429]
    if distinct_counts:
        # Atomic check-and-increment: each success saw its own count.
        assert sorted(int(response.headers["X-RateLimit-Remaining"]) for response in ok) == list(range(100))
    else:
        assert all(0 <= int(response.headers["X-RateLimit-Remaining"]) < 100 for response in ok)
    for response in refused:
        assert response.headers["X-RateLimit-Remaining"] == "0"
        assert response.json()["error"]["code"] == "rate_limited"
        retry_after = response.headers["Retry-After"]
        assert retry_after.isdigit() and 0 < int(retry_after) <= HOUR
    for response in ok:
        assert "Retry-After" not in response.headers
        assert set(response.json()) == {"data", "pagination"}

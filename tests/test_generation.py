"""What a process keeps between API requests (the key, a page of monitors) is reused while
the organization's generation holds, and never outlives a change to what it shows."""

import secrets
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import generation
from accounts.plans import Plan
from apikeys.models import ApiKey
from apikeys.services import _touch, api_key_revoke
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import Monitor
from monitors.ping import FAIL, FAIL_ERROR, SUCCESS, record_ping

from .factories import MonitorFactory

LIST = "/api/monitors?limit=100"


@pytest.fixture
def client(redis_url, make_client, org):
    return make_client(org, "admin")


def heartbeat(org) -> Monitor:
    return MonitorFactory(
        organization=org, type=Monitor.Type.HEARTBEAT, url="", ping_token=secrets.token_urlsafe(24), grace=60
    )


def queries_of(client, url: str = LIST) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json(), len(captured.captured_queries)


def by_id(body: dict) -> dict[str, dict]:
    return {monitor["id"]: monitor for monitor in body["data"]}


def test_a_repeated_list_is_served_without_a_query(client, org):
    MonitorFactory.create_batch(3, organization=org)
    first, first_queries = queries_of(client)
    queries_of(client)  # the first request learned the key's organization

    again, queries = queries_of(client)
    assert first_queries > 0
    assert queries == 0
    assert again == first


def test_another_page_or_host_is_not_served_from_the_first(client, org):
    MonitorFactory.create_batch(3, organization=org)
    queries_of(client, "/api/monitors?limit=2")
    queries_of(client, "/api/monitors?limit=2")

    second_page, queries = queries_of(client, "/api/monitors?limit=2&page=2")
    assert queries > 0
    assert len(second_page["data"]) == 1
    pinged = heartbeat(org)
    queries_of(client)
    other_host = client.get(LIST, HTTP_HOST="localhost").json()
    assert by_id(other_host)[pinged.id]["pingUrl"].startswith("http://localhost/ping/")


def test_an_api_update_shows_on_the_next_list(client, org):
    monitor = MonitorFactory(organization=org, name="Before")
    queries_of(client)
    queries_of(client)

    assert client.put(f"/api/monitors/{monitor.id}", {"name": "After"}, format="json").status_code == 200

    body, queries = queries_of(client)
    assert queries > 0
    assert by_id(body)[monitor.id]["name"] == "After"


def test_a_recorded_check_shows_on_the_next_list(client, org):
    monitor = MonitorFactory(organization=org)
    queries_of(client)
    assert by_id(queries_of(client)[0])[monitor.id]["status"] == Monitor.Status.PENDING

    slot = datetime(2026, 1, 1, tzinfo=UTC)
    down = Outcome(status=Monitor.Status.DOWN, response_time_ms=None, error="HTTP 503")
    record_observations([Observation(monitor.id, slot, slot, down)])

    shown = by_id(queries_of(client)[0])[monitor.id]
    assert shown["status"] == Monitor.Status.DOWN
    assert shown["lastError"] == "HTTP 503"
    assert shown["lastCheck"] == "2026-01-01T00:00:00Z"


def test_pings_that_change_status_or_error_show_on_the_next_list(client, org):
    monitor = heartbeat(org)
    queries_of(client)
    queries_of(client)

    assert record_ping(monitor.ping_token, SUCCESS)
    assert by_id(queries_of(client)[0])[monitor.id]["status"] == Monitor.Status.UP
    assert record_ping(monitor.ping_token, FAIL)
    shown = by_id(queries_of(client)[0])[monitor.id]
    assert (shown["status"], shown["lastError"]) == (Monitor.Status.DOWN, FAIL_ERROR)

    # An UP monitor still counting a missed ping carries its error; the next ping clears it.
    Monitor.objects.filter(pk=monitor.pk).update(status=Monitor.Status.UP, last_error="No ping")
    generation.bump([org.id])
    assert by_id(queries_of(client)[0])[monitor.id]["lastError"] == "No ping"
    assert record_ping(monitor.ping_token, SUCCESS)
    assert by_id(queries_of(client)[0])[monitor.id]["lastError"] == ""


def test_a_steady_ping_keeps_the_list(client, org):
    monitor = heartbeat(org)
    assert record_ping(monitor.ping_token, SUCCESS)
    queries_of(client)
    queries_of(client)

    assert record_ping(monitor.ping_token, SUCCESS)
    assert queries_of(client)[1] == 0


def test_a_new_and_a_deleted_monitor_show_on_the_next_list(client, org):
    kept = MonitorFactory(organization=org)
    queries_of(client)
    queries_of(client)

    created = client.post(
        "/api/monitors", {"name": "New", "type": "http", "url": "https://n.example.com"}, format="json"
    )
    assert created.status_code == 201
    assert set(by_id(queries_of(client)[0])) == {kept.id, created.json()["id"]}
    assert client.delete(f"/api/monitors/{kept.id}").status_code == 204
    assert set(by_id(queries_of(client)[0])) == {created.json()["id"]}


def test_a_revoked_key_is_refused_on_its_next_request(client, make_client, org):
    reader = make_client(org, "read")
    queries_of(reader)
    queries_of(reader)

    assert client.delete(f"/api/api-keys/{reader.key.id}").status_code == 204

    assert reader.get(LIST).status_code == 401


def test_a_key_revoked_in_another_process_is_refused(client, make_client, org):
    reader = make_client(org, "read")
    queries_of(reader)
    queries_of(reader)
    # Another process revokes it: the database row changes and the generation moves,
    # but nothing in this process is told.
    api_key_revoke(key=ApiKey.objects.get(pk=reader.key.pk))

    assert reader.get(LIST).status_code == 401


def test_a_plan_change_applies_to_the_next_request(client, org):
    assert client.get(LIST)["X-RateLimit-Limit"] == str(org.requests_per_hour)
    client.get(LIST)

    org.plan = Plan.FREE if org.plan != Plan.FREE else Plan.STARTER
    org.save(update_fields=["plan"])  # as the admin or createapikey --plan do

    response = client.get(LIST)
    expected = org.requests_per_hour
    assert response.get("X-RateLimit-Limit") == (None if expected is None else str(expected))


def test_without_reachable_redis_every_request_reads_the_database(client, org, settings):
    MonitorFactory(organization=org)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    for _ in range(3):
        body, queries = queries_of(client)
        assert queries > 0
        assert len(body["data"]) == 1


def test_what_is_kept_expires_even_if_a_bump_was_missed(client, org, monkeypatch):
    monitor = MonitorFactory(organization=org, name="Before")
    queries_of(client)
    queries_of(client)
    Monitor.objects.filter(pk=monitor.pk).update(name="After")  # no bump: as if Redis missed it

    assert by_id(queries_of(client)[0])[monitor.id]["name"] == "Before"
    later = generation.MAX_AGE + 1
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + later)
    assert by_id(queries_of(client)[0])[monitor.id]["name"] == "After"


def test_bumps_wait_for_the_commit_as_well(org, redis_url, django_capture_on_commit_callbacks):
    before = generation.current(org.id)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        generation.bump([org.id])
        during = generation.current(org.id)
    assert during != before
    assert len(callbacks) == 1
    callbacks[0]()
    assert generation.current(org.id) not in (before, during)


def test_key_last_used_is_written_once_a_minute_across_processes(client, org):
    client.get(LIST)
    written = ApiKey.objects.get(pk=client.key.pk).last_used_at
    # Another process, whose copy of the key is older, uses it within the minute.
    stale = ApiKey.objects.get(pk=client.key.pk)
    stale.last_used_at = written - timedelta(minutes=5)
    _touch(stale, written + timedelta(seconds=30))
    assert ApiKey.objects.get(pk=client.key.pk).last_used_at == written

"""Heartbeat pings: /ping/<token>, /ping/<token>/fail, /ping/<token>/start."""

import logging
import secrets
import threading
from datetime import timedelta

import pytest
import requests
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitors.models import Monitor, StatusChange
from monitors.ping import FAIL_ERROR, record_ping

from .factories import MonitorFactory
from .live_server import gunicorn_server

UP, DOWN, PENDING, PAUSED = "UP", "DOWN", "PENDING", "PAUSED"


def heartbeat(status: str = UP, **fields) -> Monitor:
    return MonitorFactory(
        type=Monitor.Type.HEARTBEAT, url="", ping_token=secrets.token_urlsafe(24), status=status, **fields
    )


def changes(monitor: Monitor) -> list[tuple[str, str]]:
    return list(StatusChange.objects.filter(monitor=monitor).order_by("id").values_list("from_status", "to_status"))


@pytest.fixture
def client() -> Client:
    # enforce_csrf_checks: the ping views must be CSRF exempt for real, not by the test client's grace.
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
class TestMethods:
    @pytest.mark.parametrize("method", ["get", "post", "head"])
    @pytest.mark.parametrize("suffix", ["", "/fail", "/start"])
    def test_get_post_head_are_accepted(self, client, method, suffix):
        monitor = heartbeat()
        response = getattr(client, method)(f"/ping/{monitor.ping_token}{suffix}")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content == (b"" if method == "head" else b"OK")

    @pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
    def test_other_methods_are_405_and_change_nothing(self, client, method):
        monitor = heartbeat(status=DOWN)
        response = getattr(client, method)(f"/ping/{monitor.ping_token}")
        assert response.status_code == 405
        assert sorted(response["Allow"].split(", ")) == ["GET", "HEAD", "POST"]
        monitor.refresh_from_db()
        assert (monitor.status, monitor.last_ping_at, monitor.last_ping_kind) == (DOWN, None, "")

    def test_post_body_is_accepted_and_not_stored(self, client):
        monitor = heartbeat()
        body = "backup done\n" * 100_000  # 1.2 MB: more than is ever read
        response = client.post(f"/ping/{monitor.ping_token}", body, content_type="text/plain")
        assert response.status_code == 200
        assert response.content == b"OK"
        monitor.refresh_from_db()
        assert monitor.last_ping_kind == "success"
        assert "backup" not in monitor.last_error

    def test_form_post_without_csrf_token(self, client):
        monitor = heartbeat()
        response = client.post(f"/ping/{monitor.ping_token}/fail", {"output": "exit 1"})
        assert response.status_code == 200

    @pytest.mark.parametrize("suffix", ["/", "/fail/", "/start/"])
    def test_trailing_slash(self, client, suffix):
        monitor = heartbeat()
        assert client.get(f"/ping/{monitor.ping_token}{suffix}").status_code == 200


@pytest.mark.django_db
class TestSuccess:
    def test_up_monitor_records_the_ping(self, client):
        monitor = heartbeat(status=UP)
        before = timezone.now()
        client.get(f"/ping/{monitor.ping_token}")
        monitor.refresh_from_db()
        assert monitor.status == UP
        assert monitor.last_ping_kind == "success"
        assert before <= monitor.last_ping_at <= timezone.now()
        assert changes(monitor) == []

    @pytest.mark.parametrize("status", [DOWN, PENDING])
    def test_down_or_pending_becomes_up_at_once(self, client, status):
        monitor = heartbeat(status=status, failure_count=4, last_error="no ping within interval + grace")
        client.post(f"/ping/{monitor.ping_token}")
        monitor.refresh_from_db()
        assert (monitor.status, monitor.failure_count, monitor.last_error) == (UP, 0, "")
        assert monitor.last_ping_kind == "success"
        assert monitor.last_ping_at is not None
        assert changes(monitor) == [(status, UP)]
        change = StatusChange.objects.get(monitor=monitor)
        assert change.error == ""
        assert change.processed_at is None

    def test_up_monitor_with_counted_failures_is_reset(self, client):
        # UP but one missed deadline already counted (retries > 0): a ping clears it.
        monitor = heartbeat(status=UP, retries=2, failure_count=1, last_error="no ping within interval + grace")
        client.get(f"/ping/{monitor.ping_token}")
        monitor.refresh_from_db()
        assert (monitor.status, monitor.failure_count, monitor.last_error) == (UP, 0, "")

    def test_transition_carries_maintenance_flag(self, client):
        monitor = heartbeat(status=DOWN, in_maintenance=True)
        client.get(f"/ping/{monitor.ping_token}")
        assert StatusChange.objects.get(monitor=monitor).in_maintenance is True

    def test_ping_does_not_touch_updated_at(self, client):
        # updatedAt is the configuration's last change, not the last ping.
        monitor = heartbeat(status=DOWN)
        updated_at = monitor.updated_at
        client.get(f"/ping/{monitor.ping_token}")
        client.get(f"/ping/{monitor.ping_token}")
        monitor.refresh_from_db()
        assert monitor.updated_at == updated_at


@pytest.mark.django_db
class TestFail:
    @pytest.mark.parametrize("status", [UP, PENDING])
    def test_goes_down_at_once_whatever_the_retries(self, client, status):
        monitor = heartbeat(status=status, retries=5)
        response = client.get(f"/ping/{monitor.ping_token}/fail")
        assert response.content == b"OK"
        monitor.refresh_from_db()
        assert monitor.status == DOWN
        assert monitor.last_ping_kind == "fail"
        assert monitor.last_ping_at is not None
        assert monitor.last_error == FAIL_ERROR == "fail signal received"
        assert monitor.failure_count == 1
        assert changes(monitor) == [(status, DOWN)]
        assert StatusChange.objects.get(monitor=monitor).error == FAIL_ERROR

    def test_already_down_writes_no_second_change(self, client):
        monitor = heartbeat(status=UP)
        client.get(f"/ping/{monitor.ping_token}/fail")
        client.get(f"/ping/{monitor.ping_token}/fail")
        monitor.refresh_from_db()
        assert monitor.status == DOWN
        assert monitor.failure_count == 2
        assert changes(monitor) == [(UP, DOWN)]

    def test_fail_then_success_then_fail(self, client):
        monitor = heartbeat(status=PENDING)
        for suffix in ["", "/fail", "", "", "/fail"]:
            client.get(f"/ping/{monitor.ping_token}{suffix}")
        assert changes(monitor) == [(PENDING, UP), (UP, DOWN), (DOWN, UP), (UP, DOWN)]


@pytest.mark.django_db
class TestStart:
    @pytest.mark.parametrize("status", [UP, DOWN, PENDING])
    def test_records_only_the_kind(self, client, status):
        pinged_at = timezone.now() - timedelta(minutes=5)
        monitor = heartbeat(status=status, last_ping_at=pinged_at, last_ping_kind="success", failure_count=2)
        response = client.get(f"/ping/{monitor.ping_token}/start")
        assert response.content == b"OK"
        monitor.refresh_from_db()
        assert monitor.last_ping_kind == "start"
        assert monitor.last_ping_at == pinged_at
        assert (monitor.status, monitor.failure_count) == (status, 2)
        assert changes(monitor) == []


@pytest.mark.django_db
class TestPaused:
    @pytest.mark.parametrize("suffix,kind", [("", "success"), ("/fail", "fail"), ("/start", "start")])
    def test_records_the_ping_and_stays_paused(self, client, suffix, kind):
        monitor = heartbeat(status=PAUSED, failure_count=3)
        response = client.post(f"/ping/{monitor.ping_token}{suffix}")
        assert response.status_code == 200
        monitor.refresh_from_db()
        assert monitor.status == PAUSED
        assert monitor.last_ping_kind == kind
        assert (monitor.last_ping_at is None) == (kind == "start")
        assert monitor.failure_count == 3
        assert monitor.last_error == ""
        assert changes(monitor) == []


@pytest.mark.django_db
class TestUnknownToken:
    @pytest.mark.parametrize("suffix", ["", "/fail", "/start"])
    @pytest.mark.parametrize("method", ["get", "post", "head"])
    def test_404_plain_text(self, client, suffix, method):
        heartbeat()
        response = getattr(client, method)(f"/ping/{secrets.token_urlsafe(24)}{suffix}")
        assert response.status_code == 404
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content == (b"" if method == "head" else b"not found")

    @pytest.mark.parametrize("token", ["x" * 65, "a.b", "%00", "tok%20en", "ünï"])
    def test_impossible_token_is_404_without_a_query(self, client, token):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/ping/{token}")
        assert (response.status_code, response.content) == (404, b"not found")
        assert len(queries) == 0

    def test_non_heartbeat_monitor_token_is_404(self, client):
        # Cannot happen through the API (only heartbeats get a token), guarded anyway.
        monitor = MonitorFactory(type=Monitor.Type.HTTP, status=DOWN)
        token = secrets.token_urlsafe(24)
        Monitor.objects.filter(pk=monitor.pk).update(ping_token=token)
        for suffix in ["", "/fail", "/start"]:
            assert client.get(f"/ping/{token}{suffix}").status_code == 404
        monitor.refresh_from_db()
        assert (monitor.status, monitor.last_ping_at, monitor.last_ping_kind) == (DOWN, None, "")
        assert changes(monitor) == []

    def test_no_token(self, client):
        assert client.get("/ping/").status_code == 404


@pytest.mark.django_db
def test_other_monitors_are_unaffected(client):
    pinged, up, down = heartbeat(status=DOWN), heartbeat(status=UP), heartbeat(status=DOWN)
    untouched = {m.pk: (m.status, m.last_ping_at, m.last_ping_kind, m.failure_count) for m in (up, down)}
    for suffix in ["", "/fail", "/start", ""]:
        client.get(f"/ping/{pinged.ping_token}{suffix}")
    for monitor in (up, down):
        monitor.refresh_from_db()
        assert (monitor.status, monitor.last_ping_at, monitor.last_ping_kind, monitor.failure_count) == untouched[
            monitor.pk
        ]
        assert changes(monitor) == []
    assert changes(pinged) == [(DOWN, UP), (UP, DOWN), (DOWN, UP)]


@pytest.mark.django_db
class TestQueryCount:
    @pytest.mark.parametrize(
        "status,suffix",
        [
            # The common case, a success ping on an UP monitor: ONE query, the conditional
            # UPDATE ... WHERE ping_token = %s AND type = 'heartbeat' AND status = 'UP'.
            (UP, ""),
            # A /fail on a monitor already DOWN: the same single conditional UPDATE.
            (DOWN, "/fail"),
            # /start: one unconditional UPDATE of last_ping_kind.
            (UP, "/start"),
        ],
    )
    def test_steady_state_is_one_query(self, client, status, suffix):
        monitor = heartbeat(status=status)
        client.get(f"/ping/{monitor.ping_token}{suffix}")  # warm-up (URLconf import)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/ping/{monitor.ping_token}{suffix}")
        assert response.status_code == 200
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert queries[0]["sql"].startswith("UPDATE")

    def test_transition_is_a_locked_read_then_writes(self, client):
        # The fast UPDATE matches nothing (the monitor is DOWN); then, in one transaction:
        # the row locked (FOR UPDATE on PostgreSQL), the StatusChange INSERT, the monitor UPDATE.
        monitor = heartbeat(status=DOWN)
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/ping/{monitor.ping_token}")
        statements = [q["sql"].split()[0] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
        assert statements == ["UPDATE", "SELECT", "INSERT", "UPDATE"], [q["sql"] for q in queries]
        if connection.vendor == "postgresql":
            assert any(q["sql"].startswith("SELECT") and "FOR UPDATE" in q["sql"] for q in queries)


@pytest.mark.django_db(transaction=True)
def test_steady_state_commit_does_not_wait_for_the_wal_flush():
    """On PostgreSQL the one-statement ping commits asynchronously (SET LOCAL through set_config in
    its WHERE): the setting ends with that statement's transaction, and transitions stay durable."""
    monitor = heartbeat(status=UP)
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/ping/{monitor.ping_token}").status_code == 200
    assert len(queries) == 1
    relaxed = "set_config('synchronous_commit', 'off', true)" in queries[0]["sql"]
    assert relaxed == (connection.vendor == "postgresql")
    monitor.refresh_from_db()
    assert monitor.last_ping_kind == "success"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    # A transition: after the fast UPDATE (its own transaction) misses, the locked transaction
    # runs with no relaxation.
    Monitor.objects.filter(pk=monitor.pk).update(status=DOWN)
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/ping/{monitor.ping_token}")
    assert sum("set_config" in q["sql"] for q in queries) == (connection.vendor == "postgresql")
    assert "set_config" not in " ".join(q["sql"] for q in queries[1:])
    assert changes(monitor) == [(DOWN, UP)]


@pytest.mark.django_db
def test_no_relaxation_inside_a_callers_transaction():
    monitor = heartbeat(status=UP)
    with CaptureQueriesContext(connection) as queries:
        assert record_ping(monitor.ping_token, "success")
    assert "set_config" not in queries[0]["sql"]


@pytest.mark.django_db
def test_token_never_in_log_output(client, caplog):
    monitor = heartbeat(status=DOWN)
    token = monitor.ping_token
    unknown = secrets.token_urlsafe(24)
    with caplog.at_level(logging.DEBUG):
        for suffix in ["", "/fail", "/start", "/"]:
            client.get(f"/ping/{token}{suffix}")
        client.put(f"/ping/{token}")  # 405: Django logs "Method Not Allowed (PUT): <path>"
        client.get(f"/ping/{unknown}")  # 404
        client.get(f"/ping/{token}/nonsense")  # no route: Django's 404 "Not Found: <path>"
    # Django did log those requests (so this test is not vacuous), with the token redacted.
    assert "Method Not Allowed (PUT): /ping/<token>" in caplog.text
    assert "Not Found: /ping/<token>/nonsense" in caplog.text
    assert token not in caplog.text
    assert unknown not in caplog.text
    for record in caplog.records:
        assert token not in record.getMessage()
        assert getattr(record, "request", None) is None or "/ping/" not in record.request.path


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("suffix,target", [("", UP), ("/fail", DOWN)])
def test_concurrent_pings_write_one_status_change(suffix, target):
    """Eight clients ping at once: one transition, one StatusChange."""
    monitor = heartbeat(status=PENDING)
    barrier = threading.Barrier(8)
    codes = []

    def ping():
        try:
            barrier.wait(timeout=10)
            codes.append(Client().get(f"/ping/{monitor.ping_token}{suffix}").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ping) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert codes == [200] * 8
    monitor.refresh_from_db()
    assert monitor.status == target
    assert changes(monitor) == [(PENDING, target)]


def test_under_gunicorn(transactional_db, capsys):
    """Through a real server: every method, a large POST body, and a server log without the token."""
    up, down = heartbeat(status=UP), heartbeat(status=DOWN)
    unknown = secrets.token_urlsafe(24)
    with gunicorn_server(workers=1) as base_url:
        capsys.readouterr()  # the server's start-up, before any ping
        ping = f"{base_url}/ping/{up.ping_token}"
        got = requests.get(ping, timeout=10)
        assert (got.status_code, got.text, got.headers["Content-Type"]) == (200, "OK", "text/plain; charset=utf-8")
        assert requests.head(ping, timeout=10).status_code == 200
        # A cron job posting its output: more than is read, still a clean 200.
        posted = requests.post(ping, data=b"x" * 2_000_000, timeout=10)
        assert (posted.status_code, posted.text) == (200, "OK")
        assert requests.put(ping, timeout=10).status_code == 405
        assert requests.post(f"{base_url}/ping/{down.ping_token}", data="done", timeout=10).status_code == 200
        assert requests.get(f"{base_url}/ping/{up.ping_token}/fail", timeout=10).status_code == 200
        missing = requests.get(f"{base_url}/ping/{unknown}", timeout=10)
        assert (missing.status_code, missing.text) == (404, "not found")
    server_log = capsys.readouterr().err
    assert "Method Not Allowed (PUT): /ping/<token>" in server_log
    assert "Not Found: /ping/<token>" in server_log
    for secret in (up.ping_token, down.ping_token, unknown):
        assert secret not in server_log
    assert "no-body response" not in server_log  # gunicorn's warning when HEAD gets body bytes
    up.refresh_from_db()
    down.refresh_from_db()
    assert (up.status, up.last_ping_kind, down.status) == (DOWN, "fail", UP)
    assert changes(up) == [(UP, DOWN)]
    assert changes(down) == [(DOWN, UP)]


@pytest.mark.django_db
def test_a_start_after_a_fail_keeps_the_monitor_failed(client):
    monitor = MonitorFactory(type="heartbeat", url="", ping_token="t" * 32, status="UP", interval=60)
    assert client.get(f"/ping/{monitor.ping_token}/fail").status_code == 200
    assert client.get(f"/ping/{monitor.ping_token}/start").status_code == 200
    monitor.refresh_from_db()
    assert monitor.status == "DOWN" and monitor.last_ping_kind == "fail"

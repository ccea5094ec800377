import datetime

import pytest
import requests
from support import client_with, env, unique

import statusapp


def test_monitor_round_trip(client, cleanup):
    name = unique("SDK round trip")
    created = client.monitors.create(
        name=name, type="http", url="https://example.com/health", interval=60, timeout=10, expected_status_codes="200"
    )
    cleanup(client.monitors.delete, created.id)
    assert isinstance(created, statusapp.Monitor)
    assert created.id.startswith("mon_")
    assert (created.name, created.type, created.interval) == (name, "http", 60)
    assert created.url == "https://example.com/health"
    assert created.expected_status_codes == "200"
    assert created.status == "PENDING"
    assert isinstance(created.created_at, datetime.datetime)
    assert created.created_at.tzinfo is not None
    assert created.raw["expectedStatusCodes"] == "200"

    fetched = client.monitors.get(created.id)
    assert fetched == created

    page = client.monitors.list(search=name)
    assert [monitor.id for monitor in page] == [created.id]
    assert page.pagination.total == 1

    # `data` is the API's JSON, sent as is; keyword fields are camelCased.
    updated = client.monitors.update(created.id, {"degradedThreshold": 800}, follow_redirects=False)
    assert (updated.degraded_threshold, updated.follow_redirects) == (800, False)
    assert updated.name == name  # only the fields sent change

    assert client.monitors.delete(created.id) is None
    with pytest.raises(statusapp.NotFoundError):
        client.monitors.get(created.id)


def test_monitor_types_read_their_own_fields(client, cleanup):
    tcp = client.monitors.create({"name": unique("SDK tcp"), "type": "tcp", "host": "127.0.0.1", "port": 5432})
    cleanup(client.monitors.delete, tcp.id)
    assert (tcp.host, tcp.port, tcp.url) == ("127.0.0.1", 5432, None)  # a field of another type reads as None

    heartbeat = client.monitors.create(name=unique("SDK heartbeat"), type="heartbeat", interval=60, grace=30)
    cleanup(client.monitors.delete, heartbeat.id)
    assert heartbeat.ping_url.startswith(env("STATUSAPP_BASE_URL"))
    assert heartbeat.grace == 30


def test_service_check_types_read_their_fields_and_the_password_only_as_a_mask(client, cleanup):
    database = client.monitors.create(
        name=unique("SDK postgres"), type="postgres", host="db.example.com", username="probe", password="s3cret-pass"
    )
    cleanup(client.monitors.delete, database.id)
    assert (database.type, database.host, database.port) == ("postgres", "db.example.com", 5432)
    assert (database.username, database.password, database.database) == ("probe", "••••", "")
    assert (database.tls, database.ping_count) == (False, None)

    # The mask sent back keeps the password; the other fields change.
    updated = client.monitors.update(database.id, password=database.password, database="orders", tls=True)
    assert (updated.password, updated.database, updated.tls) == ("••••", "orders", True)

    ping = client.monitors.create(name=unique("SDK ping"), type="ping", host="router.example.com", ping_count=5)
    cleanup(client.monitors.delete, ping.id)
    assert (ping.ping_count, ping.port, ping.password) == (5, None, None)

    grpc = client.monitors.create(
        name=unique("SDK grpc"), type="grpc", host="orders.example.com", port=50051, service="shop.Orders"
    )
    cleanup(client.monitors.delete, grpc.id)
    assert (grpc.port, grpc.service, grpc.tls) == (50051, "shop.Orders", False)

    with pytest.raises(statusapp.ValidationError) as raised:
        client.monitors.create(name=unique("SDK ping"), type="ping", host="router.example.com", ping_count=11)
    assert "pingCount" in raised.value.fields


def test_pause_and_resume(client, cleanup):
    monitor = client.monitors.create(name=unique("SDK pause"), type="http", url="https://example.com")
    cleanup(client.monitors.delete, monitor.id)

    assert client.monitors.pause(monitor.id).status == "PAUSED"
    assert client.monitors.get(monitor.id).status == "PAUSED"
    assert client.monitors.resume(monitor.id).status == "PENDING"  # until its next check
    assert client.monitors.get(monitor.id).status == "PENDING"


def test_acknowledge_a_down_monitor(client, cleanup):
    down = env("STATUSAPP_TEST_DOWN_MONITOR")
    acknowledgement = client.monitors.acknowledge(down)
    assert isinstance(acknowledgement, statusapp.Acknowledgement)
    assert acknowledgement.monitor.id == down
    assert acknowledgement.monitor.status == "DOWN"
    assert isinstance(acknowledgement.monitor.acknowledged_at, datetime.datetime)
    assert acknowledgement.monitor.acknowledged_by
    assert client.monitors.get(down).acknowledged_at == acknowledgement.monitor.acknowledged_at

    # A monitor that is not DOWN has nothing to acknowledge: a 400.
    pending = client.monitors.create(name=unique("SDK up"), type="http", url="https://example.com")
    cleanup(client.monitors.delete, pending.id)
    with pytest.raises(statusapp.ValidationError) as raised:
        client.monitors.acknowledge(pending.id)
    assert raised.value.status == 400


def test_checks_and_uptime(client, cleanup):
    # This server runs no scheduler, so a new monitor has no checks yet: the calls are read
    # in their real shapes, and a bad filter is refused.
    monitor = client.monitors.create(name=unique("SDK checks"), type="http", url="https://example.com")
    cleanup(client.monitors.delete, monitor.id)

    checks = client.monitors.checks(monitor.id, status="DOWN", limit=5)
    assert checks.data == []
    assert (checks.pagination.page, checks.pagination.limit, checks.pagination.total) == (1, 5, 0)
    assert list(client.monitors.iter_checks(monitor.id)) == []
    with pytest.raises(statusapp.ValidationError) as raised:
        client.monitors.checks(monitor.id, page=0)
    assert "page" in raised.value.fields

    uptime = client.monitors.uptime(monitor.id)
    assert uptime.monitor_id == monitor.id
    assert sorted(uptime.windows) == ["24h", "30d", "7d", "90d"]
    assert all(isinstance(window, statusapp.UptimeWindow) for window in uptime.windows.values())
    assert uptime.windows["24h"].checks == 0


def test_iter_walks_every_monitor_exactly_once():
    expected = int(env("STATUSAPP_TEST_PAGED_MONITORS"))
    pages_fetched = []
    session = requests.Session()
    session.hooks["response"].append(lambda response, **_: pages_fetched.append(response.url))
    client = client_with("STATUSAPP_TEST_PAGED_KEY", session=session)

    walk = client.monitors.iter()
    assert pages_fetched == []  # lazily: nothing is fetched before the first object is asked for
    first = next(walk)
    assert len(pages_fetched) == 1
    ids = [first.id] + [monitor.id for monitor in walk]

    assert len(ids) == expected
    assert len(set(ids)) == expected
    assert len(pages_fetched) == -(-expected // 100)  # 100 a page
    assert client.monitors.list().pagination.total == expected


def test_list_pages_and_filters():
    client = client_with("STATUSAPP_TEST_PAGED_KEY")
    expected = int(env("STATUSAPP_TEST_PAGED_MONITORS"))

    second = client.monitors.list(page=2, limit=100)
    assert len(second) == 100
    assert (second.pagination.page, second.pagination.limit, second.pagination.pages) == (2, 100, -(-expected // 100))
    assert client.monitors.list(page=99, limit=100).data == []  # past the end: an empty page
    assert client.monitors.list(status="UP").pagination.total == expected
    assert client.monitors.list(status="DOWN").pagination.total == 0
    assert list(client.monitors.iter(status="DOWN")) == []

"""GET /api/monitors/{id}/checks (raw results), GET /api/monitors/{id}/uptime, and the 24h
"uptime" on the monitor representation."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from monitors.models import CheckResult, Monitor, Rollup
from monitors.selectors import uptime_by_monitor

from .factories import MonitorFactory
from .test_query_counts import PER_REQUEST, assert_constant, make_monitors, measure, show

pytestmark = pytest.mark.django_db

HOUR_PERIOD, DAY_PERIOD = Rollup.Period.HOUR, Rollup.Period.DAY
UP, DEGRADED, DOWN = Monitor.Status.UP, Monitor.Status.DEGRADED, Monitor.Status.DOWN
CHECK_KEYS = {"scheduledAt", "region", "startedAt", "status", "responseTime", "statusCode", "error", "inMaintenance"}
WINDOW_KEYS = {"uptime", "checks", "down", "averageResponseTime", "p95ResponseTime"}
BASE = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def monitor(org):
    return MonitorFactory(organization=org)


def add_results(monitor, count: int, start=BASE) -> None:
    """One a minute: every 5th DOWN, every 5th (+1) DEGRADED, the rest UP; the last in maintenance."""
    rows = []
    for n in range(count):
        status = DOWN if n % 5 == 0 else DEGRADED if n % 5 == 1 else UP
        slot = start + timedelta(minutes=n)
        rows.append(
            CheckResult(
                monitor=monitor,
                scheduled_at=slot,
                started_at=slot + timedelta(milliseconds=250),
                status=status,
                response_time=None if status == DOWN else 1500 if status == DEGRADED else 100 + n,
                status_code=None if status == DOWN else 200,
                error="Connection refused" if status == DOWN else "",
                in_maintenance=n == count - 1,
            )
        )
    CheckResult.objects.bulk_create(rows)


def get_checks(client, monitor, query: str = ""):
    return client.get(f"/api/monitors/{monitor.id}/checks{query}")


# --- /checks ---------------------------------------------------------------------------------


def test_checks_are_paginated_newest_first(admin, monitor, org):
    add_results(monitor, 25)
    add_results(MonitorFactory(organization=org), 3)  # another monitor's results

    response = get_checks(admin, monitor, "?limit=10")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["pagination"] == {"page": 1, "limit": 10, "total": 25, "pages": 3}
    seen = [item["scheduledAt"] for item in body["data"]]
    for page in (2, 3):
        seen += [item["scheduledAt"] for item in get_checks(admin, monitor, f"?limit=10&page={page}").json()["data"]]
    expected = [(BASE + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ") for n in range(24, -1, -1)]
    assert seen == expected
    assert get_checks(admin, monitor, "?limit=10&page=4").json()["data"] == []


def test_check_representation(admin, monitor):
    add_results(monitor, 25)

    data = get_checks(admin, monitor, "?limit=100").json()["data"]
    newest, degraded, down = data[0], data[3], data[-1]  # minutes 24, 21 and 0

    assert set(newest) == CHECK_KEYS
    assert newest == {
        "scheduledAt": "2026-03-10T08:24:00Z",
        "region": "",  # recorded without one, as before regions were
        "startedAt": "2026-03-10T08:24:00Z",
        "status": "UP",
        "responseTime": 124,
        "statusCode": 200,
        "error": "",
        "inMaintenance": True,
    }
    assert degraded["status"] == "DEGRADED"
    assert degraded["responseTime"] == 1500
    assert degraded["inMaintenance"] is False
    assert down == {
        "scheduledAt": "2026-03-10T08:00:00Z",
        "region": "",
        "startedAt": "2026-03-10T08:00:00Z",
        "status": "DOWN",
        "responseTime": None,
        "statusCode": None,
        "error": "Connection refused",
        "inMaintenance": False,
    }


@pytest.mark.parametrize("status,total", [("UP", 15), ("DEGRADED", 5), ("DOWN", 5)])
def test_checks_status_filter(admin, monitor, status, total):
    add_results(monitor, 25)

    body = get_checks(admin, monitor, f"?status={status}&limit=100").json()

    assert body["pagination"]["total"] == total
    assert {item["status"] for item in body["data"]} == {status}
    times = [item["scheduledAt"] for item in body["data"]]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("value", ["PAUSED", "PENDING", "up", "bogus"])
def test_checks_unknown_status_is_a_400(admin, monitor, value):
    response = get_checks(admin, monitor, f"?status={value}")

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert "status" in error["fields"]


def test_checks_status_filters_results_not_the_monitor(admin, monitor):
    # `?status=` on a monitor's own routes must not be read as the monitor list's filter.
    Monitor.objects.filter(pk=monitor.pk).update(status=Monitor.Status.DOWN)
    add_results(monitor, 10)

    response = get_checks(admin, monitor, "?status=UP")

    assert response.status_code == 200, response.content
    assert response.json()["pagination"]["total"] == 6
    assert admin.get(f"/api/monitors/{monitor.id}/uptime?status=UP").status_code == 200


def test_checks_of_a_monitor_without_results(admin, monitor):
    body = get_checks(admin, monitor).json()
    assert body == {"data": [], "pagination": {"page": 1, "limit": 20, "total": 0, "pages": 0}}


def test_checks_bad_page_is_a_400(admin, monitor):
    assert get_checks(admin, monitor, "?page=0").status_code == 400
    assert get_checks(admin, monitor, "?limit=abc").status_code == 400


@pytest.mark.parametrize("route", ["checks", "uptime"])
def test_another_organizations_monitor_is_a_404(outsider, monitor, route):
    add_results(monitor, 3)

    response = outsider.get(f"/api/monitors/{monitor.id}/{route}")

    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"
    assert outsider.get(f"/api/monitors/mon_doesnotexist/{route}").status_code == 404


@pytest.mark.parametrize("route", ["checks", "uptime"])
def test_a_read_key_may_read_them(reader, monitor, route):
    add_results(monitor, 3)
    assert reader.get(f"/api/monitors/{monitor.id}/{route}").status_code == 200


@pytest.mark.parametrize("route", ["checks", "uptime"])
def test_they_are_read_only(admin, monitor, route):
    assert admin.post(f"/api/monitors/{monitor.id}/{route}", {}, format="json").status_code == 405


# --- /uptime ---------------------------------------------------------------------------------


def test_uptime_shape_and_values(admin, monitor):
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    Rollup.objects.bulk_create(
        [
            Rollup(monitor=monitor, period=HOUR_PERIOD, bucket=hour, checks=60, up=57, degraded=1,
                   response_time_sum=58 * 200, response_time_count=58, p95_response_time=340),
            Rollup(monitor=monitor, period=HOUR_PERIOD, bucket=hour - timedelta(days=3), checks=60, up=30,
                   response_time_sum=30 * 100, response_time_count=30, p95_response_time=150),
            Rollup(monitor=monitor, period=DAY_PERIOD, bucket=day, checks=1440, up=1440,
                   response_time_sum=1440 * 180, response_time_count=1440, p95_response_time=300),
            Rollup(monitor=monitor, period=DAY_PERIOD, bucket=day - timedelta(days=45), checks=1440, up=720,
                   degraded=0, response_time_sum=720 * 400, response_time_count=720, p95_response_time=900),
        ]
    )  # fmt: skip

    response = admin.get(f"/api/monitors/{monitor.id}/uptime")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"monitorId", "windows", "regions"}
    assert body["monitorId"] == monitor.id
    assert list(body["windows"]) == ["24h", "7d", "30d", "90d"]
    assert all(set(window) == WINDOW_KEYS for window in body["windows"].values())
    assert body["windows"]["24h"] == {
        "uptime": 96.667,
        "checks": 60,
        "down": 2,
        "averageResponseTime": 200,
        "p95ResponseTime": 340,
    }
    assert body["windows"]["7d"] == {
        "uptime": 73.333,  # 88 / 120
        "checks": 120,
        "down": 32,
        "averageResponseTime": 166,  # (11600 + 3000) / 88
        "p95ResponseTime": 275,  # (340 * 58 + 150 * 30) / 88
    }
    assert body["windows"]["30d"] == {
        "uptime": 100.0,
        "checks": 1440,
        "down": 0,
        "averageResponseTime": 180,
        "p95ResponseTime": 300,
    }
    assert body["windows"]["90d"] == {
        "uptime": 75.0,
        "checks": 2880,
        "down": 720,
        "averageResponseTime": 253,  # (259200 + 288000) / 2160
        "p95ResponseTime": 500,  # (300 * 1440 + 900 * 720) / 2160
    }


def test_uptime_of_a_monitor_without_checks(reader, monitor):
    body = reader.get(f"/api/monitors/{monitor.id}/uptime").json()
    empty = {"uptime": None, "checks": 0, "down": 0, "averageResponseTime": None, "p95ResponseTime": None}
    region_empty = {"uptime": None, "checks": 0, "down": 0, "averageResponseTime": None}
    assert body == {
        "monitorId": monitor.id,
        "windows": {"24h": empty, "7d": empty, "30d": empty, "90d": empty},
        "regions": [{"region": "default", "windows": {"24h": region_empty, "7d": region_empty}}],
    }


# --- "uptime" on the monitor ------------------------------------------------------------------


def last_hour() -> datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)


def test_monitor_list_and_detail_carry_the_24h_uptime(admin, org):
    checked, unchecked, stale = (MonitorFactory(organization=org) for _ in range(3))
    Rollup.objects.create(monitor=checked, period=HOUR_PERIOD, bucket=last_hour(), checks=4, up=2, degraded=1)
    Rollup.objects.create(monitor=stale, period=HOUR_PERIOD, bucket=last_hour() - timedelta(days=2), checks=4, up=4)
    Rollup.objects.create(monitor=stale, period=DAY_PERIOD, bucket=last_hour().replace(hour=0), checks=4, up=4)

    listed = {item["id"]: item for item in admin.get("/api/monitors").json()["data"]}
    assert listed[checked.id]["uptime"] == 75.0
    assert listed[unchecked.id]["uptime"] is None
    assert listed[stale.id]["uptime"] is None  # only 7d hourly and daily rows
    keys = list(listed[checked.id])
    assert keys[keys.index("responseTime") + 1] == "uptime"

    assert admin.get(f"/api/monitors/{checked.id}").json()["uptime"] == 75.0
    assert admin.get(f"/api/monitors/{unchecked.id}").json()["uptime"] is None
    updated = admin.put(f"/api/monitors/{checked.id}", {"name": "Renamed"}, format="json")
    assert updated.status_code == 200, updated.content
    assert updated.json()["uptime"] == 75.0


def test_a_new_monitor_has_no_uptime_yet(admin):
    response = admin.post(
        "/api/monitors", {"name": "New", "type": "http", "url": "https://example.com/"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["uptime"] is None


def test_uptime_is_read_only(admin, monitor):
    response = admin.put(f"/api/monitors/{monitor.id}", {"uptime": 100}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["uptime"] == ["This field is read-only."]


# --- queries -----------------------------------------------------------------------------------


def add_rollups(org) -> None:
    """A day of hourly rollups and a week of daily ones for each monitor that has none."""
    hour = last_hour()
    fresh = Monitor.objects.filter(organization=org, rollups__isnull=True)
    Rollup.objects.bulk_create(
        [
            Rollup(monitor=m, period=HOUR_PERIOD, bucket=hour - timedelta(hours=h), checks=60, up=45, degraded=15)
            for m in fresh
            for h in range(24)
        ]
        + [
            Rollup(monitor=m, period=DAY_PERIOD, bucket=hour.replace(hour=0) - timedelta(days=d), checks=1440, up=1)
            for m in fresh
            for d in range(7)
        ]
    )


def test_monitor_list_with_uptime_queries_do_not_grow_with_monitors(steady_request_plumbing, admin, org):
    make_monitors(org, 5)
    add_rollups(org)
    admin.get("/api/monitors")  # warm-up
    few = measure(admin, "/api/monitors?limit=100", 5)
    make_monitors(org, 95)
    add_rollups(org)
    many = measure(admin, "/api/monitors?limit=100", 100)

    # API key, rate-limit update, page with its total and its monitors' 24h uptime, their dependsOn
    assert_constant(few, many, PER_REQUEST + 2)
    assert {item["uptime"] for item in admin.get("/api/monitors?limit=100").json()["data"]} == {100.0}


def test_checks_queries_do_not_grow_with_results(steady_request_plumbing, admin, monitor):
    add_results(monitor, 5)
    admin.get("/api/monitors")  # warm-up
    few = measure(admin, f"/api/monitors/{monitor.id}/checks?limit=100", 5)
    add_results(monitor, 95, start=BASE + timedelta(days=1))
    many = measure(admin, f"/api/monitors/{monitor.id}/checks?limit=100", 100)

    # API key, rate-limit update, the monitor, page with its total
    assert_constant(few, many, PER_REQUEST + 2)


def test_uptime_is_three_queries_after_the_request_plumbing(steady_request_plumbing, admin, monitor):
    add_rollups(monitor.organization)
    admin.get("/api/monitors")  # warm-up
    queries = []
    for _ in range(2):
        queries = measure(admin, f"/api/monitors/{monitor.id}/uptime")
    # API key, rate-limit update, the monitor, every window's rollup sums
    assert len(queries) == PER_REQUEST + 3, show(queries)  # the monitor, its rollups, its raw results by region


def test_list_and_detail_uptime_match_the_rollup_selector(admin):
    monitor = MonitorFactory(organization=admin.organization)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    Rollup.objects.create(monitor=monitor, period="hour", bucket=hour, checks=10, up=8, degraded=1)
    Rollup.objects.create(monitor=monitor, period="hour", bucket=hour - timedelta(hours=3), checks=10, up=10)
    Rollup.objects.create(monitor=monitor, period="hour", bucket=hour - timedelta(hours=25), checks=10, up=0)
    Rollup.objects.create(monitor=monitor, period="day", bucket=hour.replace(hour=0), checks=30, up=0)

    expected = uptime_by_monitor([monitor.id], window="24h")[monitor.id]
    assert expected == 95.0
    assert admin.get("/api/monitors").json()["data"][0]["uptime"] == expected
    assert admin.get(f"/api/monitors/{monitor.id}").json()["uptime"] == expected

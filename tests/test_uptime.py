"""Uptime from rollups (monitors.selectors), the p95 of ended periods and raw-result
retention (monitors.rollups). Real database: these run on SQLite and on PostgreSQL."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitors import rollups, selectors
from monitors.models import CheckResult, Monitor, Rollup

from .factories import MonitorFactory

pytestmark = pytest.mark.django_db

HOUR_PERIOD, DAY_PERIOD = Rollup.Period.HOUR, Rollup.Period.DAY
UP, DEGRADED, DOWN = Monitor.Status.UP, Monitor.Status.DEGRADED, Monitor.Status.DOWN

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
HOUR = NOW.replace(minute=0)  # the current hour's bucket
DAY = NOW.replace(hour=0, minute=0)  # today's bucket


def rollup(monitor, period, bucket, *, checks, up=0, degraded=0, time_sum=0, time_count=0, p95=None) -> Rollup:
    return Rollup.objects.create(
        monitor=monitor,
        period=period,
        bucket=bucket,
        checks=checks,
        up=up,
        degraded=degraded,
        response_time_sum=time_sum,
        response_time_count=time_count,
        p95_response_time=p95,
    )


def results(monitor, start, response_times, *, status=UP, in_maintenance=False, step=timedelta(seconds=30)) -> None:
    CheckResult.objects.bulk_create(
        CheckResult(
            monitor=monitor,
            scheduled_at=start + n * step,
            started_at=start + n * step + timedelta(milliseconds=5),
            status=status,
            response_time=response_time,
            status_code=200 if status != DOWN else None,
            in_maintenance=in_maintenance,
        )
        for n, response_time in enumerate(response_times)
    )


@pytest.fixture
def monitor(org):
    return MonitorFactory(organization=org)


def uptime(monitor, window: str, now=NOW):
    return selectors.uptime_by_monitor([monitor.id], window=window, now=now)[monitor.id]


# --- uptime_by_monitor ---------------------------------------------------------------------------


def test_24h_is_the_current_hour_and_the_23_before_it(monitor):
    rollup(monitor, HOUR_PERIOD, HOUR, checks=10, up=10)
    rollup(monitor, HOUR_PERIOD, HOUR - timedelta(hours=23), checks=10, up=5, degraded=3)
    rollup(monitor, HOUR_PERIOD, HOUR - timedelta(hours=24), checks=10)  # just outside: all down
    rollup(monitor, HOUR_PERIOD, HOUR + timedelta(hours=1), checks=10)  # the future
    rollup(monitor, DAY_PERIOD, DAY, checks=100)  # daily rows are not read for 24h

    assert uptime(monitor, "24h") == 90.0  # (10 + 5 + 3) / 20
    # Exactly on the hour: the bucket 24 hours back is still out, the one 23 back is in.
    assert uptime(monitor, "24h", now=HOUR) == 90.0
    # A minute before, the current hour has not started: 8 of 10.
    assert uptime(monitor, "24h", now=HOUR - timedelta(minutes=1)) == 40.0  # (8 + 0) / 20


def test_7d_from_hourly_rollups(monitor):
    rollup(monitor, HOUR_PERIOD, HOUR, checks=60, up=60)
    rollup(monitor, HOUR_PERIOD, HOUR - timedelta(days=7) + timedelta(hours=1), checks=60, up=30)
    rollup(monitor, HOUR_PERIOD, HOUR - timedelta(days=7), checks=60)  # just outside
    rollup(monitor, DAY_PERIOD, DAY - timedelta(days=2), checks=1000)  # daily rows are not read

    assert uptime(monitor, "7d") == 75.0
    assert uptime(monitor, "24h") == 100.0


@pytest.mark.parametrize("window,days", [("30d", 30), ("90d", 90)])
def test_30d_and_90d_from_daily_rollups(monitor, window, days):
    rollup(monitor, DAY_PERIOD, DAY, checks=1440, up=1440)
    rollup(monitor, DAY_PERIOD, DAY - timedelta(days=days - 1), checks=1440, up=1000, degraded=80)
    rollup(monitor, DAY_PERIOD, DAY - timedelta(days=days), checks=1440)  # just outside
    rollup(monitor, HOUR_PERIOD, HOUR - timedelta(hours=2), checks=60)  # hourly rows are not read

    assert uptime(monitor, window) == 87.5  # (1440 + 1080) / 2880


def test_uptime_is_rounded_to_three_decimals(monitor):
    rollup(monitor, HOUR_PERIOD, HOUR, checks=3, up=1, degraded=1)
    assert uptime(monitor, "24h") == 66.667
    rollup(monitor, DAY_PERIOD, DAY, checks=7, up=6)
    assert uptime(monitor, "30d") == 85.714


def test_no_checks_is_none_not_zero(monitor, org):
    empty = MonitorFactory(organization=org)
    zero = MonitorFactory(organization=org)
    rollup(zero, HOUR_PERIOD, HOUR, checks=0)  # a row without counted checks
    old = MonitorFactory(organization=org)
    rollup(old, HOUR_PERIOD, HOUR - timedelta(days=2), checks=10, up=10)  # only outside 24h

    got = selectors.uptime_by_monitor([empty.id, zero.id, old.id], window="24h", now=NOW)
    assert got == {empty.id: None, zero.id: None, old.id: None}


def test_all_down_is_zero(monitor):
    rollup(monitor, HOUR_PERIOD, HOUR, checks=10)
    assert uptime(monitor, "24h") == 0.0


def test_many_monitors_in_one_query(org, django_assert_num_queries):
    monitors = MonitorFactory.create_batch(30, organization=org)
    Rollup.objects.bulk_create(
        Rollup(monitor=m, period=HOUR_PERIOD, bucket=HOUR - timedelta(hours=h), checks=4, up=n % 5)
        for n, m in enumerate(monitors)
        for h in range(24)
    )
    other = MonitorFactory()  # another organization's monitor is not asked for
    rollup(other, HOUR_PERIOD, HOUR, checks=4, up=4)

    with django_assert_num_queries(1):
        got = selectors.uptime_by_monitor((m.id for m in monitors), window="24h", now=NOW)

    assert got == {m.id: (n % 5) * 25.0 for n, m in enumerate(monitors)}


def test_no_monitors_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.uptime_by_monitor([], window="7d", now=NOW) == {}


def test_unknown_window_is_refused(monitor):
    with pytest.raises(ValueError, match="Unknown window"):
        selectors.uptime_by_monitor([monitor.id], window="1y", now=NOW)


# --- monitor_uptime_summary ----------------------------------------------------------------------


def test_summary_of_every_window_in_one_query(monitor, org, django_assert_num_queries):
    # Hourly: the current hour (not finalized), an hour ago, two hours ago (all down), 3 days ago.
    rollup(monitor, HOUR_PERIOD, HOUR, checks=60, up=50, degraded=5, time_sum=55 * 120, time_count=55)
    rollup(monitor, HOUR_PERIOD, HOUR - timedelta(hours=1), checks=60, up=60, time_sum=6000, time_count=60, p95=200)
    rollup(monitor, HOUR_PERIOD, HOUR - timedelta(hours=2), checks=60)
    rollup(monitor, HOUR_PERIOD, HOUR - timedelta(days=3), checks=60, up=60, time_sum=2000, time_count=20, p95=500)
    rollup(monitor, HOUR_PERIOD, HOUR - timedelta(days=7), checks=60, time_count=60, p95=9999)  # outside
    # Daily: today (not finalized), 10 and 60 days ago, 90 days ago (outside).
    rollup(monitor, DAY_PERIOD, DAY, checks=1000, up=900, degraded=50, time_sum=95_000, time_count=950)
    ten_days_ago, sixty_days_ago = DAY - timedelta(days=10), DAY - timedelta(days=60)
    rollup(monitor, DAY_PERIOD, ten_days_ago, checks=1000, up=1000, time_sum=200_000, time_count=1000, p95=300)
    rollup(monitor, DAY_PERIOD, sixty_days_ago, checks=1000, up=500, time_sum=50_000, time_count=500, p95=100)
    rollup(monitor, DAY_PERIOD, DAY - timedelta(days=90), checks=1000, time_count=1000, p95=9999)
    rollup(MonitorFactory(organization=org), HOUR_PERIOD, HOUR, checks=60)  # another monitor

    with django_assert_num_queries(1):
        summary = selectors.monitor_uptime_summary(monitor, now=NOW)

    assert summary == {
        "24h": {
            "uptime": 63.889,  # 115 / 180
            "checks": 180,
            "down": 65,
            "average_response_time": 110,  # 12600 / 115
            "p95_response_time": 200,  # the only finalized hour
        },
        "7d": {
            "uptime": 72.917,  # 175 / 240
            "checks": 240,
            "down": 65,
            "average_response_time": 108,  # 14600 / 135
            "p95_response_time": 275,  # (200 * 60 + 500 * 20) / 80
        },
        "30d": {
            "uptime": 97.5,
            "checks": 2000,
            "down": 50,
            "average_response_time": 151,  # 295000 / 1950
            "p95_response_time": 300,
        },
        "90d": {
            "uptime": 81.667,  # 2450 / 3000
            "checks": 3000,
            "down": 550,
            "average_response_time": 141,  # 345000 / 2450
            "p95_response_time": 233,  # (300 * 1000 + 100 * 500) / 1500
        },
    }
    assert selectors.monitor_uptime_summary(monitor.id, now=NOW) == summary  # an id will do


def test_summary_without_checks(monitor):
    empty = {"uptime": None, "checks": 0, "down": 0, "average_response_time": None, "p95_response_time": None}
    assert selectors.monitor_uptime_summary(monitor, now=NOW) == dict.fromkeys(selectors.WINDOWS, empty)


def test_summary_p95_does_not_overflow_with_big_weights(monitor):
    # 300 s p95 x 86,400 checks a day x 90 days is far beyond a 32-bit integer.
    for day in range(90):
        rollup(monitor, DAY_PERIOD, DAY - timedelta(days=day), checks=86_400, up=86_400, time_sum=86_400 * 300_000,
               time_count=86_400, p95=300_000)  # fmt: skip
    window = selectors.monitor_uptime_summary(monitor, now=NOW)["90d"]
    assert window["p95_response_time"] == 300_000
    assert window["average_response_time"] == 300_000
    assert window["checks"] == 90 * 86_400


# --- finalize_p95 --------------------------------------------------------------------------------

BUCKET = HOUR - timedelta(hours=2)  # 10:00, ended


@pytest.fixture
def known_hour(monitor):
    """1..100 ms in the 10:00 hour (UP and DEGRADED, shuffled) and what must not count."""
    times = list(range(1, 101))
    random.Random(6).shuffle(times)
    results(monitor, BUCKET, times[:50])
    results(monitor, BUCKET + timedelta(seconds=15), times[50:], status=DEGRADED)
    offset = BUCKET + timedelta(minutes=50)
    results(monitor, offset, [10_000] * 5, status=DOWN)  # failures
    results(monitor, offset + timedelta(seconds=5), [10_000] * 10, in_maintenance=True)  # maintenance
    results(monitor, offset + timedelta(seconds=10), [None] * 3)  # no response time
    # The same day, other hours: in the day's p95, not the hour's.
    results(monitor, BUCKET - timedelta(seconds=1), [10_000])
    results(monitor, BUCKET + timedelta(hours=1), [10_000])
    hour = rollup(monitor, HOUR_PERIOD, BUCKET, checks=100 + 5 + 3, up=53, degraded=50, time_count=100)
    day = rollup(monitor, DAY_PERIOD, DAY, checks=110, up=55, degraded=50, time_count=102)
    return hour, day


def p95(row: Rollup) -> int | None:
    row.refresh_from_db()
    return row.p95_response_time


def test_p95_of_a_known_set_leaves_out_failures_and_maintenance(known_hour):
    hour, day = known_hour

    assert rollups.finalize_p95(now=NOW) == 1

    # 15 of 118 results at 10 s would have pushed the p95 to 10 s (maintenance alone: 10 of 110).
    assert p95(hour) == 95
    assert p95(day) is None  # today has not ended

    assert rollups.finalize_p95(now=DAY + timedelta(days=1, minutes=10)) == 1
    assert p95(day) == 97  # 102 values: the 97th (ceil(0.95 * 102))
    assert p95(hour) == 95


def test_only_ended_periods_after_they_settle(monitor):
    results(monitor, HOUR, [100, 200, 300])
    current = rollup(monitor, HOUR_PERIOD, HOUR, checks=3, up=3, time_count=3)
    end = HOUR + timedelta(hours=1)

    assert rollups.finalize_p95(now=NOW) == 0
    assert rollups.finalize_p95(now=end + rollups.SETTLE - timedelta(seconds=1)) == 0  # late results may come
    assert p95(current) is None
    assert rollups.finalize_p95(now=end + rollups.SETTLE) == 1
    assert p95(current) == 300
    assert rollups.finalize_p95(now=end, settle=timedelta(0)) == 0  # done


def test_finalize_is_idempotent(known_hour, monitor):
    hour, _ = known_hour
    earlier = rollup(monitor, HOUR_PERIOD, BUCKET - timedelta(hours=1), checks=1, up=1, time_count=1, p95=7)

    assert rollups.finalize_p95(now=NOW) == 1
    assert rollups.finalize_p95(now=NOW) == 0
    assert p95(hour) == 95
    assert p95(earlier) == 7  # already set: never computed again (its result says 10 s)


def test_rollups_without_response_times_keep_a_null_p95(monitor, org):
    heartbeat = MonitorFactory(organization=org, type=Monitor.Type.HEARTBEAT, url="")
    results(heartbeat, BUCKET, [None] * 3)
    silent = rollup(heartbeat, HOUR_PERIOD, BUCKET, checks=3, up=3, time_count=0)
    results(monitor, BUCKET, [10_000] * 3, status=DOWN)
    down = rollup(monitor, HOUR_PERIOD, BUCKET, checks=3, time_count=0)

    assert rollups.finalize_p95(now=NOW) == 0
    assert p95(silent) is None
    assert p95(down) is None


def test_nothing_older_than_the_retention(monitor, settings):
    settings.CHECK_RESULT_RETENTION_DAYS = 14
    old_bucket = HOUR - timedelta(days=20)
    results(monitor, old_bucket, [5, 6, 7])  # (would have been pruned by now)
    old = rollup(monitor, HOUR_PERIOD, old_bucket, checks=3, up=3, time_count=3)

    assert rollups.finalize_p95(now=NOW) == 0
    assert p95(old) is None
    settings.CHECK_RESULT_RETENTION_DAYS = 30
    assert rollups.finalize_p95(now=NOW) == 1
    assert p95(old) == 7


def test_finalize_in_batches_of_monitors(org):
    monitors = MonitorFactory.create_batch(5, organization=org)
    rows = {}
    for k, m in enumerate(monitors, 1):
        results(m, BUCKET, [k * v for v in range(20, 0, -1)])  # k, 2k, …, 20k
        rows[m.id] = rollup(m, HOUR_PERIOD, BUCKET, checks=20, up=20, time_count=20)
    rollup(monitors[0], HOUR_PERIOD, BUCKET - timedelta(hours=1), checks=1, up=1, time_count=1)  # no results

    with CaptureQueriesContext(connection) as context:
        assert rollups.finalize_p95(now=NOW, batch_size=2) == 5

    reads = [q["sql"] for q in context.captured_queries if "monitors_checkresult" in q["sql"]]
    assert len(reads) == 1 + 3  # the earlier hour, then 5 monitors in batches of 2
    for k, m in enumerate(monitors, 1):
        assert p95(rows[m.id]) == 19 * k  # 20 values: the 19th


@pytest.mark.parametrize(
    "values,expected",
    [
        ([42], 42),
        ([1, 2], 2),
        (list(range(1, 20)), 19),  # ceil(18.05) = 19
        (list(range(1, 21)), 19),  # ceil(19.0) = 19
        (list(range(1, 22)), 20),  # ceil(19.95) = 20
        (list(range(1, 101)), 95),
        (list(range(1, 102)), 96),  # ceil(95.95) = 96
        ([5, 5, 5, 5, 9], 9),
    ],
)
def test_percentile_is_postgres_percentile_disc(monitor, values, expected):
    results(monitor, BUCKET, list(reversed(values)))
    assert rollups.percentile_disc(sorted(values)) == expected
    got = rollups.p95_by_monitor([monitor.id], BUCKET, BUCKET + timedelta(hours=1))
    assert got == {monitor.id: expected}


def test_python_percentile_agrees_with_postgres_on_random_sets(org):
    if connection.vendor != "postgresql":
        pytest.skip("compares with PostgreSQL's percentile_disc")
    generator = random.Random(95)
    monitors = MonitorFactory.create_batch(12, organization=org)
    for m, size in zip(monitors, [1, 2, 3, 7, 19, 20, 21, 99, 100, 101, 119, 120], strict=True):
        results(m, BUCKET, [generator.randint(1, 400) for _ in range(size)], step=timedelta(seconds=29))
    ids, end = [m.id for m in monitors], BUCKET + timedelta(hours=1)

    in_sql = rollups.p95_by_monitor_sql(ids, BUCKET, end)
    assert len(in_sql) == 12
    assert rollups.p95_by_monitor_python(ids, BUCKET, end) == in_sql


# --- prune_check_results -------------------------------------------------------------------------


def ages(monitor) -> list[timedelta]:
    return sorted(NOW - at for at in CheckResult.objects.filter(monitor=monitor).values_list("scheduled_at", flat=True))


def test_prune_deletes_only_what_is_older_than_the_retention(monitor):
    for age in (timedelta(days=15), timedelta(days=14, seconds=1), timedelta(days=13, hours=23), timedelta(hours=1)):
        results(monitor, NOW - age, [100])
    kept_rollup = rollup(monitor, DAY_PERIOD, DAY - timedelta(days=20), checks=1, up=1)

    assert rollups.prune_check_results(retention_days=14, now=NOW) == 2

    assert ages(monitor) == [timedelta(hours=1), timedelta(days=13, hours=23)]
    assert Rollup.objects.filter(pk=kept_rollup.pk).exists()  # the history stays
    assert rollups.prune_check_results(retention_days=14, now=NOW) == 0


def test_prune_in_batches(monitor, org):
    results(monitor, NOW - timedelta(days=30), [100] * 25, step=timedelta(minutes=1))
    results(MonitorFactory(organization=org), NOW - timedelta(days=20), [100] * 5)
    results(monitor, NOW - timedelta(days=1), [100] * 4)

    with CaptureQueriesContext(connection) as context:
        assert rollups.prune_check_results(retention_days=14, batch_size=10, now=NOW) == 30

    deletes = [q["sql"] for q in context.captured_queries if q["sql"].upper().startswith("DELETE")]
    assert len(deletes) == 3  # 10 + 10 + 10
    assert all("LIMIT" not in sql.upper() for sql in deletes)
    assert CheckResult.objects.count() == 4


def test_prune_reads_the_retention_setting(monitor, settings):
    settings.CHECK_RESULT_RETENTION_DAYS = 2
    results(monitor, NOW - timedelta(days=3), [100])
    results(monitor, NOW - timedelta(days=1), [100])

    assert rollups.prune_check_results(now=NOW) == 1
    assert ages(monitor) == [timedelta(days=1)]


def test_prune_refuses_a_retention_below_one_day(monitor):
    results(monitor, NOW - timedelta(hours=1), [100])
    with pytest.raises(ValueError):
        rollups.prune_check_results(retention_days=0, now=NOW)
    assert CheckResult.objects.count() == 1

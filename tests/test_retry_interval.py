"""A failing monitor's confirming re-checks come `retry_interval` seconds apart, then the
monitor returns to its grid; a recovery ends the outage's acknowledgement.

The scheduler's claim and the check batch run as beat and the worker run them, with explicit
times, against a real HTTP server on 127.0.0.1."""

from datetime import UTC, datetime, timedelta

import pytest

from monitors.checking import Observation, record_observations, run_check_batch
from monitors.engine import CheckResult as Outcome
from monitors.models import CheckResult, Monitor, StatusChange
from monitors.ping import record_ping
from monitors.schedule import slot_at_or_after
from monitors.scheduler import claim_due_monitors

from .factories import MonitorFactory
from .http_target import Target

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
UP, DOWN, PENDING = "UP", "DOWN", "PENDING"


@pytest.fixture
def target(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True  # the target is on loopback
    server = Target()
    yield server
    server.close()


def on_grid(**fields) -> Monitor:
    """A monitor whose next check is the first slot of its grid at or after NOW."""
    monitor = MonitorFactory(**fields)
    monitor.next_check_at = slot_at_or_after(NOW, monitor_id=monitor.id, interval=monitor.interval)
    monitor.save()
    return monitor


def tick(monitor: Monitor, now: datetime) -> list[datetime]:
    """What beat and a worker do at `now`: claim what is due and check it. The slots checked."""
    claimed = claim_due_monitors(now=now, lookahead=timedelta(0), limit=10)
    run_check_batch([(c.monitor_id, c.slot) for c in claimed])
    monitor.refresh_from_db()
    return [c.slot for c in claimed]


def checked_slots(monitor: Monitor) -> list[datetime]:
    return list(
        CheckResult.objects.filter(monitor=monitor).order_by("scheduled_at").values_list("scheduled_at", flat=True)
    )


def test_failures_are_confirmed_retry_interval_apart_then_the_grid_resumes(target):
    monitor = on_grid(url=target.url, interval=300, timeout=5, retries=2, retry_interval=20)
    start = monitor.next_check_at
    seconds = [start + timedelta(seconds=n) for n in range(0, 1201, 5)]

    target.status = 200
    statuses = {}
    for now in seconds:
        if now == start + timedelta(seconds=300):
            target.status = 500  # fails from its second grid slot on
        if now == start + timedelta(seconds=900):
            target.status = 200
        if tick(monitor, now):
            statuses[int((now - start).total_seconds())] = monitor.status

    # UP on the grid; the failure at 300 s confirmed at 320 s and 340 s (retries=2); DOWN
    # checks back on the grid (600 s), recovered at 900 s, then the grid again (1200 s).
    assert statuses == {0: UP, 300: UP, 320: UP, 340: DOWN, 600: DOWN, 900: UP, 1200: UP}
    assert checked_slots(monitor) == [start + timedelta(seconds=s) for s in statuses]
    assert target.hits == len(statuses)
    changes = list(StatusChange.objects.filter(monitor=monitor).order_by("id").values_list("from_status", "to_status"))
    assert changes == [(PENDING, UP), (UP, DOWN), (DOWN, UP)]


def test_a_failure_that_clears_on_its_retry_goes_back_to_the_grid(target):
    monitor = on_grid(url=target.url, interval=300, timeout=5, retries=2, retry_interval=20)
    start = monitor.next_check_at

    target.status = 500
    assert tick(monitor, start) == [start]
    assert (monitor.status, monitor.failure_count) == (PENDING, 1)
    assert monitor.next_check_at == start + timedelta(seconds=20)

    target.status = 200
    assert tick(monitor, start + timedelta(seconds=20)) == [start + timedelta(seconds=20)]
    assert (monitor.status, monitor.failure_count) == (UP, 0)
    assert monitor.next_check_at == start + timedelta(seconds=300)
    assert not StatusChange.objects.filter(monitor=monitor, to_status=DOWN).exists()


def test_without_a_retry_interval_failures_are_confirmed_on_the_grid(target):
    monitor = on_grid(url=target.url, interval=300, timeout=5, retries=1)
    start = monitor.next_check_at
    target.status = 500

    tick(monitor, start)

    assert (monitor.status, monitor.failure_count) == (PENDING, 1)
    assert monitor.next_check_at == start + timedelta(seconds=300)


def test_a_retry_interval_beyond_the_next_slot_keeps_the_grid(target):
    monitor = on_grid(url=target.url, interval=60, timeout=5, retries=1, retry_interval=90)
    start = monitor.next_check_at
    target.status = 500

    tick(monitor, start)

    assert monitor.failure_count == 1
    assert monitor.next_check_at == start + timedelta(seconds=60)


def test_a_retry_never_moves_the_next_check_later_than_the_grid():
    # A retry slot off the grid: the next grid slot comes before slot + retry_interval.
    monitor = on_grid(interval=300, retries=5, retry_interval=20)
    grid = monitor.next_check_at
    retry_slot = grid - timedelta(seconds=10)
    failing = Outcome(status=DOWN, response_time_ms=5, error="HTTP 500")

    record_observations([Observation(monitor.id, retry_slot, retry_slot, failing)])

    monitor.refresh_from_db()
    assert monitor.failure_count == 1 and monitor.next_check_at == grid


# --- acknowledgement ends with the outage ---------------------------------------------------


def acknowledged_down_monitor(**fields) -> Monitor:
    return MonitorFactory(
        status=DOWN,
        failure_count=3,
        acknowledged_at=NOW - timedelta(minutes=5),
        acknowledged_by="ana@example.com",
        **fields,
    )


def test_recovery_clears_the_acknowledgement_with_the_status():
    monitor = acknowledged_down_monitor()

    record_observations([Observation(monitor.id, NOW, NOW, Outcome(status=UP, response_time_ms=12))])

    monitor.refresh_from_db()
    assert monitor.status == UP
    assert (monitor.acknowledged_at, monitor.acknowledged_by) == (None, "")
    assert StatusChange.objects.get(monitor=monitor).to_status == UP


@pytest.mark.parametrize("result", [DOWN, "DEGRADED"])
def test_acknowledgement_stays_while_down_and_ends_on_any_recovery(result):
    monitor = acknowledged_down_monitor()

    record_observations([Observation(monitor.id, NOW, NOW, Outcome(status=result, response_time_ms=12, error="x"))])

    monitor.refresh_from_db()
    if result == DOWN:
        assert monitor.status == DOWN and monitor.acknowledged_by == "ana@example.com"
        assert monitor.acknowledged_at == NOW - timedelta(minutes=5)
    else:
        assert monitor.status == "DEGRADED" and (monitor.acknowledged_at, monitor.acknowledged_by) == (None, "")


def test_a_heartbeat_ping_that_recovers_the_monitor_clears_the_acknowledgement():
    monitor = acknowledged_down_monitor(type=Monitor.Type.HEARTBEAT, url="", ping_token="tok-recovering")

    assert record_ping("tok-recovering", "success")

    monitor.refresh_from_db()
    assert monitor.status == UP
    assert (monitor.acknowledged_at, monitor.acknowledged_by) == (None, "")

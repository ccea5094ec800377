from datetime import UTC, datetime, timedelta

import pytest

from monitors import scheduler, tasks
from monitors.checking import Observation, record_observations, run_check_batch
from monitors.engine import CheckResult as Outcome
from monitors.models import CheckResult, Monitor, Rollup, StatusChange
from monitors.schedule import START_TICK, following_slot, offset_ms, slot_at_or_after, start_time
from monitors.scheduler import Claimed, claim_due_monitors
from monitors.state import next_status

from .factories import MonitorFactory
from .http_target import Target

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
UP, DEGRADED, DOWN, PENDING, PAUSED = "UP", "DEGRADED", "DOWN", "PENDING", "PAUSED"


@pytest.fixture
def target(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True  # the target is on loopback
    server = Target()
    yield server
    server.close()


# --- the grid -----------------------------------------------------------------------------


def test_slots_sit_on_a_fixed_grid_with_the_interval_between_them():
    slot = slot_at_or_after(NOW, monitor_id="mon_a", interval=30)
    assert slot >= NOW and slot - NOW < timedelta(seconds=30)
    for _ in range(100):
        after = following_slot(slot, now=slot, monitor_id="mon_a", interval=30)
        assert after - slot == timedelta(seconds=30)
        slot = after
    assert int(slot.timestamp() * 1000) % 30_000 == offset_ms("mon_a", 30)


def test_offsets_spread_monitors_over_the_interval():
    offsets = [offset_ms(f"mon_{n}", 60) for n in range(1000)]
    seconds_used = {offset // 1000 for offset in offsets}
    assert len(seconds_used) == 60  # every second of the minute gets some checks
    assert max(offsets) < 60_000


def test_a_new_monitors_first_check_snaps_to_its_grid_afterwards():
    first = NOW + timedelta(milliseconds=123)  # created at an arbitrary moment
    second = following_slot(first, now=first, monitor_id="mon_b", interval=60)
    third = following_slot(second, now=second, monitor_id="mon_b", interval=60)
    assert second == slot_at_or_after(first + timedelta(milliseconds=1), monitor_id="mon_b", interval=60)
    assert third - second == timedelta(seconds=60)


def test_a_schedule_that_fell_behind_resumes_from_now_without_a_burst():
    slot = slot_at_or_after(NOW, monitor_id="mon_c", interval=10)
    much_later = NOW + timedelta(minutes=30)
    after = following_slot(slot, now=much_later, monitor_id="mon_c", interval=10)
    assert much_later <= after < much_later + timedelta(seconds=10)


# --- the status machine -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "failures", "retries", "result", "expected"),
    [
        (PENDING, 0, 0, UP, (UP, 0)),
        (PENDING, 0, 0, DOWN, (DOWN, 1)),
        (PENDING, 0, 2, DOWN, (PENDING, 1)),
        (UP, 0, 2, DOWN, (UP, 1)),
        (UP, 1, 2, DOWN, (UP, 2)),
        (UP, 2, 2, DOWN, (DOWN, 3)),
        (DOWN, 3, 2, DOWN, (DOWN, 4)),
        (DOWN, 4, 2, UP, (UP, 0)),
        (UP, 1, 2, UP, (UP, 0)),
        (UP, 0, 0, DEGRADED, (DEGRADED, 0)),
        (DEGRADED, 0, 0, UP, (UP, 0)),
    ],
)
def test_status_machine(status, failures, retries, result, expected):
    assert next_status(status=status, failure_count=failures, retries=retries, result=result) == expected


# --- claiming -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_claim_takes_due_active_monitors_once_and_advances_them_on_the_grid():
    # On-grid slots (the grid's offset comes from the random id), with `now` chosen so
    # that each monitor's next slot falls beyond the lookahead: claimed exactly once.
    soon = MonitorFactory(interval=60)
    soon.next_check_at = slot_at_or_after(NOW, monitor_id=soon.id, interval=60)
    soon.save()
    now = soon.next_check_at - timedelta(milliseconds=1500)
    due = MonitorFactory(interval=60)
    due.next_check_at = slot_at_or_after(now - timedelta(seconds=58, milliseconds=-1), monitor_id=due.id, interval=60)
    due.save()
    later = MonitorFactory(next_check_at=now + timedelta(seconds=30), interval=60)
    paused = MonitorFactory(next_check_at=now - timedelta(seconds=1), status=PAUSED)

    claimed = {c.monitor_id: c.slot for c in claim_due_monitors(now=now, lookahead=timedelta(seconds=2), limit=100)}

    assert set(claimed) == {due.id, soon.id}
    assert claimed[soon.id] == soon.next_check_at
    soon.refresh_from_db()
    assert soon.next_check_at == slot_at_or_after(
        claimed[soon.id] + timedelta(milliseconds=1), monitor_id=soon.id, interval=60
    )
    assert claim_due_monitors(now=now, lookahead=timedelta(seconds=2), limit=100) == []
    later.refresh_from_db()
    paused.refresh_from_db()
    assert later.next_check_at == now + timedelta(seconds=30)
    assert paused.next_check_at == now - timedelta(seconds=1)


@pytest.mark.django_db
def test_claim_respects_its_limit_and_takes_the_most_overdue_first():
    monitors = [MonitorFactory(next_check_at=NOW - timedelta(seconds=n)) for n in range(5)]
    claimed = claim_due_monitors(now=NOW, lookahead=timedelta(0), limit=2)
    assert [c.monitor_id for c in claimed] == [monitors[4].id, monitors[3].id]


def test_claimed_slots_are_batched_by_the_tick_they_start_on_and_split_at_the_batch_size():
    base = NOW.timestamp()
    at = [datetime.fromtimestamp(base + ms / 1000, UTC) for ms in (0, 1, 99, 100, 101, 350, 120, 130)]
    claimed = [Claimed(f"mon_{i}", slot, "http", []) for i, slot in enumerate(at)]
    batches = scheduler.batches(claimed, set(), 2)
    assert {region for _, region, _ in batches} == {"default"}
    assert [(round(start - base, 3), [m for m, _ in batch]) for start, _, batch in batches] == [
        (0.0, ["mon_0"]),
        (0.1, ["mon_1", "mon_2"]),  # 1 ms and 99 ms both start on the 100 ms tick
        (0.1, ["mon_3"]),
        (0.2, ["mon_4", "mon_6"]),
        (0.2, ["mon_7"]),
        (0.4, ["mon_5"]),
    ]
    assert all(start == start_time(slot) for start, _, batch in batches for _, slot in batch)
    assert start_time(at[2]) - at[2].timestamp() < START_TICK


@pytest.mark.django_db
def test_dispatch_hands_each_batch_to_the_broker_to_deliver_just_before_its_tick(monkeypatch, settings):
    settings.CHECK_BATCH_SIZE = 250
    now = datetime.now(UTC)
    first, second = (MonitorFactory(next_check_at=now + timedelta(milliseconds=ms)) for ms in (300, 1300))
    sent = []
    monkeypatch.setattr(
        tasks.run_checks, "apply_async", lambda args, queue, eta, expires: sent.append((args[0], queue, eta))
    )
    assert tasks.dispatch_due_monitors() == 2
    assert [[monitor_id for monitor_id, _ in batch] for batch, _, _ in sent] == [[first.id], [second.id]]
    assert {queue for _, queue, _ in sent} == {"checks.default"}
    for (batch, _, eta), monitor in zip(sent, (first, second), strict=True):
        assert eta.timestamp() == pytest.approx(start_time(monitor.next_check_at) - tasks.HANDOFF.total_seconds())
        assert batch == [[monitor.id, monitor.next_check_at.isoformat()]]


# --- running and recording ----------------------------------------------------------------


def _run(monitor: Monitor, slot: datetime) -> None:
    run_check_batch([(monitor.id, slot)])
    monitor.refresh_from_db()


@pytest.mark.django_db
def test_monitor_goes_up_then_down_after_retries_then_up_again(target):
    monitor = MonitorFactory(url=target.url, retries=2, interval=60, timeout=5)
    slot = NOW

    _run(monitor, slot)
    assert monitor.status == UP and monitor.response_time is not None and monitor.last_error == ""

    target.status = 500
    for expected in (UP, UP, DOWN):  # retries=2: the third failure confirms
        slot += timedelta(seconds=60)
        _run(monitor, slot)
        assert monitor.status == expected
    assert monitor.last_error == "HTTP 500"

    target.status = 200
    slot += timedelta(seconds=60)
    _run(monitor, slot)
    assert monitor.status == UP and monitor.failure_count == 0

    changes = list(StatusChange.objects.filter(monitor=monitor).order_by("id").values_list("from_status", "to_status"))
    assert changes == [(PENDING, UP), (UP, DOWN), (DOWN, UP)]
    assert CheckResult.objects.filter(monitor=monitor).count() == 5
    assert target.hits == 5


@pytest.mark.django_db
def test_a_check_waits_for_its_slot(target):
    monitor = MonitorFactory(url=target.url, timeout=5)
    slot = datetime.now(UTC) + timedelta(milliseconds=400)
    _run(monitor, slot)
    result = CheckResult.objects.get(monitor=monitor)
    assert timedelta(0) <= result.started_at - slot < timedelta(milliseconds=200)


@pytest.mark.django_db
def test_a_batch_that_fails_takes_the_process_loop_down_and_the_next_gets_a_new_one(target, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from monitors import checking

    monitor = MonitorFactory(url=target.url, timeout=5)
    _run(monitor, NOW)
    first_loop = checking._process_loop.loop

    async def interrupted(spec, context):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(checking, "run_check", interrupted)
    with pytest.raises(SoftTimeLimitExceeded):
        _run(monitor, NOW + timedelta(seconds=60))
    assert first_loop.is_closed() and checking._process_loop is None

    monkeypatch.undo()
    _run(monitor, NOW + timedelta(seconds=120))
    assert checking._process_loop.loop is not first_loop and not checking._process_loop.loop.is_closed()
    assert CheckResult.objects.filter(monitor=monitor).count() == 2  # the interrupted batch recorded nothing


@pytest.mark.django_db
def test_a_paused_monitor_is_not_checked(target):
    monitor = MonitorFactory(url=target.url, status=PAUSED)
    _run(monitor, NOW)
    assert target.hits == 0
    assert not CheckResult.objects.filter(monitor=monitor).exists()
    assert monitor.status == PAUSED


@pytest.mark.django_db
def test_recording_the_same_slot_twice_counts_it_once():
    monitor = MonitorFactory()
    observation = Observation(monitor.id, NOW, NOW, Outcome(status=DOWN, response_time_ms=None, error="HTTP 500"))

    assert record_observations([observation]) == 1
    assert record_observations([observation]) == 0

    monitor.refresh_from_db()
    assert CheckResult.objects.filter(monitor=monitor).count() == 1
    assert monitor.failure_count == 1
    assert Rollup.objects.get(monitor=monitor, period="hour").checks == 1


@pytest.mark.django_db
def test_results_add_to_hourly_and_daily_rollups_except_during_maintenance():
    monitor = MonitorFactory()
    outcomes = [
        Outcome(status=UP, response_time_ms=100),
        Outcome(status=DEGRADED, response_time_ms=300),
        Outcome(status=DOWN, response_time_ms=None, error="timeout"),
    ]
    record_observations([Observation(monitor.id, NOW + timedelta(minutes=n), NOW, o) for n, o in enumerate(outcomes)])
    Monitor.objects.filter(pk=monitor.pk).update(in_maintenance=True)
    record_observations(
        [Observation(monitor.id, NOW + timedelta(minutes=9), NOW, Outcome(status=DOWN, response_time_ms=None))]
    )

    for period, bucket in (("hour", NOW), ("day", NOW.replace(hour=0))):
        rollup = Rollup.objects.get(monitor=monitor, period=period, bucket=bucket)
        assert (rollup.checks, rollup.up, rollup.degraded, rollup.down) == (3, 1, 1, 1)
        assert rollup.average_response_time == 200
    assert CheckResult.objects.get(monitor=monitor, scheduled_at=NOW + timedelta(minutes=9)).in_maintenance


@pytest.mark.django_db
def test_heartbeat_is_down_without_a_recent_ping_and_up_with_one():
    monitor = MonitorFactory(type="heartbeat", url="", ping_token="t0ken", interval=60, grace=30)
    _run(monitor, NOW)
    assert monitor.status == DOWN and "no ping" in monitor.last_error

    Monitor.objects.filter(pk=monitor.pk).update(last_ping_at=NOW - timedelta(seconds=80), last_ping_kind="success")
    _run(monitor, NOW + timedelta(seconds=60))
    assert monitor.status == DOWN  # 80 s before this slot... is 140 s, beyond 60 + 30

    Monitor.objects.filter(pk=monitor.pk).update(last_ping_at=NOW + timedelta(seconds=100))
    _run(monitor, NOW + timedelta(seconds=120))
    assert monitor.status == UP

    Monitor.objects.filter(pk=monitor.pk).update(last_ping_kind="fail")
    _run(monitor, NOW + timedelta(seconds=180))
    assert monitor.status == DOWN and monitor.last_error == "fail signal received"


@pytest.mark.django_db
def test_a_heartbeat_is_judged_when_recorded_so_a_ping_during_the_batch_counts():
    monitor = MonitorFactory(
        type="heartbeat", url="", ping_token="t1ken", interval=60, grace=30, status=UP,
        last_ping_at=NOW - timedelta(seconds=200), last_ping_kind="success",
    )  # fmt: skip
    observation = Observation(monitor.id, NOW, NOW, None)  # claimed while the last ping was stale
    Monitor.objects.filter(pk=monitor.pk).update(last_ping_at=NOW - timedelta(seconds=5))  # a ping arrives

    assert record_observations([observation]) == 1

    monitor.refresh_from_db()
    assert monitor.status == UP
    assert not StatusChange.objects.filter(monitor=monitor).exists()

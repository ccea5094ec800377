"""incidents.maintenance: windows moving along their schedule (`sync_maintenances` with an
explicit `now`), the monitors' `in_maintenance` flag following the active windows, and end
to end through the check engine's recording: results in a window are flagged, left out of
the rollups, and their status changes carry in_maintenance=True."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.utils import quote
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import maintenance as services
from incidents.automation import process_status_changes
from incidents.models import Incident, Maintenance
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import CheckResult, Monitor, Rollup, StatusChange
from webhooks.models import Event

from .factories import MonitorFactory

pytestmark = pytest.mark.django_db

# Far enough ahead that creating a window leaves it scheduled: only `sync` moves it.
T0 = datetime(2031, 5, 4, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SCHEDULED, IN_PROGRESS, VERIFYING, COMPLETED = "scheduled", "in_progress", "verifying", "completed"


def window(org, monitors=(), *, starts_at=T0, ends_at=T0 + 2 * HOUR, **fields) -> Maintenance:
    return services.maintenance_create(
        organization=org, title="Upgrade", starts_at=starts_at, ends_at=ends_at, monitors=monitors, **fields
    )


def status(maintenance: Maintenance) -> str:
    return Maintenance.objects.get(pk=maintenance.pk).status


def flags(*monitors) -> list[bool]:
    return [Monitor.objects.get(pk=monitor.pk).in_maintenance for monitor in monitors]


@pytest.fixture
def monitors(org):
    return [MonitorFactory(organization=org) for _ in range(3)]


# --- Transitions ----------------------------------------------------------------------------


def test_a_scheduled_window_starts_exactly_at_its_start(org, monitors):
    maintenance = window(org, monitors[:1])
    assert status(maintenance) == SCHEDULED

    assert services.sync_maintenances(now=T0 - timedelta(seconds=1)) == 0
    assert status(maintenance) == SCHEDULED
    assert flags(monitors[0]) == [False]

    assert services.sync_maintenances(now=T0) == 1
    assert status(maintenance) == IN_PROGRESS
    assert flags(monitors[0]) == [True]


def test_an_in_progress_window_completes_exactly_at_its_end(org, monitors):
    maintenance = window(org, monitors[:1])
    services.sync_maintenances(now=T0)

    assert services.sync_maintenances(now=T0 + 2 * HOUR - timedelta(seconds=1)) == 0
    assert status(maintenance) == IN_PROGRESS

    assert services.sync_maintenances(now=T0 + 2 * HOUR) == 1
    assert status(maintenance) == COMPLETED
    assert flags(monitors[0]) == [False]


def test_a_verifying_window_stays_active_until_its_end_then_completes(org, monitors):
    maintenance = window(org, monitors[:1])
    services.sync_maintenances(now=T0)
    services.maintenance_update(maintenance=maintenance, status=VERIFYING)

    assert services.sync_maintenances(now=T0 + HOUR) == 0
    assert (status(maintenance), flags(monitors[0])) == (VERIFYING, [True])

    assert services.sync_maintenances(now=T0 + 3 * HOUR) == 1
    assert (status(maintenance), flags(monitors[0])) == (COMPLETED, [False])


def test_a_window_missed_entirely_goes_from_scheduled_to_completed_without_flagging(org, monitors):
    maintenance = window(org, monitors[:1])

    assert services.sync_maintenances(now=T0 + 5 * HOUR) == 1

    assert status(maintenance) == COMPLETED
    assert flags(monitors[0]) == [False]


def test_a_completed_window_never_moves_again(org, monitors):
    maintenance = window(org, monitors[:1], status=COMPLETED)  # called off before it started

    for now in (T0, T0 + HOUR, T0 + 5 * HOUR):
        assert services.sync_maintenances(now=now) == 0
    assert status(maintenance) == COMPLETED
    assert flags(monitors[0]) == [False]


def test_sync_counts_the_windows_it_moved_and_a_second_run_moves_none(org):
    starting = [window(org) for _ in range(3)]
    ending = [window(org, starts_at=T0 - 2 * HOUR, ends_at=T0) for _ in range(2)]
    later = window(org, starts_at=T0 + HOUR)

    assert services.sync_maintenances(now=T0) == 5
    assert services.sync_maintenances(now=T0) == 0

    assert [status(m) for m in starting] == [IN_PROGRESS] * 3
    assert [status(m) for m in ending] == [COMPLETED] * 2  # scheduled, and already over
    assert status(later) == SCHEDULED


def test_sync_without_now_uses_the_clock(org, monitors):
    now = timezone.now()
    maintenance = Maintenance.objects.create(
        organization=org, title="Due", starts_at=now - HOUR, ends_at=now + HOUR
    )  # written directly: nothing has started it yet
    maintenance.monitors.set(monitors[:1])

    assert services.sync_maintenances() == 1
    assert (status(maintenance), flags(monitors[0])) == (IN_PROGRESS, [True])


# --- Monitor flags --------------------------------------------------------------------------


def test_overlapping_windows_keep_a_shared_monitor_flagged_until_the_last_one_ends(org, monitors):
    shared, only_first, only_second = monitors
    window(org, [shared, only_first], starts_at=T0, ends_at=T0 + HOUR)
    window(org, [shared, only_second], starts_at=T0 + HOUR / 2, ends_at=T0 + 2 * HOUR)

    services.sync_maintenances(now=T0)
    assert flags(shared, only_first, only_second) == [True, True, False]

    services.sync_maintenances(now=T0 + HOUR / 2)
    assert flags(shared, only_first, only_second) == [True, True, True]

    services.sync_maintenances(now=T0 + HOUR)  # the first ends: the second still covers `shared`
    assert flags(shared, only_first, only_second) == [True, False, True]

    services.sync_maintenances(now=T0 + 2 * HOUR)
    assert flags(shared, only_first, only_second) == [False, False, False]


def test_a_monitor_outside_every_window_is_never_flagged(org, monitors):
    window(org, monitors[:1])
    services.sync_maintenances(now=T0)

    assert flags(*monitors) == [True, False, False]


def test_manual_completion_clears_the_flags(org, monitors):
    maintenance = window(org, monitors[:2])
    services.sync_maintenances(now=T0)
    assert flags(*monitors[:2]) == [True, True]

    services.maintenance_update(maintenance=maintenance, status=COMPLETED)

    assert (status(maintenance), flags(*monitors[:2])) == (COMPLETED, [False, False])
    assert services.sync_maintenances(now=T0 + HOUR) == 0  # nothing left to do
    assert services.sync_maintenances(now=T0 + 3 * HOUR) == 0  # and it is not completed twice


def test_manual_start_before_the_schedule_flags_at_once_and_sync_leaves_it(org, monitors):
    maintenance = window(org, monitors[:1])

    services.maintenance_update(maintenance=maintenance, status=IN_PROGRESS)
    assert flags(monitors[0]) == [True]

    assert services.sync_maintenances(now=T0 - HOUR) == 0
    assert services.sync_maintenances(now=T0) == 0  # already in progress
    assert (status(maintenance), flags(monitors[0])) == (IN_PROGRESS, [True])


def test_editing_the_monitors_of_an_active_window_moves_the_flags(org, monitors):
    first, second, third = monitors
    maintenance = window(org, [first, second])
    services.sync_maintenances(now=T0)

    services.maintenance_update(maintenance=maintenance, monitors=[second, third])

    assert flags(first, second, third) == [False, True, True]


def test_editing_the_monitors_of_a_scheduled_window_flags_nothing(org, monitors):
    maintenance = window(org, monitors[:1])

    services.maintenance_update(maintenance=maintenance, monitors=monitors)

    assert flags(*monitors) == [False, False, False]


def test_deleting_an_active_window_clears_the_flags_another_window_does_not_cover(org, monitors):
    shared, alone = monitors[:2]
    doomed = window(org, [shared, alone])
    window(org, [shared], ends_at=T0 + 5 * HOUR)
    services.sync_maintenances(now=T0)

    services.maintenance_delete(maintenance=doomed)

    assert not Maintenance.objects.filter(pk=doomed.pk).exists()
    assert flags(shared, alone) == [True, False]


def test_sync_recomputes_only_the_monitors_of_windows_that_changed(org, monitors):
    moving, bystander = monitors[:2]
    window(org, [moving])
    # A flag no window explains (set behind the services' back): a sync that recomputed
    # every monitor would clear it; this one only looks at the windows that moved.
    Monitor.objects.filter(pk=bystander.pk).update(in_maintenance=True)

    services.sync_maintenances(now=T0)

    assert flags(moving, bystander) == [True, True]


def test_a_sync_with_nothing_due_is_two_reads_however_many_windows(org, monitors):
    for n in range(30):
        window(org, monitors, starts_at=T0 + n * HOUR, ends_at=T0 + (n + 1) * HOUR)
    for _ in range(30):
        window(org, monitors, status=COMPLETED)
    services.sync_maintenances(now=T0)  # the first starts

    with CaptureQueriesContext(connection) as context:
        assert services.sync_maintenances(now=T0 + HOUR / 2) == 0

    # Is a window due to end? Is one due to start? No transaction, no write.
    assert len(context.captured_queries) == 2, context.captured_queries
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in context.captured_queries)


# --- End to end with the check engine's recording ------------------------------------------

NOW = T0 + HOUR / 2  # inside the window below; results are recorded for this slot


def observe(monitor, outcome: Outcome, at=NOW) -> Observation:
    return Observation(monitor.id, at, at, outcome)


def test_results_inside_an_active_window_are_flagged_left_out_of_uptime_and_alert_nothing(org):
    inside = MonitorFactory(organization=org, status=Monitor.Status.UP)
    outside = MonitorFactory(organization=org, status=Monitor.Status.UP)
    maintenance = window(org, [inside])
    services.sync_maintenances(now=T0)
    down = Outcome(status=Monitor.Status.DOWN, response_time_ms=None, error="HTTP 503")

    assert record_observations([observe(inside, down), observe(outside, down)]) == 2

    # Both are checked, and both go DOWN (retries=0) ...
    assert CheckResult.objects.get(monitor=inside).in_maintenance is True
    assert CheckResult.objects.get(monitor=outside).in_maintenance is False
    assert flags(inside, outside) == [True, False]
    assert Monitor.objects.get(pk=inside.pk).status == Monitor.Status.DOWN
    # ... but only the one outside counts towards uptime ...
    assert not Rollup.objects.filter(monitor=inside).exists()
    hour_rollup = Rollup.objects.get(monitor=outside, period="hour", bucket=NOW.replace(minute=0))
    assert (hour_rollup.checks, hour_rollup.up, hour_rollup.down) == (1, 0, 1)
    assert Rollup.objects.get(monitor=outside, period="day").checks == 1
    # ... and the transition inside carries the flag, so no alert or auto-incident fires.
    change = StatusChange.objects.get(monitor=inside)
    assert (change.from_status, change.to_status, change.in_maintenance) == ("UP", "DOWN", True)
    assert StatusChange.objects.get(monitor=outside).in_maintenance is False

    # Once the window ends, the monitor's checks count again and its transitions alert.
    services.sync_maintenances(now=T0 + 2 * HOUR)
    assert status(maintenance) == COMPLETED
    later = NOW + HOUR
    up = Outcome(status=Monitor.Status.UP, response_time_ms=120)
    record_observations([observe(inside, up, at=later)])

    assert CheckResult.objects.get(monitor=inside, scheduled_at=later).in_maintenance is False
    assert Rollup.objects.get(monitor=inside, period="hour", bucket=later.replace(minute=0)).up == 1
    recovery = StatusChange.objects.get(monitor=inside, to_status="UP")
    assert recovery.in_maintenance is False


def test_a_monitor_still_down_when_its_window_ends_alerts_then(org):
    monitor = MonitorFactory(organization=org, name="Database", status=Monitor.Status.UP)
    window(org, [monitor])
    services.sync_maintenances(now=T0)
    record_observations(
        [observe(monitor, Outcome(status=Monitor.Status.DOWN, response_time_ms=None, error="HTTP 503"))]
    )
    assert process_status_changes() == (1, False)
    assert not Incident.objects.exists() and not Event.objects.exists()  # held back by the window

    services.sync_maintenances(now=T0 + 2 * HOUR)

    change = StatusChange.objects.filter(monitor=monitor).latest("id")
    assert (change.from_status, change.to_status, change.in_maintenance) == ("DOWN", "DOWN", False)
    assert change.error == services.STILL_DOWN
    assert process_status_changes() == (1, False)
    incident = Incident.objects.get()
    assert incident.auto_opened and [c.monitor_id for c in incident.affected.all()] == [monitor.id]
    assert incident.updates.get().message == f"Database is down: {services.STILL_DOWN}"
    assert sorted(Event.objects.values_list("type", flat=True)) == ["incident.created", "monitor.down"]


def test_a_window_ending_alerts_no_monitor_that_was_down_before_it_or_recovered_inside_it(org):
    down_before = MonitorFactory(organization=org, status=Monitor.Status.UP)
    recovered = MonitorFactory(organization=org, status=Monitor.Status.UP)
    down = Outcome(status=Monitor.Status.DOWN, response_time_ms=None, error="HTTP 503")
    record_observations([observe(down_before, down)])  # alerted already, outside any window
    window(org, [down_before, recovered])
    services.sync_maintenances(now=T0)
    record_observations([observe(recovered, down)])
    record_observations([observe(recovered, Outcome(status=Monitor.Status.UP, response_time_ms=50), at=NOW + HOUR)])
    changes = StatusChange.objects.count()

    services.sync_maintenances(now=T0 + 2 * HOUR)

    assert StatusChange.objects.count() == changes
    assert flags(down_before, recovered) == [False, False]


def test_a_manually_completed_window_stops_flagging_results_at_once(org):
    monitor = MonitorFactory(organization=org, status=Monitor.Status.UP)
    maintenance = window(org, [monitor])
    services.sync_maintenances(now=T0)
    services.maintenance_update(maintenance=maintenance, status=COMPLETED)

    record_observations([observe(monitor, Outcome(status=Monitor.Status.DOWN, response_time_ms=None))])

    assert CheckResult.objects.get(monitor=monitor).in_maintenance is False
    assert StatusChange.objects.get(monitor=monitor).in_maintenance is False
    assert Rollup.objects.get(monitor=monitor, period="hour").checks == 1


# --- The admin applies the same rules --------------------------------------------------------


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "a-long-password-1"))
    return client


def test_the_admin_starts_a_due_window_flags_its_monitors_and_clears_them_on_delete(staff_client, org, monitors):
    now = timezone.now()
    form = {
        "organization": org.pk,
        "title": "Emergency patch",
        "description": "",
        "status": SCHEDULED,
        "starts_at_0": (now - HOUR).strftime("%Y-%m-%d"),
        "starts_at_1": (now - HOUR).strftime("%H:%M:%S"),
        "ends_at_0": (now + HOUR).strftime("%Y-%m-%d"),
        "ends_at_1": (now + HOUR).strftime("%H:%M:%S"),
        "monitors": f"{monitors[0].pk},{monitors[1].pk}",
    }

    response = staff_client.post("/admin/incidents/maintenance/add/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    maintenance = Maintenance.objects.get(title="Emergency patch")
    assert maintenance.status == IN_PROGRESS
    assert flags(*monitors) == [True, True, False]

    form["monitors"] = str(monitors[1].pk)
    form["status"] = IN_PROGRESS
    response = staff_client.post(f"/admin/incidents/maintenance/{quote(maintenance.pk)}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert flags(*monitors) == [False, True, False]

    response = staff_client.post(f"/admin/incidents/maintenance/{quote(maintenance.pk)}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Maintenance.objects.filter(pk=maintenance.pk).exists()
    assert flags(*monitors) == [False, False, False]


def test_the_admin_refuses_an_end_before_the_start(staff_client, org):
    response = staff_client.post(
        "/admin/incidents/maintenance/add/",
        {
            "organization": org.pk,
            "title": "Backwards",
            "status": SCHEDULED,
            "starts_at_0": "2031-05-04",
            "starts_at_1": "12:00:00",
            "ends_at_0": "2031-05-04",
            "ends_at_1": "11:00:00",
        },
    )

    assert response.status_code == 200  # the form again, with its error
    assert "Must be after the start." in response.content.decode()
    assert not Maintenance.objects.exists()

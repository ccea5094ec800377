"""Monitor transitions open, join and resolve incidents, and publish monitor and incident events."""

import itertools
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from incidents import automation
from incidents.automation import process_status_changes
from incidents.models import ComponentStatus, Incident, IncidentStatus
from incidents.services import incident_create
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import Monitor, StatusChange
from webhooks.models import Delivery, Event
from webhooks.services import webhook_endpoint_create

from .factories import MonitorFactory
from .webhook_receiver import Receiver

UP, DOWN = Monitor.Status.UP, Monitor.Status.DOWN
_slots = itertools.count()


def observe(monitor: Monitor, status: str, error: str = "") -> None:
    """Record one check result through the engine's real write path (which commits)."""
    slot = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=next(_slots))
    record_observations([Observation(monitor.id, slot, slot, Outcome(status=status, response_time_ms=5, error=error))])


@pytest.fixture
def receiver(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def endpoint(org, receiver):
    return webhook_endpoint_create(organization=org, url=receiver.url, events=[])


def unhandled(monitor: Monitor, from_status: str, to_status: str) -> None:
    """A transition left in the outbox with no run queued for it, as when its
    process_status_changes message is lost: the next run handles it with all else waiting."""
    error = "HTTP 500" if to_status == DOWN else ""
    StatusChange.objects.create(monitor=monitor, from_status=from_status, to_status=to_status, error=error)


def published() -> list[tuple[str, str]]:
    """(event type, id of the incident it names) of every stored event, sorted: the
    events of one batch share their timestamp."""
    bodies = [json.loads(body) for body in Event.objects.values_list("body", flat=True)]
    return sorted((body["event"], body["incident"]["id"]) for body in bodies)


def waiting_for_a_lock() -> bool:
    """Whether a session of the test database waits for a lock another transaction holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def start_runs_at_once(runs: int) -> tuple[list[threading.Thread], list[int]]:
    """`runs` threads that each call process_status_changes() on a connection of their
    own, let go together; returns them (started) and the list their (handled, more) go to."""
    barrier = threading.Barrier(runs)
    handled = []

    def run() -> None:
        barrier.wait()
        try:
            handled.append(process_status_changes())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    return threads, handled


def received(receiver: Receiver) -> list[dict]:
    return [json.loads(request.body) for request in receiver.requests]


def subscribe_all(endpoint) -> None:
    endpoint.events = ["monitor.down", "monitor.up", "incident.created", "incident.updated", "incident.resolved"]
    endpoint.save()


pytestmark = pytest.mark.django_db(transaction=True)


def test_down_opens_one_incident_and_sends_each_event_once(org, endpoint, receiver):
    subscribe_all(endpoint)
    monitor = MonitorFactory(organization=org, name="API Server", status=UP)

    observe(monitor, DOWN, "HTTP 500")

    incident = Incident.objects.get()
    assert incident.auto_opened and incident.status == IncidentStatus.INVESTIGATING
    assert incident.title == "API Server is down"
    assert [(c.monitor_id, c.status) for c in incident.affected.all()] == [(monitor.id, ComponentStatus.MAJOR_OUTAGE)]
    assert incident.updates.get().message == "API Server is down: HTTP 500"
    bodies = received(receiver)
    assert sorted(body["event"] for body in bodies) == ["incident.created", "monitor.down"]
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == 2
    assert StatusChange.objects.get().processed_at is not None


def test_monitor_down_payload_matches_the_api_guide(org, endpoint, receiver):
    endpoint.events = ["monitor.down"]
    endpoint.save()
    monitor = MonitorFactory(organization=org, name="API Server", status=UP)

    observe(monitor, DOWN)

    [body] = received(receiver)
    monitor.refresh_from_db()
    incident = Incident.objects.get()
    assert list(body) == ["id", "event", "timestamp", "monitor", "incident"]
    assert body["id"].startswith("evt_") and body["event"] == "monitor.down"
    assert datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00")).tzinfo is not None
    assert body["timestamp"].endswith("Z")
    assert body["monitor"] == {
        "id": monitor.id,
        "name": "API Server",
        "status": "DOWN",
        "lastCheck": monitor.last_check_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert body["incident"] == {"id": incident.id, "status": "ACTIVE"}
    assert Event.objects.get(id=body["id"]).body == receiver.requests[0].body.decode()


def test_incident_events_carry_the_incident_as_the_api_returns_it(org, endpoint, receiver, admin):
    endpoint.events = ["incident.created"]
    endpoint.save()
    monitor = MonitorFactory(organization=org, status=UP)

    observe(monitor, DOWN)

    [body] = received(receiver)
    incident = Incident.objects.get()
    assert body["incident"] == admin.get(f"/api/incidents/{incident.id}").json()


def test_a_second_monitor_joins_the_open_incident(org, endpoint, receiver):
    subscribe_all(endpoint)
    first, second = MonitorFactory(organization=org, status=UP), MonitorFactory(organization=org, status=UP)

    observe(first, DOWN)
    observe(second, DOWN)

    incident = Incident.objects.get()
    assert {c.monitor_id for c in incident.affected.all()} == {first.id, second.id}
    events = [body["event"] for body in received(receiver)]
    assert sorted(events) == ["incident.created", "incident.updated", "monitor.down", "monitor.down"]
    downs = [body for body in received(receiver) if body["event"] == "monitor.down"]
    assert {body["incident"]["id"] for body in downs} == {incident.id}


def test_back_up_resolves_once_every_monitor_is_up(org, endpoint, receiver):
    subscribe_all(endpoint)
    first, second = MonitorFactory(organization=org, status=UP), MonitorFactory(organization=org, status=UP)
    observe(first, DOWN)
    observe(second, DOWN)

    observe(first, UP)
    incident = Incident.objects.get()
    assert incident.status == IncidentStatus.INVESTIGATING
    assert incident.affected.get(monitor=first).status == ComponentStatus.OPERATIONAL

    observe(second, UP)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED and incident.resolved_at is not None
    assert incident.updates.first().status == IncidentStatus.RESOLVED
    bodies = received(receiver)
    ups = [body for body in bodies if body["event"] == "monitor.up"]
    assert [body["monitor"]["status"] for body in ups] == ["UP", "UP"]
    assert [body["incident"]["status"] for body in ups] == ["ACTIVE", "RESOLVED"]
    resolved = [body for body in bodies if body["event"] == "incident.resolved"]
    assert len(resolved) == 1 and resolved[0]["incident"]["status"] == "RESOLVED"


def test_an_incident_opened_and_resolved_in_one_batch_announces_both(org):
    monitor = MonitorFactory(organization=org, name="API Server", status=UP)
    unhandled(monitor, UP, DOWN)
    unhandled(monitor, DOWN, UP)

    assert process_status_changes() == (2, False)

    incident = Incident.objects.get()
    assert incident.auto_opened and incident.status == IncidentStatus.RESOLVED and incident.resolved_at is not None
    assert [(c.monitor_id, c.status) for c in incident.affected.all()] == [(monitor.id, ComponentStatus.OPERATIONAL)]
    assert incident.updates.get().message == (
        "API Server is down: HTTP 500\nAPI Server is back up. All monitors are up: resolved automatically."
    )
    assert published() == [
        ("incident.created", incident.id),
        ("incident.resolved", incident.id),
        ("monitor.down", incident.id),
        ("monitor.up", incident.id),
    ]


def test_down_again_after_resolution_opens_a_new_incident(org, endpoint):
    monitor = MonitorFactory(organization=org, status=UP)
    observe(monitor, DOWN)
    observe(monitor, UP)
    observe(monitor, DOWN)
    assert [i.status for i in Incident.objects.order_by("created_at")] == [IncidentStatus.RESOLVED, "INVESTIGATING"]


@pytest.mark.parametrize("same_monitor", [True, False], ids=["same-monitor", "another-monitor"])
def test_down_in_the_batch_that_resolved_the_incident_opens_a_new_one(org, same_monitor):
    first = MonitorFactory(organization=org, name="API Server", status=UP)
    second = first if same_monitor else MonitorFactory(organization=org, name="Database", status=UP)
    observe(first, DOWN, "HTTP 500")  # handled at once: the incident is open
    unhandled(first, DOWN, UP)  # resolves it...
    unhandled(second, UP, DOWN)  # ...and, in the same batch, a monitor of the organization is down

    assert process_status_changes() == (2, False)

    statuses = list(Incident.objects.order_by("created_at").values_list("status", flat=True))
    assert statuses == [IncidentStatus.RESOLVED, IncidentStatus.INVESTIGATING]
    resolved, opened = Incident.objects.order_by("created_at")
    assert [(c.monitor_id, c.status) for c in resolved.affected.all()] == [(first.id, ComponentStatus.OPERATIONAL)]
    assert opened.auto_opened and opened.title == f"{second.name} is down"
    assert [(c.monitor_id, c.status) for c in opened.affected.all()] == [(second.id, ComponentStatus.MAJOR_OUTAGE)]
    assert published() == sorted(
        [
            ("incident.created", resolved.id),  # the first batch
            ("monitor.down", resolved.id),
            ("incident.resolved", resolved.id),  # the batch of both transitions
            ("monitor.up", resolved.id),
            ("incident.created", opened.id),
            ("monitor.down", opened.id),
        ]
    )


def test_a_manual_incident_listing_the_monitor_is_joined_not_duplicated(org, endpoint, receiver):
    endpoint.events = ["monitor.down", "monitor.up"]
    endpoint.save()
    monitor = MonitorFactory(organization=org, status=UP)
    manual = incident_create(organization=org, title="Database work", affected=[(monitor, None)])

    observe(monitor, DOWN)
    observe(monitor, UP)

    assert Incident.objects.get() == manual
    manual.refresh_from_db()
    assert manual.status == IncidentStatus.INVESTIGATING  # people resolve their own incidents
    assert [body["incident"]["id"] for body in received(receiver)] == [manual.id, manual.id]


def test_transitions_during_maintenance_fire_nothing(org, endpoint, receiver):
    subscribe_all(endpoint)
    monitor = MonitorFactory(organization=org, status=UP, in_maintenance=True)

    observe(monitor, DOWN)
    observe(monitor, UP)

    assert StatusChange.objects.filter(processed_at__isnull=False).count() == 2
    assert not Incident.objects.exists()
    assert not Event.objects.exists() and receiver.requests == []


def test_retries_delay_the_incident_until_the_monitor_is_down(org, endpoint):
    monitor = MonitorFactory(organization=org, status=UP, retries=1)
    observe(monitor, DOWN)
    assert not Incident.objects.exists()
    observe(monitor, DOWN)
    assert Incident.objects.count() == 1


def test_each_transition_is_handled_once(org, endpoint, receiver):
    endpoint.events = ["monitor.down"]
    endpoint.save()
    monitor = MonitorFactory(organization=org, status=UP)
    observe(monitor, DOWN)

    assert process_status_changes() == (0, False)  # already handled on commit
    StatusChange.objects.update(processed_at=None)
    Incident.objects.all().delete()
    Event.objects.all().delete()
    receiver.requests.clear()

    threads, handled = start_runs_at_once(4)
    for thread in threads:
        thread.join()
    assert sum(count for count, _more in handled) == 1
    assert Incident.objects.count() == 1
    assert Event.objects.filter(type="monitor.down").count() == 1
    assert len(receiver.requests) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time")
def test_two_runs_at_once_open_one_incident_for_the_organization(org, monkeypatch):
    first, second = MonitorFactory(organization=org, status=UP), MonitorFactory(organization=org, status=UP)
    unhandled(first, UP, DOWN)
    unhandled(second, UP, DOWN)
    # Each run takes one change: the other is locked by the other run, and skipped.
    monkeypatch.setattr(automation, "BATCH_SIZE", 1)
    # The run that locked the organization holds it, inside its batch, until told to go
    # on: the other run must not wait for it (nor open an incident of its own) but leave
    # its change for a later run.
    inside, go = [], threading.Event()
    run = automation._Batch.run

    def run_once_told(batch) -> None:
        inside.append(batch)
        go.wait(10)
        run(batch)

    monkeypatch.setattr(automation._Batch, "run", run_once_told)
    threads, handled = start_runs_at_once(2)
    try:
        deadline = time.monotonic() + 10
        while not (len(inside) == 1 and len(handled) == 1):
            assert time.monotonic() < deadline, "one run did not hold the organization while the other went by"
            time.sleep(0.01)
        assert handled == [(0, True)]  # left for later, and said so
    finally:
        go.set()
        for thread in threads:
            thread.join(10)

    assert sorted(handled) == [(0, True), (1, True)]
    assert process_status_changes() == (1, True)  # the change left behind
    assert process_status_changes() == (0, False)
    assert Incident.objects.count() == 1, "each run opened an incident of its own"
    incident = Incident.objects.get()
    assert incident.auto_opened and incident.status == IncidentStatus.INVESTIGATING
    assert {c.monitor_id for c in incident.affected.all()} == {first.id, second.id}
    assert published() == [
        ("incident.created", incident.id),
        ("incident.updated", incident.id),
        ("monitor.down", incident.id),
        ("monitor.down", incident.id),
    ]


def test_other_organizations_do_not_share_incidents_or_events(org, other_org, endpoint, receiver):
    endpoint.events = ["monitor.down"]
    endpoint.save()
    observe(MonitorFactory(organization=other_org, status=UP), DOWN)
    assert Incident.objects.get().organization == other_org
    assert receiver.requests == []

"""Which channels hear of what, through the real engine: monitors' transitions recorded by
record_observations, incidents through their services, alerts sent to a loopback Slack
receiver. Covers all-monitors vs listed channels, event subscriptions, disabled and
foreign channels, maintenance, dependencies, flapping, degraded and incident events."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts import messages
from alerts.models import DEFAULT_EVENTS, Alert, Outage
from alerts.outages import follow
from incidents.models import IncidentStatus
from incidents.services import incident_add_update, incident_create, incident_update
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import Monitor, StatusChange

from .channel_receivers import CHECKERS, Receiver
from .factories import MonitorFactory
from .test_alert_types_e2e import APPS, make_channel, observe, open_outage, settle

pytestmark = pytest.mark.django_db(transaction=True, available_apps=APPS)

DOWN_UP = ("monitor.down", "monitor.up")


@pytest.fixture
def receiver(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    made = Receiver()
    yield made
    made.close()


def slack(org, receiver, name: str, **fields):
    """A Slack channel whose requests arrive at /services/T/B/<name>."""
    return make_channel(org, "slack", {"url": f"{receiver.url}/services/T/B/{name}"}, name=name, **fields)


def arrivals(receiver) -> Counter:
    """Requests received, by channel name."""
    return Counter(request.path.rsplit("/", 1)[1] for request in receiver.requests)


def routed(**filters) -> set[tuple[str, str]]:
    """(channel name, kind) of the alerts written."""
    return set(Alert.objects.filter(**filters).values_list("channel__name", "kind"))


def check_slack(receiver, alert: Alert) -> None:
    [request] = [r for r in receiver.requests if r.path == f"/services/T/B/{alert.channel.name}"]
    CHECKERS["slack"](request, messages.loads(alert.message), alert.channel.config)


def test_a_transition_reaches_the_enabled_channels_of_its_organization_that_cover_the_monitor_and_want_the_event(
    org, other_org, receiver
):
    every = slack(org, receiver, "every", events=DOWN_UP)
    listed = slack(org, receiver, "listed", events=DOWN_UP, all_monitors=False)
    slack(org, receiver, "unlisted", events=DOWN_UP, all_monitors=False)
    slack(org, receiver, "uponly", events=["monitor.up"])
    slack(org, receiver, "disabled", events=DOWN_UP, enabled=False)
    foreign = slack(other_org, receiver, "foreign", events=DOWN_UP)
    # Listing another organization's channel does not make it hear of this monitor.
    monitor = MonitorFactory(organization=org, status=Monitor.Status.UP, alert_channels=[listed.id, foreign.id])
    theirs = MonitorFactory(organization=other_org, status=Monitor.Status.UP)

    observe(monitor, "DOWN", "HTTP 500")
    settle()
    assert routed() == {("every", "down"), ("listed", "down")}
    assert arrivals(receiver) == {"every": 1, "listed": 1}
    for alert in Alert.objects.all():
        assert alert.status == Alert.Status.DELIVERED and alert.monitor_id == monitor.id
        check_slack(receiver, alert)

    observe(monitor, "UP")
    settle()
    assert routed(kind="up") == {("every", "up"), ("listed", "up"), ("uponly", "up")}
    assert arrivals(receiver) == {"every": 2, "listed": 2, "uponly": 1}

    observe(theirs, "DOWN", "HTTP 500")
    settle()
    assert routed(monitor_id=theirs.id) == {("foreign", "down")}
    assert arrivals(receiver) == {"every": 2, "listed": 2, "uponly": 1, "foreign": 1}
    assert not Alert.objects.filter(channel__name__in=["unlisted", "disabled"]).exists()
    assert not Alert.objects.filter(channel=every, monitor=theirs).exists()


def test_transitions_during_maintenance_alert_nobody(org, receiver):
    slack(org, receiver, "every", events=DOWN_UP)
    monitor = MonitorFactory(organization=org, status=Monitor.Status.UP, in_maintenance=True)

    observe(monitor, "DOWN", "HTTP 500")
    observe(monitor, "UP")
    settle()

    changes = list(
        StatusChange.objects.filter(monitor=monitor).order_by("id").values_list("to_status", "in_maintenance")
    )
    assert changes == [("DOWN", True), ("UP", True)]
    assert not Alert.objects.exists() and not Outage.objects.exists()
    assert follow() == 0
    assert receiver.requests == []


def test_an_outage_alerted_before_maintenance_is_resolved_when_it_recovers_during_it(org, settings):
    """The DOWN went out (a PagerDuty incident is open); the monitor comes back while in
    maintenance. The recovery alerts nobody new, but what was opened must be closed: else
    the incident stays open for good, and the next outage finds this one still open."""
    receiver = Receiver()
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    settings.STATUSAPP_PAGERDUTY_EVENTS_URL = f"{receiver.url}/v2/enqueue"
    try:
        make_channel(org, "pagerduty", {"routingKey": "R0UT1NGKEY0123456789abcdefabcdef"})
        monitor = MonitorFactory(organization=org, status=Monitor.Status.UP)
        observe(monitor, "DOWN", "HTTP 500")
        settle()
        first = open_outage(monitor)

        Monitor.objects.filter(pk=monitor.pk).update(in_maintenance=True)
        observe(monitor, "UP")
        settle()
        follow()  # as beat runs it every few seconds
        settle()
        Monitor.objects.filter(pk=monitor.pk).update(in_maintenance=False)
        observe(monitor, "DOWN", "HTTP 500")
        settle()

        assert Outage.objects.filter(monitor=monitor, ended_at__isnull=True).count() == 1
        actions = [(r.json()["event_action"], r.json()["dedup_key"]) for r in receiver.requests]
        assert ("resolve", first.dedup_key) in actions, actions
    finally:
        receiver.close()


def dependent_pair(org):
    parent = MonitorFactory(organization=org, name="Database", status=Monitor.Status.UP)
    child = MonitorFactory(organization=org, name="API", status=Monitor.Status.UP)
    child.depends_on.add(parent)
    return parent, child


def test_a_child_going_down_under_a_down_parent_is_held_then_sent_once_the_parent_is_back(org, receiver):
    slack(org, receiver, "every", events=DOWN_UP)
    parent, child = dependent_pair(org)

    observe(parent, "DOWN", "connection refused")
    observe(child, "DOWN", "HTTP 502")
    settle()
    assert routed() == {("every", "down")}
    assert Alert.objects.get().monitor_id == parent.id
    held = open_outage(child)
    assert (held.held_by_id, held.last_alert_at) == (parent.id, None)
    assert follow() == 0  # the parent is still DOWN
    assert not Alert.objects.filter(monitor=child).exists()

    observe(parent, "UP")
    settle()
    assert routed(monitor=parent) == {("every", "down"), ("every", "up")}
    assert not Alert.objects.filter(monitor=child).exists()

    assert follow() == 1  # the parent is back and the child still DOWN: its DOWN goes out now
    settle()
    [released] = Alert.objects.filter(monitor=child)
    assert (released.kind, released.status) == ("down", Alert.Status.DELIVERED)
    message = messages.loads(released.message)
    assert message.monitor_id == child.id and message.dedup_key == held.dedup_key
    assert message.caused_by == "Database" and "held while Database was DOWN" in message.summary
    held.refresh_from_db()
    assert (held.held_by_id, held.last_alert_at is not None) == (None, True)
    assert follow() == 0  # released once
    assert len(receiver.requests) == 3
    CHECKERS["slack"](receiver.requests[-1], message, released.channel.config)

    observe(child, "UP")  # its DOWN went out, so its recovery does too
    settle()
    assert routed(monitor=child) == {("every", "down"), ("every", "up")}
    assert len(receiver.requests) == 4


def test_a_parent_and_child_going_down_in_one_batch_alert_for_the_parent_only(org, receiver):
    slack(org, receiver, "every", events=DOWN_UP)
    parent, child = dependent_pair(org)
    slot = timezone.now().replace(microsecond=0)
    # The child first: what holds it is the parent's state, not the order of the batch.
    record_observations(
        [
            Observation(m.id, slot, slot, Outcome(status="DOWN", response_time_ms=5, error="connection refused"))
            for m in (child, parent)
        ]
    )
    settle()
    assert [a.monitor_id for a in Alert.objects.all()] == [parent.id]
    assert open_outage(child).held_by_id == parent.id
    assert len(receiver.requests) == 1


def test_a_child_recovering_while_held_sends_no_up_alert(org, receiver):
    slack(org, receiver, "every", events=DOWN_UP)
    parent, child = dependent_pair(org)

    observe(parent, "DOWN", "connection refused")
    observe(child, "DOWN", "HTTP 502")
    observe(child, "UP")
    settle()
    assert not Alert.objects.filter(monitor=child).exists()
    outage = Outage.objects.get(monitor=child)
    assert outage.ended_at is not None and outage.held_by_id == parent.id

    observe(parent, "UP")
    assert follow() == 0
    settle()
    assert not Alert.objects.filter(monitor=child).exists()
    assert [a.kind for a in Alert.objects.order_by("created_at", "id")] == ["down", "up"]
    assert len(receiver.requests) == 2


def test_flapping_sends_one_alert_and_holds_the_rest_until_the_monitor_settles(org, receiver, settings):
    settings.ALERT_FLAP_TRANSITIONS = 3
    settings.ALERT_FLAP_WINDOW = 600
    slack(org, receiver, "every", events=DOWN_UP)
    monitor = MonitorFactory(organization=org, name="Flaky", status=Monitor.Status.UP)

    for flip in range(12):
        observe(monitor, "DOWN" if flip % 2 == 0 else "UP", "HTTP 500" if flip % 2 == 0 else "")
    settle()
    assert StatusChange.objects.filter(monitor=monitor).count() == 12
    kinds = [a.kind for a in Alert.objects.order_by("created_at", "id")]
    # 1-3 alert as usual; the 4th (> 3) is flapping: one alert says so, and the recovery
    # of the DOWN that went out is sent; the 8 flips after it send nothing.
    assert Counter(kinds) == {"down": 2, "up": 2, "flapping": 1}, kinds
    assert len(receiver.requests) == 5
    [flapping] = Alert.objects.filter(kind="flapping")
    message = messages.loads(flapping.message)
    assert (message.status, message.monitor_id) == ("FLAPPING", monitor.id)
    assert "4 times" in message.summary
    check_slack_request = next(r for r in receiver.requests if b"FLAPPING" in r.body)
    CHECKERS["slack"](check_slack_request, message, flapping.channel.config)

    observe(monitor, "DOWN", "HTTP 500")  # still flapping: held
    settle()
    assert follow() == 0
    assert Alert.objects.count() == 5
    # Once the window has passed without more changes it has settled, DOWN: that goes out.
    assert follow(now=timezone.now() + timedelta(seconds=601)) == 1
    settle()
    latest = Alert.objects.order_by("-created_at", "-id").first()
    assert (latest.kind, latest.status) == ("down", Alert.Status.DELIVERED)
    assert len(receiver.requests) == 6


def test_degraded_alerts_only_channels_that_subscribe_to_it(org, receiver):
    slack(org, receiver, "defaults", events=DEFAULT_EVENTS)
    slack(org, receiver, "slow", events=[*DEFAULT_EVENTS, "monitor.degraded"])
    monitor = MonitorFactory(organization=org, name="Search", status=Monitor.Status.UP, degraded_threshold=1000)

    observe(monitor, "DEGRADED", "", response_time_ms=2400)
    settle()
    [alert] = Alert.objects.all()
    assert (alert.channel.name, alert.kind, alert.status) == ("slow", "degraded", Alert.Status.DELIVERED)
    message = messages.loads(alert.message)
    assert message.status == "DEGRADED" and "2400 ms" in message.summary
    check_slack(receiver, alert)

    observe(monitor, "UP")  # back from DEGRADED: no event of anyone's
    settle()
    assert Alert.objects.count() == 1 and len(receiver.requests) == 1


def test_incident_events_reach_the_channels_subscribed_to_each(org, other_org, receiver):
    slack(org, receiver, "incidents", events=["incident.created", "incident.resolved"])
    slack(org, receiver, "monitors", events=DEFAULT_EVENTS)
    slack(other_org, receiver, "foreign", events=["incident.created", "incident.resolved"])

    incident = incident_create(organization=org, title="Checkout errors", description="Looking into it.")
    settle()
    incident_add_update(incident=incident, message="Found the cause.", status=IncidentStatus.IDENTIFIED)
    settle()
    incident_update(incident=incident, status=IncidentStatus.RESOLVED, update="Fixed.")
    settle()

    assert routed() == {("incidents", "incident_created"), ("incidents", "incident_resolved")}
    assert arrivals(receiver) == {"incidents": 2}
    for alert, request in zip(Alert.objects.order_by("created_at", "id"), receiver.requests, strict=True):
        assert alert.status == Alert.Status.DELIVERED
        message = messages.loads(alert.message)
        assert "Checkout errors" in message.title and incident.id in message.dashboard_url
        CHECKERS["slack"](request, message, alert.channel.config)

"""A monitor going DOWN and back UP alerts a Slack channel end to end (smoke)."""

import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest

from alerts import messages
from alerts.models import Alert, AlertChannel, Outage
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import Monitor
from webhooks import recording
from webhooks.sender import sender

from .channel_receivers import CHECKERS, Receiver
from .factories import MonitorFactory

pytestmark = pytest.mark.django_db(transaction=True)
_slots = itertools.count()


def observe(monitor, status, error=""):
    slot = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=next(_slots))
    record_observations([Observation(monitor.id, slot, slot, Outcome(status=status, response_time_ms=5, error=error))])


def test_down_then_up_reaches_slack(org, settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    receiver = Receiver()
    channel = AlertChannel(
        organization=org, name="ops", type="slack", events=["monitor.down", "monitor.up"], all_monitors=True
    )
    channel.config = {"url": receiver.url + "/services/T/B/x"}
    channel.save()
    monitor = MonitorFactory(organization=org, status=Monitor.Status.UP)
    observe(monitor, "DOWN", "HTTP 503")
    assert sender(recording.record).wait_idle(10)
    deadline = time.monotonic() + 5
    while len(receiver.requests) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    down = Alert.objects.get(kind="down")
    assert down.status == "delivered", list(down.attempt_log.values())
    CHECKERS["slack"](receiver.requests[0], messages.loads(down.message), channel.config)
    observe(monitor, "UP")
    assert sender(recording.record).wait_idle(10)
    up = Alert.objects.get(kind="up")
    assert up.status == "delivered"
    assert Outage.objects.get().ended_at is not None
    assert len(receiver.requests) == 2


def test_an_organization_without_channels_gets_no_outage_rows(org, other_org, settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    receiver = Receiver()
    channel = AlertChannel(organization=org, name="ops", type="slack", events=["monitor.down"], all_monitors=True)
    channel.config = {"url": receiver.url + "/services/T/B/x"}
    channel.save()
    watched = MonitorFactory(organization=org, status=Monitor.Status.UP)
    unwatched = MonitorFactory(organization=other_org, status=Monitor.Status.UP)
    observe(watched, "DOWN", "HTTP 503")
    observe(unwatched, "DOWN", "HTTP 503")
    assert sender(recording.record).wait_idle(10)
    assert list(Outage.objects.values_list("monitor_id", flat=True)) == [watched.id]
    assert list(Alert.objects.values_list("monitor_id", flat=True)) == [watched.id]

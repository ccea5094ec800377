"""Apprise channels: delivered by Apprise itself (here its json:// service to a loopback
receiver) only when the operator sets STATUSAPP_APPRISE; otherwise nothing is sent."""

import time

import pytest

from alerts.models import Alert, AlertChannel
from alerts.notify import send_test
from webhooks import recording
from webhooks.sender import sender

from .channel_receivers import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.server.shutdown()


def apprise_channel(org, url) -> AlertChannel:
    channel = AlertChannel(organization=org, name="apprise", type="apprise", events=["monitor.down"])
    channel.config = {"url": url}
    channel.save()
    return channel


def settled(alert: Alert) -> Alert:
    assert sender(recording.record).wait_idle(20)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alert.refresh_from_db()
        if alert.status != Alert.Status.PENDING or alert.attempts:
            return alert
        time.sleep(0.05)
    return alert


def test_apprise_delivers_when_enabled(org, settings, receiver):
    settings.STATUSAPP_APPRISE = True
    port = receiver.url.rsplit(":", 1)[1]
    alert = settled(send_test(apprise_channel(org, f"json://127.0.0.1:{port}/hook")))
    assert alert.status == Alert.Status.DELIVERED, list(alert.attempt_log.values("error"))
    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", "/hook")
    body = request.json()
    assert body["title"] == "StatusApp test alert"
    assert "alerts reach you here" in body["message"]
    assert body["type"] == "info"


def test_apprise_failure_is_retried_without_detail(org, settings):
    settings.STATUSAPP_APPRISE = True
    alert = settled(send_test(apprise_channel(org, "json://127.0.0.1:9/nothing-listens")))
    assert alert.status == Alert.Status.PENDING
    (attempt,) = alert.attempt_log.all()
    assert attempt.error == "Apprise could not deliver the notification"
    assert alert.next_attempt_at is not None


def test_nothing_is_sent_when_apprise_is_off(org, settings, receiver):
    settings.STATUSAPP_APPRISE = False
    port = receiver.url.rsplit(":", 1)[1]
    alert = settled(send_test(apprise_channel(org, f"json://127.0.0.1:{port}/hook")))
    assert alert.status == Alert.Status.CANCELLED
    assert receiver.requests == []

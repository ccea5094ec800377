"""Reminders and escalation while a monitor stays DOWN unacknowledged, and acknowledgement
(the service call and the signed link in every alert) stopping them. Time is moved by
calling the outage follower with a later `now`, as beat would call it then."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from alerts import messages, outages
from alerts.acknowledgement import NotDown, acknowledge
from alerts.models import Alert
from alerts.outages import follow
from alerts.services import channel_delete
from monitors.models import Monitor

from .channel_receivers import CHECKERS, Receiver
from .factories import MonitorFactory
from .test_alert_types_e2e import APPS, alerts_of, link_path, make_channel, observe, open_outage, settle

pytestmark = pytest.mark.django_db(transaction=True, available_apps=APPS)

DOWN_UP = ("monitor.down", "monitor.up")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def receiver(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    made = Receiver()
    yield made
    made.close()


def slack(org, receiver, name: str, **fields):
    return make_channel(org, "slack", {"url": f"{receiver.url}/services/T/B/{name}"}, name=name, **fields)


def kinds(channel) -> list[str]:
    return [alert.kind for alert in alerts_of(channel)]


def down_monitor(org, **fields) -> Monitor:
    monitor = MonitorFactory(organization=org, name="Payments", status=Monitor.Status.UP, **fields)
    observe(monitor, "DOWN", "HTTP 503")
    settle()
    monitor.refresh_from_db()
    return monitor


def acknowledge_link(channel) -> str:
    """The path of the acknowledge link in the channel's latest DOWN alert."""
    down = alerts_of(channel, "down")[-1]
    return link_path(messages.loads(down.message).acknowledge_url)


def test_every_open_outage_is_followed_however_many_there_are(org, receiver, monkeypatch):
    """The follower goes through the open outages a batch at a time, not only the first
    batch: with batches of 2, all three DOWN monitors get their reminder."""
    monkeypatch.setattr(outages, "BATCH", 2)
    ops = slack(org, receiver, "ops", events=DOWN_UP)
    monitors = [down_monitor(org, reminder_interval=5) for _ in range(3)]
    quiet = down_monitor(org)  # no reminders, no escalation: nothing to look at
    latest = max(open_outage(monitor).last_alert_at for monitor in monitors)

    assert follow(now=latest + timedelta(minutes=5)) == 3
    settle()
    reminded = sorted(alert.monitor_id for alert in alerts_of(ops, "reminder"))
    assert reminded == sorted(monitor.id for monitor in monitors)
    assert quiet.id not in reminded


def test_reminders_repeat_every_interval_while_down_and_stop_when_it_recovers(org, receiver):
    ops = slack(org, receiver, "ops", events=DOWN_UP)
    monitor = down_monitor(org, reminder_interval=5)
    sent = open_outage(monitor).last_alert_at  # the DOWN alert's time

    assert follow(now=sent + timedelta(minutes=4, seconds=59)) == 0
    assert follow(now=sent + timedelta(minutes=5)) == 1
    assert follow(now=sent + timedelta(minutes=9)) == 0  # counted from the last reminder
    assert follow(now=sent + timedelta(minutes=10)) == 1
    assert follow(now=sent + timedelta(minutes=15)) == 1
    settle()
    assert kinds(ops) == ["down", "reminder", "reminder", "reminder"]
    assert all(alert.status == Alert.Status.DELIVERED for alert in alerts_of(ops))
    assert len(receiver.requests) == 4
    reminder = alerts_of(ops, "reminder")[-1]
    message = messages.loads(reminder.message)
    assert message.title == "Payments is still DOWN (15 min)"
    CHECKERS["slack"](receiver.requests[-1], message, ops.config)

    observe(monitor, "UP")
    settle()
    assert follow(now=sent + timedelta(hours=2)) == 0
    # (ordered by created_at: the reminders were written "in the future", at the follower's now)
    assert kinds(ops) == ["down", "up", "reminder", "reminder", "reminder"]


def test_escalation_steps_fire_once_each_after_their_minutes_to_their_channels(org, receiver):
    ops = slack(org, receiver, "ops", events=DOWN_UP)
    lead = slack(org, receiver, "lead", events=DOWN_UP, all_monitors=False)
    boss = slack(org, receiver, "boss", events=DOWN_UP, all_monitors=False)
    # Out of order on purpose: steps go by their minutes.
    steps = [{"afterMinutes": 15, "channels": [boss.id]}, {"afterMinutes": 5, "channels": [lead.id]}]
    monitor = down_monitor(org, escalation=steps)
    started = open_outage(monitor).started_at

    assert follow(now=started + timedelta(minutes=4)) == 0
    assert follow(now=started + timedelta(minutes=5)) == 1
    assert follow(now=started + timedelta(minutes=10)) == 0
    assert follow(now=started + timedelta(minutes=15)) == 1
    assert follow(now=started + timedelta(hours=3)) == 0
    settle()
    assert (kinds(ops), kinds(lead), kinds(boss)) == (["down"], ["escalation"], ["escalation"])
    assert open_outage(monitor).escalation_steps_sent == 2
    escalation = alerts_of(lead, "escalation")[0]
    message = messages.loads(escalation.message)
    assert message.dedup_key == open_outage(monitor).dedup_key and message.acknowledge_url
    request = next(r for r in receiver.requests if r.path.endswith("/lead"))
    CHECKERS["slack"](request, message, lead.config)

    observe(monitor, "UP")  # whoever was escalated to hears of the recovery
    settle()
    # (ordered by created_at: the escalations were written "in the future", at the follower's now)
    assert (kinds(ops), kinds(lead), kinds(boss)) == (["down", "up"], ["up", "escalation"], ["up", "escalation"])
    assert all(alert.status == Alert.Status.DELIVERED for alert in Alert.objects.all())
    assert len(receiver.requests) == 6


def test_deleting_the_channel_of_a_step_already_sent_lets_the_next_step_fire(org, receiver):
    lead = slack(org, receiver, "lead", events=DOWN_UP, all_monitors=False)
    boss = slack(org, receiver, "boss", events=DOWN_UP, all_monitors=False)
    cto = slack(org, receiver, "cto", events=DOWN_UP, all_monitors=False)
    steps = [
        {"afterMinutes": 5, "channels": [lead.id]},
        {"afterMinutes": 15, "channels": [boss.id]},
        {"afterMinutes": 30, "channels": [cto.id]},
    ]
    monitor = down_monitor(org, escalation=steps)
    started = open_outage(monitor).started_at
    assert follow(now=started + timedelta(minutes=5)) == 1  # the lead's step

    channel_delete(channel=lead)  # its step goes: the boss's is now the first, and not yet sent
    monitor.refresh_from_db()
    assert [step["channels"] for step in monitor.escalation] == [[boss.id], [cto.id]]
    assert open_outage(monitor).escalation_steps_sent == 0
    assert follow(now=started + timedelta(minutes=15)) == 1
    channel_delete(channel=cto)  # a step not sent yet: nothing sent to recount
    assert open_outage(monitor).escalation_steps_sent == 1
    settle()
    assert kinds(boss) == ["escalation"]


def test_steps_due_together_escalate_once_to_each_channel(org, receiver):
    lead = slack(org, receiver, "lead", events=DOWN_UP, all_monitors=False)
    boss = slack(org, receiver, "boss", events=DOWN_UP, all_monitors=False)
    steps = [{"afterMinutes": 5, "channels": [lead.id]}, {"afterMinutes": 10, "channels": [lead.id, boss.id]}]
    monitor = down_monitor(org, escalation=steps)

    assert follow(now=open_outage(monitor).started_at + timedelta(minutes=30)) == 2
    assert follow(now=open_outage(monitor).started_at + timedelta(minutes=31)) == 0
    assert (kinds(lead), kinds(boss)) == (["escalation"], ["escalation"])


def test_acknowledging_stops_reminders_and_escalation(org, receiver):
    ops = slack(org, receiver, "ops", events=DOWN_UP)
    lead = slack(org, receiver, "lead", events=DOWN_UP, all_monitors=False)
    monitor = down_monitor(org, reminder_interval=1, escalation=[{"afterMinutes": 2, "channels": [lead.id]}])
    started = open_outage(monitor).started_at

    acknowledged = acknowledge(monitor=monitor, by="alice@example.com")
    assert acknowledged.acknowledged_by == "alice@example.com" and acknowledged.acknowledged_at is not None
    again = acknowledge(monitor=monitor, by="bob@example.com")  # the first acknowledgement stands
    assert (again.acknowledged_by, again.acknowledged_at) == ("alice@example.com", acknowledged.acknowledged_at)

    for minutes in (1, 2, 5, 60):
        assert follow(now=started + timedelta(minutes=minutes)) == 0
    assert (kinds(ops), kinds(lead)) == (["down"], [])
    assert len(receiver.requests) == 1

    up = MonitorFactory(organization=org, status=Monitor.Status.UP)
    with pytest.raises(NotDown):
        acknowledge(monitor=up, by="alice@example.com")


def test_the_signed_link_shows_a_button_on_get_and_acknowledges_only_on_post(org, receiver):
    ops = slack(org, receiver, "ops", events=DOWN_UP)
    monitor = down_monitor(org, reminder_interval=1)
    link = acknowledge_link(ops)
    assert link in receiver.requests[0].body.decode()  # the link the channel was sent
    browser = Client(enforce_csrf_checks=True)
    sent = open_outage(monitor).last_alert_at

    page = browser.get(link)  # what a chat app's link preview does too
    assert page.status_code == 200
    content = page.content.decode()
    assert '<form method="post">' in content and ">Acknowledge</button>" in content and "Payments" in content
    monitor.refresh_from_db()
    assert monitor.acknowledged_at is None
    assert follow(now=sent + timedelta(minutes=1)) == 1  # a GET stops nothing

    assert browser.post(link).status_code == 403  # no CSRF token: not a press of the button
    monitor.refresh_from_db()
    assert monitor.acknowledged_at is None

    token = CSRF_FIELD.search(content).group(1)
    pressed = browser.post(link, {"csrfmiddlewaretoken": token})
    assert pressed.status_code == 200
    assert "is acknowledged (by alert link" in pressed.content.decode()
    monitor.refresh_from_db()
    assert monitor.acknowledged_at is not None and monitor.acknowledged_by == "alert link"
    assert follow(now=sent + timedelta(minutes=30)) == 0
    settle()
    assert kinds(ops) == ["down", "reminder"]


def test_a_tampered_link_is_a_404_and_acknowledges_nothing(org, receiver):
    ops = slack(org, receiver, "ops", events=DOWN_UP)
    monitor = down_monitor(org)
    link = acknowledge_link(ops)
    token = link.rstrip("/").rsplit("/", 1)[1]
    value, signature = token.rsplit(":", 1)
    other = MonitorFactory(organization=org, status=Monitor.Status.DOWN)
    tampered = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature changed
        value.replace(monitor.id, other.id) + ":" + signature,  # another monitor, same signature
        "not-a-token",
    ]
    browser = Client()
    for bad in tampered:
        path = link.replace(token, bad)
        for method in (browser.get, browser.post):
            response = method(path)
            assert response.status_code == 404, (bad, method)
            assert "This acknowledge link does not work" in response.content.decode()
    for row in (monitor, other):
        row.refresh_from_db()
        assert row.acknowledged_at is None


def test_the_link_of_an_earlier_outage_does_nothing(org, receiver):
    ops = slack(org, receiver, "ops", events=DOWN_UP)
    monitor = down_monitor(org)
    earlier = acknowledge_link(ops)
    observe(monitor, "UP")
    observe(monitor, "DOWN", "HTTP 503")
    settle()
    current = acknowledge_link(ops)
    assert current != earlier

    browser = Client()
    assert browser.post(earlier).status_code == 404
    monitor.refresh_from_db()
    assert monitor.acknowledged_at is None
    assert browser.post(current).status_code == 200
    monitor.refresh_from_db()
    assert monitor.acknowledged_by == "alert link"


def test_recovering_clears_the_acknowledgement_so_the_next_outage_reminds_again(org, receiver):
    ops = slack(org, receiver, "ops", events=DOWN_UP)
    monitor = down_monitor(org, reminder_interval=1)
    acknowledge(monitor=monitor, by="alice@example.com")

    observe(monitor, "UP")
    settle()
    monitor.refresh_from_db()
    assert (monitor.acknowledged_at, monitor.acknowledged_by) == (None, "")

    observe(monitor, "DOWN", "HTTP 503")
    settle()
    assert follow(now=open_outage(monitor).last_alert_at + timedelta(minutes=1)) == 1
    assert kinds(ops)[-1] == "reminder"

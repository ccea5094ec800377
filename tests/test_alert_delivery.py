"""Alerts through the shared delivery machinery, against real receivers on 127.0.0.1:
retries on the schedule with the attempt log, Retry-After, the address guard, the
per-channel cap with a slow receiver, PagerDuty's dedup_key across retries and the
recovery, and channel secrets kept out of logs, rows and the config column.

Retries are run as in test_webhook_delivery: the alert's next attempt is moved into the
past and the sweeper is called, as beat would, instead of sleeping.
"""

import json
import logging
import time
from collections import Counter
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.db import connection
from django.utils import timezone

from alerts.models import Alert, AlertAttempt
from alerts.notify import send_test
from alerts.outages import follow
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import Monitor
from webhooks.tasks import sweep_deliveries

from .channel_receivers import Receiver as PathReceiver
from .factories import MonitorFactory
from .live_server import free_port
from .test_alert_types_e2e import APPS, make_channel, observe, open_outage, settle, wait_until
from .webhook_receiver import Answer, Receiver

pytestmark = pytest.mark.django_db(transaction=True, available_apps=APPS)

PENDING, DELIVERED, FAILED = Alert.Status.PENDING, Alert.Status.DELIVERED, Alert.Status.FAILED


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True  # the guard test turns it off


@pytest.fixture
def make_receiver():
    made = []

    def make(*answers: Answer, default: Answer | None = None) -> Receiver:
        made.append(Receiver(*answers, default=default))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def slack(org, url: str, name: str = "ops", **fields):
    return make_channel(org, "slack", {"url": url}, name=name, **fields)


def attempts_of(alert: Alert) -> list[AlertAttempt]:
    return list(AlertAttempt.objects.filter(delivery=alert).order_by("attempted_at", "id"))


def retry_due(*alerts: Alert) -> int:
    """Bring these pending alerts' next attempt to now and run the sweeper; then wait for the outcomes."""
    Alert.objects.filter(id__in=[a.id for a in alerts], status=PENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    swept = sweep_deliveries()
    settle()
    return swept


def waited(alert: Alert) -> float:
    """Seconds from the alert's latest attempt to its next."""
    alert.refresh_from_db()
    return (alert.next_attempt_at - attempts_of(alert)[-1].attempted_at).total_seconds()


def test_a_failing_service_is_retried_on_the_schedule_and_every_attempt_is_logged(org, make_receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = (5, 300, 1800)
    receiver = make_receiver(default=Answer(500, b'{"error": "boom"}'))
    channel = slack(org, receiver.url + "/services/T/B/x")
    alert = send_test(channel)
    settle()

    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == (PENDING, 1)
    assert 5 <= waited(alert) < 8
    [first] = attempts_of(alert)
    assert (first.status_code, first.error, first.response_head) == (500, "HTTP 500", '{"error": "boom"}')
    assert first.duration_ms >= 0

    assert sweep_deliveries() == 0  # not due yet: nothing is sent early
    assert retry_due(alert) == 1
    assert 300 <= waited(alert) < 303
    assert retry_due(alert) == 1
    assert 1800 <= waited(alert) < 1803
    assert [a.status_code for a in attempts_of(alert)] == [500, 500, 500]

    receiver.default = Answer(200)
    retry_due(alert)
    alert.refresh_from_db()
    assert (alert.status, alert.attempts, alert.next_attempt_at) == (DELIVERED, 4, None)
    assert [(a.status_code, a.error) for a in attempts_of(alert)] == [(500, "HTTP 500")] * 3 + [(200, "")]
    assert len(receiver.requests) == 4
    # Every attempt sent the same rendering of the same message.
    assert len({request.body for request in receiver.requests}) == 1
    channel.refresh_from_db()
    assert channel.failing_since is None and channel.enabled


def test_an_alert_fails_once_the_schedule_runs_out(org, make_receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = (5, 60)
    receiver = make_receiver(default=Answer(503))
    alert = send_test(slack(org, receiver.url + "/services/T/B/x"))
    settle()
    retry_due(alert)
    retry_due(alert)
    alert.refresh_from_db()
    assert (alert.status, alert.attempts, alert.next_attempt_at) == (FAILED, 3, None)
    assert alert.finished_at is not None
    assert retry_due(alert) == 0 and len(receiver.requests) == 3


def test_a_410_fails_the_alert_disables_the_channel_and_cancels_its_other_alerts(org, make_receiver):
    receiver = make_receiver(Answer(503), Answer(410))
    channel = slack(org, receiver.url + "/services/T/B/x")
    waiting = send_test(channel)  # answered 503: waits for its retry
    settle()
    gone = send_test(channel)
    settle()

    gone.refresh_from_db()
    assert (gone.status, gone.attempts) == (FAILED, 1)
    channel.refresh_from_db()
    assert (channel.enabled, channel.disabled_reason) == (False, "gone")
    waiting.refresh_from_db()
    assert waiting.status == Alert.Status.CANCELLED
    assert retry_due(waiting) == 0 and len(receiver.requests) == 2


def test_an_alert_of_a_channel_disabled_since_it_was_queued_is_cancelled_unsent(org, make_receiver):
    receiver = make_receiver(Answer(500))
    channel = slack(org, receiver.url + "/services/T/B/x")
    alert = send_test(channel)
    settle()
    channel.enabled = False
    channel.save(update_fields=["enabled"])  # as an admin would, not through the service

    retry_due(alert)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CANCELLED and alert.attempts == 1
    assert len(receiver.requests) == 1


def test_retry_after_on_a_429_is_honoured(org, make_receiver):
    later = timezone.now() + timedelta(seconds=900)
    receiver = make_receiver(
        Answer(429, headers={"Retry-After": "120"}),
        Answer(429, headers={"Retry-After": format_datetime(later, usegmt=True)}),
    )
    alert = send_test(slack(org, receiver.url + "/services/T/B/x"))
    settle()
    assert 120 <= waited(alert) < 123  # not the schedule's 5 s
    assert attempts_of(alert)[-1].error == "HTTP 429"

    retry_due(alert)
    next_attempt = Alert.objects.get(pk=alert.pk).next_attempt_at
    assert abs((next_attempt - later).total_seconds()) < 3  # an HTTP date works too

    retry_due(alert)
    alert.refresh_from_db()
    assert alert.status == DELIVERED and len(receiver.requests) == 3


def test_a_private_address_is_refused_when_private_targets_are_not_allowed(org, make_receiver, settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = False
    receiver = make_receiver()
    port = receiver.url.split(":")[2].split("/")[0]
    literal = send_test(slack(org, receiver.url + "/services/T/B/x", name="literal"))
    by_name = send_test(slack(org, f"http://localhost:{port}/services/T/B/y", name="by name"))
    settle()

    for alert in (literal, by_name):
        alert.refresh_from_db()
        assert alert.status == PENDING  # a failure like any other: retried, then failed
        [attempt] = attempts_of(alert)
        assert attempt.status_code is None
        assert attempt.error.startswith("address not allowed"), attempt.error
    time.sleep(0.2)
    assert receiver.requests == []


def test_a_slow_channel_holds_at_most_its_cap_while_another_channel_is_served_at_once(org, make_receiver, settings):
    settings.ALERT_CHANNEL_CONCURRENCY = 2
    slow_receiver = make_receiver(default=Answer(200, delay=1.5))
    fast_receiver = make_receiver()
    slow = slack(org, slow_receiver.url + "/services/T/B/slow", name="slow")
    fast = slack(org, fast_receiver.url + "/services/T/B/fast", name="fast")
    monitors = [MonitorFactory(organization=org, status=Monitor.Status.UP) for _ in range(4)]

    started = time.time()
    slot = timezone.now().replace(microsecond=0)
    # Four monitors DOWN in one batch: four alerts for each channel, written at once.
    record_observations(
        [Observation(m.id, slot, slot, Outcome(status="DOWN", response_time_ms=5, error="HTTP 500")) for m in monitors]
    )
    fast_done = wait_until(
        lambda: Alert.objects.filter(channel=fast, status=DELIVERED).count() == 4 and time.time(),
        5,
        "the fast channel's alerts",
    )
    # The fast channel was served while the slow one still held its first two.
    assert fast_done - started < 1.5, fast_done - started
    assert len(fast_receiver.requests) == 4
    assert len(slow_receiver.requests) == 2

    wait_until(lambda: Alert.objects.filter(channel=slow, status=DELIVERED).count() == 4, 15, "the slow backlog")
    settle()
    assert slow_receiver.max_in_flight == 2 and len(slow_receiver.requests) == 4
    assert all(len(attempts_of(a)) == 1 for a in Alert.objects.all())


class PagerDutyLike:
    """PagerDuty's Events API as the receiver's log shows it: a trigger opens an incident
    unless one is open under its dedup_key, a resolve closes it. Every request counts, even
    those answered 500 (the worst case: the service acted, then failed to answer)."""

    def __init__(self, receiver: Receiver) -> None:
        self.events = [json.loads(request.body) for request in receiver.requests]
        self.opened: Counter[str] = Counter()
        self.open: set[str] = set()
        for event in self.events:
            key = event["dedup_key"]
            if event["event_action"] == "trigger" and key not in self.open:
                self.opened[key] += 1
                self.open.add(key)
            elif event["event_action"] == "resolve":
                self.open.discard(key)


def test_pagerduty_trigger_retries_reminder_and_resolve_share_one_dedup_key_and_one_incident(
    org, make_receiver, settings
):
    receiver = make_receiver(Answer(500), Answer(500), default=Answer(202, b'{"status": "success"}'))
    settings.STATUSAPP_PAGERDUTY_EVENTS_URL = receiver.url
    channel = make_channel(org, "pagerduty", {"routingKey": "R0UT1NGKEY0123456789abcdefabcdef"})
    monitor = MonitorFactory(organization=org, name="Checkout", status=Monitor.Status.UP, reminder_interval=1)

    observe(monitor, "DOWN", "HTTP 503")
    settle()
    outage = open_outage(monitor)
    [down] = Alert.objects.filter(kind="down")
    retry_due(down)
    retry_due(down)
    down.refresh_from_db()
    assert down.status == DELIVERED
    assert [a.status_code for a in attempts_of(down)] == [500, 500, 202]

    assert follow(now=timezone.now() + timedelta(seconds=61)) == 1
    settle()
    observe(monitor, "UP")
    settle()
    assert all(alert.status == DELIVERED for alert in Alert.objects.filter(channel=channel))

    pagerduty = PagerDutyLike(receiver)
    assert [e["event_action"] for e in pagerduty.events] == ["trigger"] * 4 + ["resolve"]
    assert {e["dedup_key"] for e in pagerduty.events} == {outage.dedup_key}
    assert all(e["routing_key"] == "R0UT1NGKEY0123456789abcdefabcdef" for e in pagerduty.events)
    assert pagerduty.opened == {outage.dedup_key: 1}  # one incident for the outage
    assert pagerduty.open == set()  # and the recovery resolved it
    # The retries sent the same trigger: same summary, same timestamp.
    assert len({json.dumps(e, sort_keys=True) for e in pagerduty.events[:3]}) == 1


SLACK_TOKEN = "xoxSLACKsecretPATHtoken4242"
ROUTING_KEY = "PDroutingSECRETkey0123456789abcd"
BOT_TOKEN = "987654321:AAsecretTELEGRAMbotTOKEN_abcdefghij"
SECRETS = (SLACK_TOKEN, ROUTING_KEY, BOT_TOKEN)


def test_channel_secrets_stay_out_of_logs_alert_rows_attempts_and_the_config_column(org, settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.WEBHOOK_RETRY_SCHEDULE = (5, 5, 5, 5, 5)
    receiver = PathReceiver(status=500)
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    def point_at(base: str) -> None:
        settings.STATUSAPP_PAGERDUTY_EVENTS_URL = f"{base}/v2/enqueue"
        settings.STATUSAPP_TELEGRAM_API_URL = base
        slack_channel.config = {"url": f"{base}/services/T000/B000/{SLACK_TOKEN}"}
        slack_channel.save()

    try:
        slack_channel = make_channel(org, "slack", {}, name="slack")
        make_channel(org, "pagerduty", {"routingKey": ROUTING_KEY}, name="pagerduty")
        make_channel(org, "telegram", {"botToken": BOT_TOKEN, "chatId": "-100123"}, name="telegram")
        # Its config lacks the chat: rendering fails and is logged (without the config).
        make_channel(org, "telegram", {"botToken": BOT_TOKEN}, name="broken")
        point_at(receiver.url)
        monitor = MonitorFactory(organization=org, status=Monitor.Status.UP, reminder_interval=1)

        observe(monitor, "DOWN", "HTTP 503")  # answered 500
        settle()
        pending = list(Alert.objects.filter(status=PENDING))
        assert len(pending) == 3
        settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = False  # refused by the guard
        retry_due(*pending)
        settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
        point_at(closed)  # connection refused
        retry_due(*pending)
        point_at(receiver.url)
        receiver.status = 200
        retry_due(*pending)
        assert follow(now=timezone.now() + timedelta(seconds=61)) == 4  # the broken channel too
        observe(monitor, "UP")
        settle()
    finally:
        receiver.close()

    errors = Counter(AlertAttempt.objects.values_list("error", flat=True))
    assert errors["HTTP 500"] == 3
    assert sum(n for error, n in errors.items() if error.startswith("address not allowed")) == 3
    assert sum(n for error, n in errors.items() if error not in ("", "HTTP 500")) == 6, errors
    assert Alert.objects.filter(status=DELIVERED).count() == 9  # down, reminder and up of 3 channels
    assert Alert.objects.filter(channel__name="broken", status=Alert.Status.CANCELLED).count() == 3
    assert "cannot be rendered" in caplog.text
    assert len(receiver.requests) == 3 + 9
    # The services were sent their secrets (or this test would prove nothing)...
    sent = "".join(r.path + r.body.decode() for r in receiver.requests)
    assert all(secret in sent for secret in SECRETS)

    # ... and nothing else holds them.
    rows = [
        *Alert.objects.values_list("message", flat=True),
        *(str(row) for row in AlertAttempt.objects.values_list("error", "response_head", "status_code")),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT config_json FROM alerts_alertchannel")
        stored = [value for (value,) in cursor.fetchall()]
    assert len(stored) == 4
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    for secret in SECRETS:
        assert secret not in logged
        assert not any(secret in row for row in rows)
        assert not any(secret in value for value in stored), "a channel's config is stored in the clear"

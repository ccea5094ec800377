"""Every native channel type, end to end: a monitor going DOWN, a reminder, the recovery and
a test alert travel through the real engine (record_observations, routing, the outage
follower, the shared sender) to a loopback receiver, and what arrived is checked against
the service's documented format (tests/channel_receivers.py).

The helpers here are shared by the other alert tests (test_alert_routing, _reminders,
_delivery, _worker_kill).
"""

import itertools
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts import acknowledgement, messages
from alerts.models import Alert, AlertChannel, Outage
from alerts.notify import send_test
from alerts.outages import follow
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import Monitor
from webhooks import recording
from webhooks.sender import sender

from .channel_receivers import CHECKERS, Receiver, SmtpReceiver, check_email, configs_for
from .factories import MonitorFactory

# Sending happens on commit and late outcomes are recorded on another connection: these
# tests commit. Flushing only these apps' tables after each keeps them fast on PostgreSQL.
APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "accounts",
    "monitors",
    "incidents",
    "statuspages",
    "webhooks",
    "alerts",
]
pytestmark = pytest.mark.django_db(transaction=True, available_apps=APPS)

TYPES = ("email", "slack", "discord", "teams", "googlechat", "telegram", "pagerduty", "opsgenie", "ntfy", "pushover")
TYPES += ("sms",)
DELIVERED = Alert.Status.DELIVERED

# --- helpers (the other alert tests use them too) ---

_slots = itertools.count()


def observe(monitor: Monitor, status: str, error: str = "", response_time_ms: int | None = 5) -> None:
    """One check result through the real write path; its transition is routed to alerts on commit."""
    slot = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=next(_slots))
    outcome = Outcome(status=status, response_time_ms=response_time_ms, error=error)
    record_observations([Observation(monitor.id, slot, slot, outcome)])


def make_channel(org, type_: str, config: dict, *, events=("monitor.down", "monitor.up"), **fields) -> AlertChannel:
    fields.setdefault("all_monitors", True)
    fields.setdefault("name", f"{type_} channel")
    channel = AlertChannel(organization=org, type=type_, events=list(events), **fields)
    channel.config = config
    channel.save()
    return channel


def wait_until(condition, timeout: float = 10.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout} s")
        time.sleep(0.02)


def settle(timeout: float = 10.0) -> None:
    """Every alert being sent has its outcome recorded (a pending alert keeps its lease
    token until then; a slow answer is recorded by the sender's recorder thread)."""
    wait_until(
        lambda: not Alert.objects.filter(status=Alert.Status.PENDING).exclude(lease_token="").exists(),
        timeout,
        "the alerts being sent",
    )
    assert sender(recording.record).wait_idle(timeout)


def point_services_at(settings, base_url: str) -> None:
    """The paging and push services' API hosts on a loopback receiver (as channel_receivers.hosts_for)."""
    settings.STATUSAPP_PAGERDUTY_EVENTS_URL = f"{base_url}/v2/enqueue"
    settings.STATUSAPP_OPSGENIE_API_URL = base_url
    settings.STATUSAPP_TELEGRAM_API_URL = base_url
    settings.STATUSAPP_PUSHOVER_API_URL = base_url
    settings.STATUSAPP_TWILIO_API_URL = base_url


def mail_to(settings, smtp: SmtpReceiver) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def alerts_of(channel: AlertChannel, kind: str | None = None) -> list[Alert]:
    rows = Alert.objects.filter(channel=channel).order_by("created_at", "id")
    return list(rows.filter(kind=kind) if kind else rows)


def open_outage(monitor: Monitor) -> Outage:
    return Outage.objects.get(monitor=monitor, ended_at__isnull=True)


def link_path(url: str) -> str:
    """An absolute link in an alert as the test client requests it."""
    return urlsplit(url).path


def outage_of(acknowledge_url: str) -> Outage | None:
    """The open outage an alert's signed acknowledge link names (None: the link does not work)."""
    token = link_path(acknowledge_url).rstrip("/").rsplit("/", 1)[1]
    return acknowledgement.outage_of_link(token)


# --- the tests ---


@pytest.fixture
def receiver(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    made = Receiver()
    point_services_at(settings, made.url)
    yield made
    made.close()


@pytest.fixture
def smtp(settings):
    made = SmtpReceiver()
    mail_to(settings, made)
    yield made
    made.close()


# Where each service's requests arrive on the one receiver (configs_for's URLs and the hosts').
PATHS = {
    "slack": "/services/",
    "discord": "/api/webhooks/",
    "teams": "/workflows/",
    "googlechat": "/v1/spaces/",
    "telegram": "/bot",
    "pagerduty": "/v2/enqueue",
    "opsgenie": "/v2/alerts",
    "ntfy": "/statusapp-alerts-x7q",
    "pushover": "/1/messages.json",
    "sms": "/2010-04-01/",
}


def test_down_reminder_up_and_test_reach_every_service_in_its_documented_format(org, receiver, smtp):
    """One channel of every type, all at once (one database flush instead of eleven); a
    failing type is reported with every other type's outcome."""
    configs = configs_for(receiver)
    channels = {type_: make_channel(org, type_, configs[type_]) for type_ in TYPES}
    monitor = MonitorFactory(organization=org, name="Billing API", status=Monitor.Status.UP, reminder_interval=1)

    def arrived(type_: str) -> list:
        if type_ == "email":
            return list(smtp.messages)
        return [r for r in receiver.requests if r.path.startswith(PATHS[type_])]

    failures: dict[str, str] = {}

    def check_round(number: int, kind: str) -> dict[str, object]:
        """Each channel's one `kind` alert: delivered at the first attempt, and its channel's
        `number`th arrival in the service's format. The Messages by type."""
        wait_until(lambda: all(len(arrived(t)) >= number for t in TYPES), what=f"the {kind} alerts to arrive")
        sent = {}
        for type_, channel in channels.items():
            if type_ in failures:
                continue
            try:
                [alert] = alerts_of(channel, kind)
                assert (alert.status, alert.attempts) == (DELIVERED, 1), list(alert.attempt_log.values())
                assert len(arrived(type_)) == number, f"{len(arrived(type_))} arrivals after the {kind} alert"
                message = messages.loads(alert.message)
                if type_ == "email":
                    check_email(arrived(type_)[-1], message, configs[type_])
                else:
                    CHECKERS[type_](arrived(type_)[-1], message, configs[type_])
                sent[type_] = message
            except AssertionError as exc:
                failures[type_] = f"{kind}: {exc!r}"
        return sent

    observe(monitor, "DOWN", "HTTP 503")
    settle()
    outage = open_outage(monitor)
    downs = check_round(1, "down")
    for down in downs.values():
        assert (down.monitor_id, down.monitor_name, down.error, down.response_time_ms) == (
            monitor.id,
            "Billing API",
            "HTTP 503",
            5,
        )
        assert down.dedup_key == outage.dedup_key
        assert outage_of(down.acknowledge_url) == outage
        assert urlsplit(down.dashboard_url).path == reverse("monitors:detail", args=[monitor.id])

    assert follow(now=timezone.now() + timedelta(seconds=61)) == len(TYPES)
    settle()
    reminders = check_round(2, "reminder")
    for reminder in reminders.values():
        assert "still DOWN" in reminder.title and reminder.dedup_key == outage.dedup_key
        assert outage_of(reminder.acknowledge_url) == outage

    observe(monitor, "UP")
    settle()
    for up in check_round(3, "up").values():
        assert (up.status, up.dedup_key, up.acknowledge_url) == ("UP", outage.dedup_key, "")

    for channel in channels.values():
        send_test(channel)
    settle()
    for type_, test in check_round(4, "test").items():
        assert test.title == "StatusApp test alert" and channels[type_].name in test.summary

    assert failures == {}
    assert len(receiver.requests) == 4 * (len(TYPES) - 1)

    # The email itself: subjects, and both links in the plain text and the HTML.
    subjects = [str(received["Subject"]) for received in smtp.messages]
    assert all(subject.startswith("[StatusApp] ") for subject in subjects), subjects
    assert "Billing API is DOWN" in subjects[0] and "Billing API is still DOWN" in subjects[1]
    assert "Billing API is back UP" in subjects[2] and "test alert" in subjects[3]
    for received, message in zip(smtp.messages[:2], (downs["email"], reminders["email"]), strict=True):
        text = received.get_body(preferencelist=("plain",)).get_content()
        html_body = received.get_body(preferencelist=("html",)).get_content()
        assert "HTTP 503" in text and "HTTP 503" in html_body
        for url in (message.dashboard_url, message.acknowledge_url):
            assert url in text and f'href="{url}"' in html_body
    up_text = smtp.messages[2].get_body(preferencelist=("plain",)).get_content()
    assert downs["email"].dashboard_url in up_text and "/alerts/acknowledge/" not in up_text

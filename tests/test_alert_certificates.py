"""ssl.expiring: one alert per threshold crossed (30, 14, 7, 3, 1 days), never twice for
the same certificate, afresh after a renewal; only to channels that subscribe to it."""

from datetime import UTC, datetime, timedelta

import pytest

from alerts import certificates, messages
from alerts.models import Alert, AlertChannel
from monitors.models import Monitor

from .factories import MonitorFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def channel(org, events):
    made = AlertChannel(organization=org, name="ops", type="slack", events=events, all_monitors=True)
    made.config = {"url": "https://hooks.slack.com/services/T/B/secret"}
    made.save()
    return made


def seen(monitor, days):
    text = f"certificate expires in {days} day{'s' if days != 1 else ''}"
    Monitor.objects.filter(pk=monitor.pk).update(last_error=text, status=Monitor.Status.UP)


def sent_days() -> list[str]:
    return [dict(messages.loads(a.message).facts)["Days left"] for a in Alert.objects.order_by("created_at", "id")]


def test_one_alert_per_threshold_crossed(org):
    channel(org, ["ssl.expiring"])
    monitor = MonitorFactory(organization=org, type=Monitor.Type.SSL, url="https://example.com")
    for step, days in enumerate([45, 31, 30, 29, 20, 14, 13, 12, 6, 6, 2, 1, 1]):
        seen(monitor, days)
        certificates.check(NOW + timedelta(hours=step))
    # 30 (at 30), 14 (at 14), 7 (first seen at 6), 3 (first seen at 2), 1 (at 1)
    assert sent_days() == ["30", "14", "6", "2", "1"]


def test_a_first_reading_below_several_thresholds_alerts_once(org):
    channel(org, ["ssl.expiring"])
    monitor = MonitorFactory(organization=org, type=Monitor.Type.SSL, url="https://example.com")
    seen(monitor, 5)
    certificates.check(NOW)
    certificates.check(NOW + timedelta(hours=1))
    assert sent_days() == ["5"]


def test_a_renewed_certificate_starts_afresh(org):
    channel(org, ["ssl.expiring"])
    monitor = MonitorFactory(organization=org, type=Monitor.Type.SSL, url="https://example.com")
    seen(monitor, 10)
    certificates.check(NOW)
    seen(monitor, 90)
    certificates.check(NOW + timedelta(days=1))
    seen(monitor, 14)
    certificates.check(NOW + timedelta(days=76))
    assert sent_days() == ["10", "14"]


def test_only_subscribed_channels_and_not_paused_or_in_maintenance(org):
    channel(org, ["monitor.down"])
    wanted = channel(org, ["ssl.expiring"])
    paused = MonitorFactory(organization=org, type=Monitor.Type.SSL, url="https://a.example")
    maintained = MonitorFactory(organization=org, type=Monitor.Type.SSL, url="https://b.example")
    watched = MonitorFactory(organization=org, type=Monitor.Type.SSL, url="https://c.example")
    for monitor in (paused, maintained, watched):
        seen(monitor, 3)
    Monitor.objects.filter(pk=paused.pk).update(status=Monitor.Status.PAUSED)
    Monitor.objects.filter(pk=maintained.pk).update(in_maintenance=True)
    assert certificates.check(NOW) == 1
    alert = Alert.objects.get()
    assert (alert.channel_id, alert.monitor_id) == (wanted.id, watched.id)


def test_readings_without_days_are_ignored(org):
    channel(org, ["ssl.expiring"])
    monitor = MonitorFactory(organization=org, type=Monitor.Type.SSL, url="https://example.com")
    Monitor.objects.filter(pk=monitor.pk).update(last_error="certificate has expired", status=Monitor.Status.DOWN)
    assert certificates.check(NOW) == 0


def test_an_smtp_monitor_with_starttls_alerts_for_its_certificate_too(org):
    channel(org, ["ssl.expiring"])
    mail = MonitorFactory(organization=org, type=Monitor.Type.SMTP, host="mail.example.com", port=587, tls=True)
    plain = MonitorFactory(organization=org, type=Monitor.Type.SMTP, host="mx.example.com", port=25, tls=False)
    seen(mail, 10)
    seen(plain, 10)  # cannot be read without STARTTLS: such a text is not its certificate's
    certificates.check(NOW)
    [alert] = Alert.objects.all()
    message = messages.loads(alert.message)
    assert (alert.monitor_id, message.target) == (mail.id, "mail.example.com:587")
    assert dict(message.facts)["Days left"] == "10"

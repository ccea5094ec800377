"""ssl.expiring: one alert per threshold (ALERT_SSL_THRESHOLDS days before expiry) that a
monitor's certificate crosses, read from what its last check said ("certificate expires
in N days"): `ssl` monitors, and `smtp` ones with STARTTLS. A renewed certificate, further
away than every threshold, starts afresh."""

import re
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from monitors.models import Monitor
from webhooks.tasks import insert_and_send_on_commit

from . import messages
from .alert_queue import ALERTS
from .models import AlertEvent, CertificateNotice
from .routing import Channels, alerts_for

FIELDS = ("id", "organization_id", "name", "type", "url", "host", "port", "status", "last_error", "alert_channels")
EXPIRES_IN = re.compile(r"certificate expires in (\d+) days?")


def days_left(last_error: str) -> int | None:
    found = EXPIRES_IN.search(last_error or "")
    return int(found.group(1)) if found else None


@transaction.atomic
def check(now: datetime | None = None) -> int:
    """Queue the ssl.expiring alerts that are due; returns how many."""
    now = now or timezone.now()
    thresholds = sorted(settings.ALERT_SSL_THRESHOLDS, reverse=True)
    with_certificates = Q(type=Monitor.Type.SSL) | Q(type=Monitor.Type.SMTP, tls=True)
    watched = Monitor.objects.filter(with_certificates, in_maintenance=False).exclude(
        status__in=[Monitor.Status.PAUSED, Monitor.Status.PENDING]
    )
    readings = [(m, days_left(m.last_error)) for m in watched.only(*FIELDS)]
    readings = [(monitor, days) for monitor, days in readings if days is not None]
    monitors = [monitor for monitor, _ in readings]
    sent: dict[str, set[int]] = {}
    for monitor_id, threshold in CertificateNotice.objects.filter(monitor__in=[m.id for m in monitors]).values_list(
        "monitor_id", "threshold"
    ):
        sent.setdefault(monitor_id, set()).add(threshold)
    renewed = [monitor.id for monitor, days in readings if days > thresholds[0] and monitor.id in sent]
    CertificateNotice.objects.filter(monitor__in=renewed).delete()
    channels = Channels({m.organization_id for m in monitors})
    notices, alerts = [], []
    for monitor, days in readings:
        crossed = [t for t in thresholds if days <= t]
        if not crossed or crossed[-1] in sent.get(monitor.id, set()):
            continue
        notices += [
            CertificateNotice(monitor=monitor, threshold=t, sent_at=now)
            for t in crossed
            if t not in sent.get(monitor.id, set())
        ]
        targets = channels.for_monitor(monitor, AlertEvent.SSL_EXPIRING)
        alerts += alerts_for(targets, messages.ssl_expiring(monitor, days, now), monitor.id, now)
    CertificateNotice.objects.bulk_create(notices)
    insert_and_send_on_commit(ALERTS, alerts)
    return len(alerts)

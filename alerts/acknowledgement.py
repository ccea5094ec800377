"""Acknowledging an outage: someone has seen it, so reminders and escalation stop until
the monitor recovers (monitors clears the acknowledgement when it leaves DOWN).

Every alert carries a signed link that acknowledges without signing in: the signature
names the monitor and the outage, so a link from an earlier outage does nothing now.
"""

import functools

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from monitors.models import Monitor

from .models import Outage

LINK_MAX_AGE = 7 * 24 * 3600
_SALT = "alerts.acknowledge"


class NotDown(Exception):
    """Only a DOWN monitor can be acknowledged."""


def acknowledge(*, monitor: Monitor, by: str) -> Monitor:
    """Acknowledge the monitor's current outage; a second acknowledgement keeps the first's time and name."""
    with transaction.atomic():
        monitor = Monitor.objects.select_for_update().get(pk=monitor.pk)
        if monitor.status != Monitor.Status.DOWN:
            raise NotDown(f"{monitor.name} is {monitor.status}, not DOWN: there is nothing to acknowledge.")
        if monitor.acknowledged_at is None:
            monitor.acknowledged_at = timezone.now()
            monitor.acknowledged_by = by[:200]
            monitor.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    return monitor


def link_token(outage: Outage) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(f"{outage.monitor_id}:{outage.pk}")


@functools.cache
def _link_template(base_url: str) -> str:
    # reverse() once, not once per monitor of a burst.
    return base_url + reverse("alerts:acknowledge", args=["TOKEN"])


def link(outage: Outage) -> str:
    return _link_template(settings.STATUSAPP_BASE_URL).replace("TOKEN", link_token(outage))


def outage_of_link(token: str) -> Outage | None:
    """The outage a link names, while it is the monitor's open outage; None for a
    tampered, expired or outdated link."""
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    monitor_id, _, outage_id = value.partition(":")
    if not outage_id.isdigit():
        return None
    return (
        Outage.objects.select_related("monitor")
        .filter(pk=int(outage_id), monitor_id=monitor_id, ended_at__isnull=True)
        .first()
    )

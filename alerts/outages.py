"""Following open outages, every few seconds: reminders and escalation while a monitor
stays DOWN unacknowledged, DOWN alerts that were held once their cause is gone, and
outages closed when their monitor stopped being checked (paused, deleted)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from monitors.models import Monitor
from webhooks.tasks import insert_and_send_on_commit

from . import messages
from .alert_queue import ALERTS
from .models import AlertEvent, Outage
from .routing import Channels, alerts_for, down_parent, flap_counts

DOWN = Monitor.Status.DOWN
BATCH = 1000


# The open outages that may need something: a held DOWN alert, a monitor with reminders or
# escalation, or one no longer DOWN. The rest (DOWN, alerted, nothing more configured) wait.
NEEDS_A_LOOK = (
    Q(last_alert_at__isnull=True)
    | Q(monitor__reminder_interval__isnull=False)
    | ~Q(monitor__escalation=[])
    | ~Q(monitor__status=DOWN)
)


def follow(now: datetime | None = None) -> int:
    """Send what open outages are due, a batch at a time; returns how many alerts were queued."""
    now = now or timezone.now()
    queued, after = 0, 0
    while after is not None:
        sent, after = _follow_batch(now, after)
        queued += sent
    return queued


@transaction.atomic
def _follow_batch(now: datetime, after: int) -> tuple[int, int | None]:
    """The alerts queued for the open outages after `after` (by id), and where the next
    batch starts (None: none left)."""
    outages = list(
        Outage.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(NEEDS_A_LOOK, ended_at__isnull=True, pk__gt=after)
        .select_related("monitor")
        .prefetch_related(Prefetch("monitor__depends_on", queryset=Monitor.objects.only("id", "name", "status")))
        .order_by("pk")[:BATCH]
    )
    following = outages[-1].pk if len(outages) == BATCH else None
    stale = [o for o in outages if o.monitor.status != DOWN]
    for outage in stale:
        outage.ended_at = now
    Outage.objects.bulk_update(stale, ["ended_at"])
    live = [o for o in outages if o.monitor.status == DOWN and not o.monitor.in_maintenance]
    if not live:
        return 0, following
    channels = Channels({o.monitor.organization_id for o in live})
    flaps = flap_counts([o.monitor_id for o in live if o.last_alert_at is None], now)
    alerts, changed = [], []
    for outage in live:
        monitor = outage.monitor
        if outage.last_alert_at is None:
            parents = {parent.id: parent for parent in monitor.depends_on.all()}
            monitor.parent_ids = list(parents)
            if down_parent(monitor, parents) or flaps.get(monitor.id, 0) > settings.ALERT_FLAP_TRANSITIONS:
                continue
            cause = parents.get(outage.held_by_id)
            outage.held_by, outage.last_alert_at = None, now
            message = messages.down(monitor, outage, monitor.last_error, now, held_for=cause.name if cause else "")
            alerts += alerts_for(channels.for_monitor(monitor, AlertEvent.MONITOR_DOWN), message, monitor.id, now)
            changed.append(outage)
            continue
        if monitor.acknowledged_at is not None:
            continue
        if monitor.reminder_interval and now - outage.last_alert_at >= timedelta(minutes=monitor.reminder_interval):
            outage.last_alert_at = now
            message = messages.down(monitor, outage, monitor.last_error, now, kind="reminder")
            alerts += alerts_for(channels.for_monitor(monitor, AlertEvent.MONITOR_DOWN), message, monitor.id, now)
            changed.append(outage)
        steps = sorted(monitor.escalation or (), key=lambda step: step["afterMinutes"])
        due = [
            step
            for step in steps[outage.escalation_steps_sent :]
            if now - outage.started_at >= timedelta(minutes=step["afterMinutes"])
        ]
        if due:
            already = set(channels.escalated(monitor, outage.escalation_steps_sent))
            outage.escalation_steps_sent += len(due)
            targets = [c for c in channels.escalated(monitor, outage.escalation_steps_sent) if c not in already]
            message = messages.down(monitor, outage, monitor.last_error, now, kind="escalation")
            alerts += alerts_for(targets, message, monitor.id, now)
            if outage not in changed:
                changed.append(outage)
    Outage.objects.bulk_update(changed, ["last_alert_at", "escalation_steps_sent", "held_by"])
    insert_and_send_on_commit(ALERTS, alerts)
    return len(alerts), following

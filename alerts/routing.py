"""Which alerts a batch of monitor transitions (or incident events) causes, written as
Alert rows in the transaction of their cause and sent after it commits.

A channel hears about a monitor when it covers all monitors or the monitor lists it,
and only of the events it subscribes to. Transitions during maintenance alert nobody,
but for the recovery of an outage alerted before the maintenance began: what its DOWN
opened (a page, an Opsgenie alert) is closed.
A monitor going DOWN while a monitor it depends on is DOWN is held (the parent's
outage explains it); one changing state more than ALERT_FLAP_TRANSITIONS times in
ALERT_FLAP_WINDOW is flapping: one alert says so, and its up/down alerts are held until
it settles. Held DOWN alerts go out later if the monitor is still DOWN once the cause
is gone (outages.follow).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

import orjson
from django.conf import settings
from django.db.models import Count, Prefetch
from django.utils import timezone

from monitors.models import Monitor, StatusChange
from webhooks.tasks import insert_and_send_on_commit

from . import messages
from .alert_queue import ALERTS
from .models import Alert, AlertChannel, AlertEvent, Outage

DOWN, UP, DEGRADED, PENDING = (Monitor.Status.DOWN, Monitor.Status.UP, Monitor.Status.DEGRADED, Monitor.Status.PENDING)
# What routing and the messages read of a monitor.
MESSAGE_FIELDS = (
    "id",
    "organization_id",
    "name",
    "type",
    "status",
    "url",
    "host",
    "port",
    "last_error",
    "response_time",
    "degraded_threshold",
    "alert_channels",
    "escalation",
)
INCIDENT_EVENTS = {AlertEvent.INCIDENT_CREATED, AlertEvent.INCIDENT_UPDATED, AlertEvent.INCIDENT_RESOLVED}


class Channels:
    """The enabled channels of some organizations, to route alerts to."""

    def __init__(self, organization_ids: Iterable[int]) -> None:
        self.by_org: dict[int, list[AlertChannel]] = defaultdict(list)
        for channel in AlertChannel.objects.filter(organization_id__in=set(organization_ids), enabled=True).only(
            "id", "organization_id", "events", "all_monitors"
        ):
            self.by_org[channel.organization_id].append(channel)

    def for_monitor(self, monitor: Monitor, event: str) -> list[str]:
        listed = set(monitor.alert_channels or ())
        return [
            c.id
            for c in self.by_org.get(monitor.organization_id, ())
            if event in c.events and (c.all_monitors or c.id in listed)
        ]

    def escalated(self, monitor: Monitor, steps: int) -> list[str]:
        """The channels of the first `steps` escalation steps (enabled ones of the organization)."""
        mine = {c.id for c in self.by_org.get(monitor.organization_id, ())}
        return [
            channel_id
            for step in sorted(monitor.escalation or (), key=lambda s: s["afterMinutes"])[:steps]
            for channel_id in step["channels"]
            if channel_id in mine
        ]

    def for_event(self, organization_id: int, event: str) -> list[str]:
        return [c.id for c in self.by_org.get(organization_id, ()) if event in c.events]


def alerts_for(channel_ids: Iterable[str], message, monitor_id: str | None, now: datetime) -> list[Alert]:
    body = messages.dumps(message)
    return [
        Alert(
            channel_id=channel_id,
            monitor_id=monitor_id,
            kind=message.kind,
            message=body,
            created_at=now,
            next_attempt_at=now,
        )
        for channel_id in dict.fromkeys(channel_ids)
    ]


def flap_counts(monitor_ids: Iterable[str], now: datetime) -> dict[str, int]:
    since = now - timedelta(seconds=settings.ALERT_FLAP_WINDOW)
    rows = (
        StatusChange.objects.filter(monitor_id__in=set(monitor_ids), created_at__gte=since, in_maintenance=False)
        .values("monitor_id")
        .annotate(n=Count("id"))
        .values_list("monitor_id", "n")
    )
    return dict(rows)


def flapping_alerted(monitor_ids: Iterable[str], now: datetime) -> set[str]:
    since = now - timedelta(seconds=settings.ALERT_FLAP_WINDOW)
    return set(
        Alert.objects.filter(monitor_id__in=set(monitor_ids), kind="flapping", created_at__gte=since)
        .values_list("monitor_id", flat=True)
        .distinct()
    )


def down_parent(monitor: Monitor, parents: dict[str, Monitor]) -> Monitor | None:
    return next((parents[p] for p in monitor.parent_ids if p in parents and parents[p].status == DOWN), None)


def _recovery(change: StatusChange) -> bool:
    return change.from_status == DOWN and change.to_status != DOWN


def on_transitions(sender, changes: list[StatusChange], **kwargs) -> None:
    """Receiver of incidents' `monitors_transitioned`: `changes` carry their monitor's
    `organization_id`."""
    # During maintenance nothing alerts, but an outage alerted before it began is still
    # closed by its recovery (a PagerDuty incident opened for it must be resolved).
    changes = [change for change in changes if not change.in_maintenance or _recovery(change)]
    channels = Channels({change.organization_id for change in changes})
    # An organization without a channel has nobody to alert, and needs no outage rows.
    changes = [change for change in changes if channels.by_org.get(change.organization_id)]
    if not changes:
        return
    now = timezone.now()
    monitors = {
        monitor.id: monitor
        for monitor in Monitor.objects.filter(id__in={c.monitor_id for c in changes})
        .only(*MESSAGE_FIELDS)
        .prefetch_related(Prefetch("depends_on", queryset=Monitor.objects.only("id", "name", "status")))
    }
    for monitor in monitors.values():
        monitor.parents = {parent.id: parent for parent in monitor.depends_on.all()}
        monitor.parent_ids = list(monitor.parents)
    open_outages = {o.monitor_id: o for o in Outage.objects.filter(monitor_id__in=monitors, ended_at__isnull=True)}
    flaps = flap_counts(monitors, now)
    flapping = {m for m, n in flaps.items() if n > settings.ALERT_FLAP_TRANSITIONS}
    already_flapping = flapping_alerted(flapping, now) if flapping else set()

    new_outages: list[Outage] = []
    ended: list[Outage] = []
    pending: list = []  # (kind, monitor, outage or None, change), built once outages have ids
    for change in changes:
        monitor = monitors.get(change.monitor_id)
        if monitor is None:
            continue
        monitor.status = change.to_status  # as of this transition
        if change.in_maintenance and monitor.id not in open_outages:
            continue
        if monitor.id in flapping and monitor.id not in already_flapping and not change.in_maintenance:
            already_flapping.add(monitor.id)
            pending.append(("flapping", monitor, None, change))
        if change.to_status == DOWN and change.from_status != DOWN:
            outage = Outage(monitor=monitor, started_at=change.created_at, last_alert_at=None)
            outage.held_by = down_parent(monitor, monitor.parents)
            if outage.held_by is None and monitor.id not in flapping:
                outage.last_alert_at = now
                pending.append(("down", monitor, outage, change))
            open_outages[monitor.id] = outage
            new_outages.append(outage)
        elif _recovery(change):
            outage = open_outages.pop(monitor.id, None)
            if outage is None:
                continue
            outage.ended_at = now
            if outage.pk:
                ended.append(outage)
            if outage.last_alert_at is not None:  # its DOWN went out: so does the recovery
                pending.append(("up", monitor, outage, change))
        elif change.to_status == DEGRADED and change.from_status in (UP, PENDING) and monitor.id not in flapping:
            pending.append(("degraded", monitor, None, change))

    Outage.objects.bulk_create(new_outages)
    Outage.objects.bulk_update(ended, ["ended_at"])

    alerts: list[Alert] = []
    for kind, monitor, outage, change in pending:
        if kind == "down":
            message = messages.down(monitor, outage, change.error, now)
            targets = channels.for_monitor(monitor, AlertEvent.MONITOR_DOWN)
        elif kind == "up":
            message = messages.up(monitor, outage, now)
            targets = [
                *channels.for_monitor(monitor, AlertEvent.MONITOR_UP),
                *channels.escalated(monitor, outage.escalation_steps_sent),
            ]
        elif kind == "degraded":
            message = messages.degraded(monitor, change.error, now)
            targets = channels.for_monitor(monitor, AlertEvent.MONITOR_DEGRADED)
        else:
            message = messages.flapping(monitor, flaps[monitor.id], settings.ALERT_FLAP_WINDOW, now)
            targets = channels.for_monitor(monitor, AlertEvent.MONITOR_DOWN)
        alerts.extend(alerts_for(targets, message, monitor.id, now))
    insert_and_send_on_commit(ALERTS, alerts)


def on_events(sender, events, **kwargs) -> None:
    """Incident events, for the channels that subscribe to them."""
    wanted = [event for event in events if event.type in INCIDENT_EVENTS]
    if not wanted:
        return
    now = timezone.now()
    channels = Channels({event.organization_id for event in wanted})
    alerts = []
    for event in wanted:
        targets = channels.for_event(event.organization_id, event.type)
        if targets:
            alerts.extend(alerts_for(targets, messages.incident(event.type, orjson.loads(event.body), now), None, now))
    insert_and_send_on_commit(ALERTS, alerts)

"""Scheduled maintenance windows: the writes, and the move along the schedule.

A window is *active* while its status is in_progress or verifying. A monitor's
`in_maintenance` flag, which the check engine reads, is True exactly when at least one
active window covers the monitor. Every write here keeps that true in its own
transaction, for the monitors of the windows it changed and no others.

Status follows the schedule forward only: a scheduled window starts (in_progress) once
`starts_at` has passed, and any open window completes once `ends_at` has passed. By
hand a user may start a window early, complete it early, or set it to verifying;
`sync_maintenances` (run every second by beat) never moves a window backwards.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts import generation
from accounts.models import Organization
from monitors.models import Monitor, StatusChange
from monitors.signals import status_changes_recorded

from .models import Maintenance, MaintenanceStatus

SCHEDULED = MaintenanceStatus.SCHEDULED
IN_PROGRESS = MaintenanceStatus.IN_PROGRESS
VERIFYING = MaintenanceStatus.VERIFYING
COMPLETED = MaintenanceStatus.COMPLETED

ACTIVE_STATUSES = (IN_PROGRESS, VERIFYING)
OPEN_STATUSES = (SCHEDULED, IN_PROGRESS, VERIFYING)

WindowMonitor = Maintenance.monitors.through


def is_active(maintenance: Maintenance) -> bool:
    return maintenance.status in ACTIVE_STATUSES


def scheduled_status(status: str, starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """The status a window has at `now`, starting from `status` and following the schedule."""
    if status != COMPLETED and ends_at <= now:
        return COMPLETED
    if status == SCHEDULED and starts_at <= now:
        return IN_PROGRESS
    return status


def refresh_monitor_flags(monitor_ids: Iterable[str]) -> None:
    """Set `in_maintenance` on these monitors to whether an active window covers them.

    The monitors are locked first, in id order (so two refreshes cannot deadlock), and
    the windows read after: a refresh that had to wait then sees the windows the other
    transaction committed, and the last one to run writes the right answer.
    """
    ids = sorted(set(monitor_ids))
    if not ids:
        return
    list(Monitor.objects.filter(id__in=ids).order_by("id").select_for_update().values_list("id", flat=True))
    covered = set(
        WindowMonitor.objects.filter(monitor_id__in=ids, maintenance__status__in=ACTIVE_STATUSES).values_list(
            "monitor_id", flat=True
        )
    )
    leaving = list(Monitor.objects.filter(id__in=set(ids) - covered, in_maintenance=True).values_list("id", flat=True))
    Monitor.objects.filter(id__in=covered, in_maintenance=False).update(in_maintenance=True)
    Monitor.objects.filter(id__in=leaving).update(in_maintenance=False)
    _alert_still_down(leaving)
    generation.bump(Monitor.objects.filter(id__in=ids).values_list("organization_id", flat=True).distinct())


STILL_DOWN = "still down when the maintenance ended"


def _alert_still_down(monitor_ids: list[str]) -> None:
    """The alert a window held back: monitors that went DOWN inside it (their transition
    alerted nothing) and are still DOWN as it ends get a DOWN transition outside it now,
    which opens or joins an incident and publishes monitor.down like any other."""
    if not monitor_ids:
        return
    latest = StatusChange.objects.filter(monitor=OuterRef("pk")).order_by("-created_at", "-id")
    held_back = (
        Monitor.objects.filter(id__in=monitor_ids, status=Monitor.Status.DOWN)
        .annotate(
            last_to=Subquery(latest.values("to_status")[:1]),
            last_in_maintenance=Subquery(latest.values("in_maintenance")[:1]),
        )
        .filter(last_to=Monitor.Status.DOWN, last_in_maintenance=True)
        .values_list("id", flat=True)
    )
    changes = StatusChange.objects.bulk_create(
        StatusChange(
            monitor_id=monitor_id, from_status=Monitor.Status.DOWN, to_status=Monitor.Status.DOWN, error=STILL_DOWN
        )
        for monitor_id in held_back
    )
    if changes:
        status_changes_recorded.send(sender=StatusChange, count=len(changes))


def _monitor_ids(maintenance_ids: Iterable[str]) -> set[str]:
    return set(WindowMonitor.objects.filter(maintenance_id__in=maintenance_ids).values_list("monitor_id", flat=True))


def _lock(maintenance: Maintenance) -> Maintenance:
    """The window re-read under a row lock: concurrent edits of one window apply one after the other."""
    return Maintenance.objects.select_for_update().get(pk=maintenance.pk)


@transaction.atomic
def maintenance_create(
    *,
    organization: Organization,
    title: str,
    description: str = "",
    status: str = SCHEDULED,
    starts_at: datetime,
    ends_at: datetime,
    monitors: Iterable[Monitor] = (),
) -> Maintenance:
    monitors = list(monitors)
    maintenance = Maintenance.objects.create(
        organization=organization,
        title=title,
        description=description,
        status=scheduled_status(status, starts_at, ends_at, timezone.now()),
        starts_at=starts_at,
        ends_at=ends_at,
    )
    maintenance.monitors.set(monitors)
    if is_active(maintenance):
        refresh_monitor_flags(monitor.pk for monitor in monitors)
    return maintenance


@transaction.atomic
def maintenance_update(*, maintenance: Maintenance, monitors: Iterable[Monitor] | None = None, **fields) -> Maintenance:
    """Change a window's fields (and, when given, its monitors); returns the saved window."""
    maintenance = _lock(maintenance)
    touched = _monitor_ids([maintenance.pk])
    for name, value in fields.items():
        setattr(maintenance, name, value)
    maintenance.status = scheduled_status(
        maintenance.status, maintenance.starts_at, maintenance.ends_at, timezone.now()
    )
    maintenance.save()
    if monitors is not None:
        monitors = list(monitors)
        maintenance.monitors.set(monitors)
        touched.update(monitor.pk for monitor in monitors)
    refresh_monitor_flags(touched)
    return maintenance


@transaction.atomic
def maintenance_delete(*, maintenance: Maintenance) -> None:
    maintenance = _lock(maintenance)
    touched = _monitor_ids([maintenance.pk])
    maintenance.delete()
    refresh_monitor_flags(touched)


def sync_maintenances(now: datetime | None = None) -> int:
    """Start and complete the windows whose time has come; returns how many changed.

    Runs every second. When nothing is due (nearly always) it costs two indexed reads,
    on (status, ends_at) and (status, starts_at), and no transaction.
    """
    now = now or timezone.now()
    ending = Maintenance.objects.filter(status__in=OPEN_STATUSES, ends_at__lte=now)
    starting = Maintenance.objects.filter(status=SCHEDULED, starts_at__lte=now, ends_at__gt=now)
    if not ending.exists() and not starting.exists():
        return 0
    with transaction.atomic():
        # Locked, so an edit made meanwhile is either seen here or waits for this to commit.
        ended = list(ending.select_for_update().values_list("id", flat=True))
        started = list(starting.select_for_update().values_list("id", flat=True))
        changed_at = timezone.now()
        Maintenance.objects.filter(id__in=ended).update(status=COMPLETED, updated_at=changed_at)
        Maintenance.objects.filter(id__in=started).update(status=IN_PROGRESS, updated_at=changed_at)
        generation.bump(Maintenance.objects.filter(id__in=ended + started).values_list("organization_id", flat=True))
        refresh_monitor_flags(_monitor_ids(ended + started))
    return len(ended) + len(started)

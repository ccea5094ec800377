"""The dashboard's home: how many monitors are up, down, degraded, pending, paused and in
maintenance, the open incidents, and the latest status changes, each linking on.

It lives in incidents, the lowest layer that sees both monitors and incidents. Its cost is
a fixed handful of queries however many monitors an organization has: one aggregate over
the monitors, two over open incidents (their number and the newest few), one for the
latest status changes with their monitors, one for the check regions' last reports.

The check regions panel lists each region, alive or silent (monitors.regions.health), when
more than one is configured; with a single region it shows only when that region is silent:
then no worker is reporting and no checks are running.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from accounts.dashboard import dashboard_view
from accounts.models import Organization
from monitors import regions
from monitors.models import Monitor, StatusChange

from .models import Incident, IncidentStatus

OPEN_INCIDENTS_SHOWN = 5
STATUS_CHANGES_SHOWN = 10

# The tiles, in the order shown: (status, label); each links to the monitor list filtered on it.
STATUS_TILES = [
    (Monitor.Status.DOWN, "Down"),
    (Monitor.Status.DEGRADED, "Degraded"),
    (Monitor.Status.UP, "Up"),
    (Monitor.Status.PENDING, "Pending"),
    (Monitor.Status.PAUSED, "Paused"),
]


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    count: int
    url: str


def monitor_counts(organization: Organization) -> dict[str, int]:
    """Monitors per status, plus `maintenance` (those inside a maintenance window now,
    whatever their status) and `total`, in one query."""
    per_status = {status: Count("id", filter=Q(status=status)) for status, _ in STATUS_TILES}
    return Monitor.objects.filter(organization=organization).aggregate(
        **per_status, maintenance=Count("id", filter=Q(in_maintenance=True)), total=Count("id")
    )


def monitor_tiles(counts: dict[str, int]) -> list[Tile]:
    monitors = reverse("monitors:list")
    tiles = [Tile(status, label, counts[status], f"{monitors}?status={status}") for status, label in STATUS_TILES]
    tiles.append(Tile("MAINTENANCE", "In maintenance", counts["maintenance"], f"{monitors}?maintenance=1"))
    return tiles


def open_incidents(organization: Organization) -> tuple[int, list[Incident]]:
    """How many incidents are open, and the newest few of them."""
    incidents = Incident.objects.filter(organization=organization).exclude(status=IncidentStatus.RESOLVED)
    newest = incidents.order_by("-created_at", "id").only("id", "title", "status", "impact", "created_at")
    return incidents.count(), list(newest[:OPEN_INCIDENTS_SHOWN])


def latest_status_changes(organization: Organization) -> list[StatusChange]:
    return list(
        StatusChange.objects.filter(monitor__organization=organization)
        .select_related("monitor")
        .only("id", "from_status", "to_status", "error", "in_maintenance", "created_at", "monitor__id", "monitor__name")
        .order_by("-created_at", "-id")[:STATUS_CHANGES_SHOWN]
    )


def _ago(moment: datetime | None, now: datetime) -> str:
    """How long ago, in words: seconds under a minute (a live region reports every second)."""
    if moment is None:
        return ""
    seconds = int((now - moment).total_seconds())
    return f"{max(seconds, 0)} s ago" if seconds < 60 else f"{timesince(moment, now)} ago"


def check_regions() -> dict:
    """The check regions panel: each region's health, whether to show it, and whether no
    region is reporting at all."""
    now = timezone.now()
    health = regions.health(now)
    for region in health:
        region["ago"] = _ago(region["last_report_at"], now)
    silent = not any(region["alive"] for region in health)
    return {"regions": health, "shown": len(health) > 1 or silent, "none_alive": silent}


@dashboard_view()
def overview(request):
    organization = request.organization
    counts = monitor_counts(organization)
    incident_count, incidents = open_incidents(organization)
    context = {
        "section": "overview",
        "title": "Overview",
        "total": counts["total"],
        "tiles": monitor_tiles(counts),
        "incident_count": incident_count,
        "incidents": incidents,
        "changes": latest_status_changes(organization),
        "check_regions": check_regions(),
    }
    return render(request, "overview/home.html", context)

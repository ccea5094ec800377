"""The dashboard's home: how many monitors are up, down, degraded, pending, paused and in
maintenance, the open incidents, and the latest status changes, each linking on.

It lives in incidents, the lowest layer that sees both monitors and incidents. Its cost is
a fixed handful of queries however many monitors an organization has: one aggregate over
the monitors, two over open incidents (their number and the newest few), one for the
latest status changes with their monitors.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse

from accounts.dashboard import dashboard_view
from accounts.models import Organization
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
    }
    return render(request, "overview/home.html", context)

"""Everything a public status page shows, read in a fixed number of queries whatever the
number of components, days or incidents: the HTML page, the Statuspage-compatible JSON,
the feeds and the page badge are all made from a Snapshot.

Only the page's own components appear anywhere in it: an incident or a maintenance
shows the components it shares with the page, and one that lists none of them is not on
the page at all (one that lists no component is organization-wide, and is).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from incidents.models import (
    AffectedComponent,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Maintenance,
    MaintenanceStatus,
)
from monitors.models import Monitor, Rollup
from monitors.selectors import uptime_level

from .models import StatusPage

DAYS = 90
PAST_DAYS = 15  # the "Past incidents" section: today and the 14 days before, as Statuspage
PAST_LIMIT = 100  # at most this many of them, newest first, so a flapping monitor cannot bloat the page
NO_INCIDENTS: list[str] = []  # shared by the days without any: never appended to
SEVERITY = [
    ComponentStatus.OPERATIONAL,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
]
MONITOR_COMPONENT_STATUS = {
    Monitor.Status.DOWN: ComponentStatus.MAJOR_OUTAGE,
    Monitor.Status.DEGRADED: ComponentStatus.DEGRADED_PERFORMANCE,
}
# Atlassian Statuspage's status.description for each indicator (its API docs give "All
# Systems Operational", "Partial System Outage" and "Major Service Outage" as examples;
# live Statuspage pages pair them with the indicators as below).
ALL_OPERATIONAL = "All Systems Operational"
DEGRADED_SERVICE = "Partially Degraded Service"  # minor, and nothing worse than slow components
MINOR_OUTAGE = "Minor Service Outage"
PARTIAL_OUTAGE = "Partial System Outage"
MAJOR_OUTAGE = "Major Service Outage"
UNDER_MAINTENANCE = "Service Under Maintenance"
OPEN_MAINTENANCE = [MaintenanceStatus.SCHEDULED, MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING]


@dataclass(slots=True)
class Day:
    date: date
    uptime: float | None  # percent; None without checks
    incidents: list[str]

    @property
    def level(self) -> str:
        return uptime_level(self.uptime)


@dataclass
class Component:
    id: str
    name: str
    group: str
    position: int
    status: str  # a ComponentStatus value
    uptime: float | None  # over the DAYS window
    days: list[Day]
    updated_at: datetime

    @property
    def label(self) -> str:
        return ComponentStatus(self.status).label


@dataclass
class Update:
    id: str
    status: str  # lower case, as Statuspage
    message: str
    created_at: datetime


@dataclass
class IncidentView:
    id: str
    title: str
    status: str  # lower case
    impact: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    updates: list[Update]  # newest first
    components: list[tuple[str, str, str]]  # (monitor id, name, status) on this page


@dataclass
class PastIncident:
    """A resolved incident as the "Past incidents" section lists it: its last update only."""

    id: str
    title: str
    impact: str
    created_at: datetime
    last_status: str  # lower case
    last_message: str
    last_at: datetime

    # Written here rather than with the template's date filter: a page has dozens of them.
    @property
    def posted(self) -> str:
        at = self.last_at.astimezone(UTC)
        return f"{at:%b} {at.day}, {at:%H:%M} UTC"


@dataclass
class PastDay:
    date: date
    incidents: list[PastIncident]  # newest first; [] says "No incidents reported."

    @property
    def label(self) -> str:
        return f"{self.date:%b} {self.date.day}, {self.date.year}"


@dataclass
class MaintenanceView:
    id: str
    title: str
    description: str
    status: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    updated_at: datetime
    components: list[tuple[str, str]]  # (monitor id, name) on this page


@dataclass
class Snapshot:
    page: StatusPage
    built_at: datetime
    components: list[Component]
    incidents: list[IncidentView]  # unresolved, newest first
    active_maintenances: list[MaintenanceView]
    upcoming_maintenances: list[MaintenanceView]
    indicator: str = "none"
    description: str = ALL_OPERATIONAL
    groups: list[tuple[str, list[Component]]] = field(default_factory=list)
    past_days: list[PastDay] = field(default_factory=list)  # newest first, PAST_DAYS of them

    @property
    def under_maintenance(self) -> bool:
        return self.description == UNDER_MAINTENANCE


def _worst(statuses) -> str:
    return max(statuses, key=SEVERITY.index, default=ComponentStatus.OPERATIONAL)


def page_components(page: StatusPage) -> list:
    return list(
        page.components.select_related("monitor")
        .only(
            *(
                "page",
                "group",
                "position",
                "monitor__id",
                "monitor__name",
                "monitor__status",
                "monitor__in_maintenance",
            ),
            *("monitor__updated_at", "monitor__last_check_at"),
        )
        .order_by("position", "id")
    )


def _visible(queryset, relation: str, component_ids: list[str]):
    """Objects that list a component of the page, or no component at all."""
    return queryset.filter(Q(**{f"{relation}__in": component_ids}) | Q(**{f"{relation}__isnull": True})).distinct()


def incidents(
    page: StatusPage, component_ids: list[str], names: dict[str, str], queryset=None, limit: int | None = None
) -> list[IncidentView]:
    """The page's incidents in `queryset` (all of the organization's by default), newest
    first, each with its updates and the page's components it affects: three queries."""
    queryset = queryset if queryset is not None else Incident.objects.all()
    rows = _visible(queryset.filter(organization_id=page.organization_id), "affected__monitor_id", component_ids)
    rows = rows.order_by("-created_at", "id").prefetch_related(
        Prefetch("updates", IncidentUpdate.objects.order_by("-created_at", "-id")),
        Prefetch("affected", AffectedComponent.objects.filter(monitor_id__in=component_ids).order_by("position")),
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        IncidentView(
            id=incident.id,
            title=incident.title,
            status=incident.status.lower(),
            impact=incident.impact,
            created_at=incident.created_at,
            updated_at=incident.updated_at,
            resolved_at=incident.resolved_at,
            updates=[
                Update(update.id, update.status.lower(), update.message, update.created_at)
                for update in incident.updates.all()
            ],
            components=[(a.monitor_id, names[a.monitor_id], a.status) for a in incident.affected.all()],
        )
        for incident in rows
    ]


def past_incidents(page: StatusPage, component_ids: list[str], since: datetime) -> list[PastIncident]:
    """The page's incidents opened since `since` and resolved, newest first, at most
    PAST_LIMIT, each with its last update: one query."""
    latest = IncidentUpdate.objects.filter(incident=OuterRef("pk")).order_by("-created_at", "-id")
    rows = _visible(
        Incident.objects.filter(
            organization_id=page.organization_id, status=IncidentStatus.RESOLVED, created_at__gte=since
        ),
        "affected__monitor_id",
        component_ids,
    )
    rows = rows.annotate(
        last_status=Subquery(latest.values("status")[:1]),
        last_message=Subquery(latest.values("message")[:1]),
        last_at=Subquery(latest.values("created_at")[:1]),
    ).order_by("-created_at", "id")
    return [
        PastIncident(
            id=incident_id,
            title=title,
            impact=impact,
            created_at=created_at,
            last_status=(last_status or IncidentStatus.RESOLVED).lower(),
            last_message=last_message or "",
            last_at=last_at or resolved_at or created_at,
        )
        for incident_id, title, impact, created_at, resolved_at, last_status, last_message, last_at in rows.values_list(
            "id", "title", "impact", "created_at", "resolved_at", "last_status", "last_message", "last_at"
        )[:PAST_LIMIT]
    ]


def past_days(incidents: list[PastIncident], today: date) -> list[PastDay]:
    """PAST_DAYS days, today first, each with the incidents opened on it (UTC)."""
    by_day: dict[date, list[PastIncident]] = {}
    for incident in incidents:
        by_day.setdefault(incident.created_at.astimezone(UTC).date(), []).append(incident)
    return [
        PastDay(day, by_day.get(day, [])) for day in (today - timedelta(days=offset) for offset in range(PAST_DAYS))
    ]


def maintenances(page: StatusPage, component_ids: list[str], names: dict[str, str]) -> list[MaintenanceView]:
    rows = _visible(
        Maintenance.objects.filter(organization_id=page.organization_id, status__in=OPEN_MAINTENANCE),
        "monitors__id",
        component_ids,
    )
    rows = rows.order_by("starts_at", "id").prefetch_related(
        Prefetch("monitors", Monitor.objects.filter(id__in=component_ids).only("id"))
    )
    return [
        MaintenanceView(
            id=maintenance.id,
            title=maintenance.title,
            description=maintenance.description,
            status=maintenance.status,
            starts_at=maintenance.starts_at,
            ends_at=maintenance.ends_at,
            created_at=maintenance.created_at,
            updated_at=maintenance.updated_at,
            components=[(monitor.id, names[monitor.id]) for monitor in maintenance.monitors.all()],
        )
        for maintenance in rows
    ]


def _days(component_ids: list[str], today: date) -> tuple[dict, dict]:
    """Per monitor: {day: (checks, successful)} from the daily rollups, and {day: [incident
    titles]} for the incidents that were open on that day."""
    first = today - timedelta(days=DAYS - 1)
    start = datetime.combine(first, time.min, tzinfo=UTC)
    counts: dict[str, dict[date, tuple[int, int]]] = {monitor_id: {} for monitor_id in component_ids}
    # Days as dates from the database: decoding 4,500 aware datetimes cost more than the rest.
    rollups = Rollup.objects.filter(
        monitor_id__in=component_ids, period=Rollup.Period.DAY, bucket__gte=start, bucket__lt=start + timedelta(DAYS)
    )
    for monitor_id, day, checks, up, degraded in rollups.values_list(
        "monitor_id", TruncDate("bucket", tzinfo=UTC), "checks", "up", "degraded"
    ):
        counts[monitor_id][day] = (checks, up + degraded)
    titles: dict[str, dict[date, list[str]]] = {monitor_id: {} for monitor_id in component_ids}
    affected = AffectedComponent.objects.filter(monitor_id__in=component_ids).filter(
        Q(incident__resolved_at__isnull=True) | Q(incident__resolved_at__gte=start)
    )
    for monitor_id, title, opened, resolved in affected.values_list(
        "monitor_id", "incident__title", "incident__created_at", "incident__resolved_at"
    ).order_by("incident__created_at"):
        day = max(opened.date(), first)
        last = min((resolved or timezone.now()).date(), today)
        while day <= last:
            titles[monitor_id].setdefault(day, []).append(title)
            day += timedelta(days=1)
    return counts, titles


def _percent(successful: int, checks: int) -> float | None:
    return round(successful * 100 / checks, 3) if checks else None


def build(page: StatusPage, now: datetime | None = None) -> Snapshot:
    now = now or timezone.now()
    today = now.date()
    rows = page_components(page)
    component_ids = [row.monitor_id for row in rows]
    names = {row.monitor_id: row.monitor.name for row in rows}
    open_incidents = incidents(page, component_ids, names, Incident.objects.exclude(status=IncidentStatus.RESOLVED))
    open_maintenances = maintenances(page, component_ids, names)
    counts, titles = _days(component_ids, today)
    past_since = datetime.combine(today - timedelta(days=PAST_DAYS - 1), time.min, tzinfo=UTC)
    past = past_incidents(page, component_ids, past_since)

    declared: dict[str, list[str]] = {}
    for incident in open_incidents:
        for monitor_id, _name, status in incident.components:
            if status in SEVERITY:
                declared.setdefault(monitor_id, []).append(status)

    dates = [today - timedelta(days=offset) for offset in range(DAYS - 1, -1, -1)]
    components = []
    for row in rows:
        monitor = row.monitor
        measured, open_on = counts[monitor.id], titles[monitor.id]
        days = [
            Day(
                day,
                _percent(measured[day][1], measured[day][0]) if day in measured else None,
                open_on.get(day, NO_INCIDENTS),
            )
            for day in dates
        ]
        total_checks = sum(checks for checks, _successful in measured.values())
        total_successful = sum(successful for _checks, successful in measured.values())
        if monitor.in_maintenance:
            status = ComponentStatus.UNDER_MAINTENANCE
        else:
            measured = MONITOR_COMPONENT_STATUS.get(monitor.status, ComponentStatus.OPERATIONAL)
            status = _worst([measured, *declared.get(monitor.id, [])])
        components.append(
            Component(
                id=monitor.id,
                name=monitor.name,
                group=row.group,
                position=row.position,
                status=str(status),
                uptime=_percent(total_successful, total_checks),
                days=days,
                updated_at=max(filter(None, [monitor.updated_at, monitor.last_check_at])),
            )
        )

    snapshot = Snapshot(
        page=page,
        built_at=now,
        components=components,
        incidents=open_incidents,
        active_maintenances=[m for m in open_maintenances if m.status != MaintenanceStatus.SCHEDULED],
        upcoming_maintenances=[m for m in open_maintenances if m.status == MaintenanceStatus.SCHEDULED],
    )
    snapshot.indicator, snapshot.description = overall_status(
        components, open_incidents, maintenance_active=bool(snapshot.active_maintenances)
    )
    snapshot.groups = group(components)
    snapshot.past_days = past_days(past, today)
    return snapshot


def overall_status(
    components: list[Component], open_incidents: list[IncidentView], maintenance_active: bool = False
) -> tuple[str, str]:
    """Statuspage's (indicator, description), the one source of the banner, status.json,
    summary.json and the page badge.

    critical (Major Service Outage): an open critical incident. major (Partial System
    Outage): a component in major outage or an open high-impact incident. minor: a
    low/medium incident or a component in partial outage (Minor Service Outage), or
    only slow components (Partially Degraded Service). none: All Systems Operational,
    or Service Under Maintenance while maintenance is going on.
    """
    impacts = {incident.impact for incident in open_incidents}
    statuses = {component.status for component in components}
    if Impact.CRITICAL in impacts:
        return "critical", MAJOR_OUTAGE
    if ComponentStatus.MAJOR_OUTAGE in statuses or Impact.HIGH in impacts:
        return "major", PARTIAL_OUTAGE
    if ComponentStatus.PARTIAL_OUTAGE in statuses or impacts & {Impact.LOW, Impact.MEDIUM}:
        return "minor", MINOR_OUTAGE
    if ComponentStatus.DEGRADED_PERFORMANCE in statuses:
        return "minor", DEGRADED_SERVICE
    if maintenance_active or ComponentStatus.UNDER_MAINTENANCE in statuses:
        return "none", UNDER_MAINTENANCE
    return "none", ALL_OPERATIONAL


def group(components: list[Component]) -> list[tuple[str, list[Component]]]:
    """Components in groups, in the order their first component comes; "" is ungrouped."""
    groups: dict[str, list[Component]] = {}
    for component in components:
        groups.setdefault(component.group, []).append(component)
    return list(groups.items())

"""A status page's Snapshot as Atlassian Statuspage API v2 JSON (`summary.json`,
`status.json`, `components.json`, `incidents.json`, `scheduled-maintenances.json`), so a
tool written for Statuspage reads StatusApp unchanged.

Pure functions: they read the Snapshot (and what the caller passes) and make no query.
Every timestamp is UTC with milliseconds and a "Z", as Statuspage writes them.
"""

import hashlib
from datetime import UTC, datetime

from incidents.models import ComponentStatus, Impact

from .snapshot import Component, IncidentView, MaintenanceView, Snapshot

TIME_ZONE = "Etc/UTC"
# Statuspage has four incident impacts; ours has five.
IMPACTS = {
    Impact.NONE: "none",
    Impact.LOW: "minor",
    Impact.MEDIUM: "minor",
    Impact.HIGH: "major",
    Impact.CRITICAL: "critical",
}
# A group's status is its worst child's, in Statuspage's order of severity.
COMPONENT_SEVERITY = [
    ComponentStatus.OPERATIONAL,
    ComponentStatus.UNDER_MAINTENANCE,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
]


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds, e.g. "2026-11-26T19:35:36.000Z"; None stays None."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def impact(value: str) -> str:
    """Our impact (none/low/medium/high/critical) as Statuspage's (none/minor/major/critical)."""
    return IMPACTS.get(value, "none")


def group_id(snapshot: Snapshot, name: str) -> str | None:
    """A group's stable id, made from the page's id and the group's name; None for ""."""
    if not name:
        return None
    digest = hashlib.sha1(f"{snapshot.page.id}\0{name}".encode(), usedforsecurity=False).hexdigest()
    return "grp_" + digest[:20]


def _shortlink(url: str, object_id: str) -> str:
    return f"{url.rstrip('/')}/incidents/{object_id}"


def _worst(statuses) -> str:
    known = [status for status in statuses if status in COMPONENT_SEVERITY]
    return str(max(known, key=COMPONENT_SEVERITY.index, default=ComponentStatus.OPERATIONAL))


def _created_at(snapshot: Snapshot, component: Component) -> datetime:
    # When the component joined the page is not kept: the page's creation, but never
    # after the component's last change.
    return min(snapshot.page.created_at, component.updated_at)


def page_object(snapshot: Snapshot, url: str) -> dict:
    """Statuspage's `page`: updated_at is the latest change to anything the page shows."""
    changes = [
        snapshot.page.updated_at,
        *(component.updated_at for component in snapshot.components),
        *(incident.updated_at for incident in snapshot.incidents),
        *(m.updated_at for m in snapshot.active_maintenances + snapshot.upcoming_maintenances),
    ]
    return {
        "id": snapshot.page.id,
        "name": snapshot.page.name,
        "url": url,
        "time_zone": TIME_ZONE,
        "updated_at": timestamp(max(filter(None, changes))),
    }


def status_object(snapshot: Snapshot) -> dict:
    return {"indicator": snapshot.indicator, "description": snapshot.description}


def component_object(snapshot: Snapshot, component: Component) -> dict:
    return {
        "id": component.id,
        "name": component.name,
        "status": str(component.status),
        "created_at": timestamp(_created_at(snapshot, component)),
        "updated_at": timestamp(component.updated_at),
        "position": component.position,
        "description": None,
        "showcase": True,
        "start_date": None,
        "group_id": group_id(snapshot, component.group),
        "page_id": snapshot.page.id,
        "group": False,
        "only_show_if_degraded": False,
    }


def group_object(snapshot: Snapshot, name: str, children: list[Component]) -> dict:
    """A group as Statuspage shows it: a component with `group` true, its children's ids,
    its first child's position and its worst child's status."""
    return {
        "id": group_id(snapshot, name),
        "name": name,
        "status": _worst(child.status for child in children),
        "created_at": timestamp(min(_created_at(snapshot, child) for child in children)),
        "updated_at": timestamp(max(child.updated_at for child in children)),
        "position": min(child.position for child in children),
        "description": None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": snapshot.page.id,
        "group": True,
        "only_show_if_degraded": False,
        "components": [child.id for child in children],
    }


def component_list(snapshot: Snapshot) -> list[dict]:
    """The page's components in page order, each group just before its children."""
    objects = []
    for name, children in snapshot.groups or [("", snapshot.components)]:
        if name and children:
            objects.append(group_object(snapshot, name, children))
        objects.extend(component_object(snapshot, child) for child in children)
    return objects


def _components_on_page(snapshot: Snapshot, ids) -> list[dict]:
    by_id = {component.id: component for component in snapshot.components}
    return [component_object(snapshot, by_id[i]) for i in ids if i in by_id]


def incident_object(snapshot: Snapshot, incident: IncidentView, url: str = "") -> dict:
    """Statuspage's incident; `url` (the page's) makes the shortlink."""
    return {
        "id": incident.id,
        "name": incident.title,
        "status": incident.status,
        "created_at": timestamp(incident.created_at),
        "updated_at": timestamp(incident.updated_at),
        "monitoring_at": None,
        "resolved_at": timestamp(incident.resolved_at),
        "impact": impact(incident.impact),
        "shortlink": _shortlink(url, incident.id),
        "started_at": timestamp(incident.created_at),
        "page_id": snapshot.page.id,
        "incident_updates": [
            {
                "id": update.id,
                "status": update.status,
                "body": update.message,
                "incident_id": incident.id,
                "created_at": timestamp(update.created_at),
                "updated_at": timestamp(update.created_at),
                "display_at": timestamp(update.created_at),
                "affected_components": None,
            }
            for update in incident.updates
        ],
        "components": _components_on_page(snapshot, (monitor_id for monitor_id, _name, _status in incident.components)),
    }


def maintenance_object(snapshot: Snapshot, maintenance: MaintenanceView, url: str = "") -> dict:
    """Statuspage's scheduled maintenance; `url` (the page's) makes the shortlink."""
    return {
        "id": maintenance.id,
        "name": maintenance.title,
        "status": str(maintenance.status),
        "created_at": timestamp(maintenance.created_at),
        "updated_at": timestamp(maintenance.updated_at),
        "monitoring_at": None,
        "resolved_at": None,
        "impact": "maintenance",
        "shortlink": _shortlink(url, maintenance.id),
        "started_at": timestamp(maintenance.starts_at),
        "page_id": snapshot.page.id,
        "incident_updates": [],
        "components": _components_on_page(snapshot, (monitor_id for monitor_id, _name in maintenance.components)),
        "scheduled_for": timestamp(maintenance.starts_at),
        "scheduled_until": timestamp(maintenance.ends_at),
    }


def summary(snapshot: Snapshot, url: str) -> dict:
    """`summary.json`: the page, its components, unresolved incidents, active and
    upcoming maintenances, and the overall status."""
    return {
        "page": page_object(snapshot, url),
        "components": component_list(snapshot),
        "incidents": [incident_object(snapshot, incident, url) for incident in snapshot.incidents],
        "scheduled_maintenances": [
            maintenance_object(snapshot, maintenance, url)
            for maintenance in snapshot.active_maintenances + snapshot.upcoming_maintenances
        ],
        "status": status_object(snapshot),
    }


def status(snapshot: Snapshot, url: str) -> dict:
    """`status.json`."""
    return {"page": page_object(snapshot, url), "status": status_object(snapshot)}


def components(snapshot: Snapshot, url: str) -> dict:
    """`components.json`."""
    return {"page": page_object(snapshot, url), "components": component_list(snapshot)}


def incidents_list(snapshot: Snapshot, url: str, incidents: list[IncidentView]) -> dict:
    """`incidents.json` and `incidents/unresolved.json`: the caller picks the incidents
    (e.g. `snapshot.incidents`, the unresolved ones, or the last 50 from
    `statuspages.snapshot.incidents(page, ...)`)."""
    return {
        "page": page_object(snapshot, url),
        "incidents": [incident_object(snapshot, incident, url) for incident in incidents],
    }


def scheduled_maintenances(snapshot: Snapshot, url: str, maintenances: list[MaintenanceView]) -> dict:
    """`scheduled-maintenances.json` and its upcoming/active variants: the caller picks."""
    return {
        "page": page_object(snapshot, url),
        "scheduled_maintenances": [maintenance_object(snapshot, maintenance, url) for maintenance in maintenances],
    }

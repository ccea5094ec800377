"""The webhook events incidents publish, with their payloads as the API guide shows them."""

from collections.abc import Iterable

from monitors.models import Monitor
from statusapp.api.fields import isoformat
from webhooks.models import EventType
from webhooks.publishing import publish

from .api.serializers import IncidentDetailSerializer
from .models import Incident, IncidentStatus
from .selectors import incidents_with_components


def monitor_event(event_type: str, monitor: Monitor, incident: Incident | None) -> tuple[int, str, dict]:
    """`monitor.down` / `monitor.up`: the monitor and the incident it is part of, whose
    status is ACTIVE until it is resolved."""
    return (
        monitor.organization_id,
        event_type,
        {
            "monitor": {
                "id": monitor.id,
                "name": monitor.name,
                "status": monitor.status,
                "lastCheck": isoformat(monitor.last_check_at),
            },
            "incident": None
            if incident is None
            else {
                "id": incident.id,
                "status": "RESOLVED" if incident.status == IncidentStatus.RESOLVED else "ACTIVE",
            },
        },
    )


def incident_events(changes: Iterable[tuple[str, str]]) -> list[tuple[int, str, dict]]:
    """Events for (incident id, event type) pairs, each carrying the incident as
    GET /api/incidents/{id} returns it now."""
    changes = list(changes)
    incidents = incidents_with_components(Incident.objects.filter(id__in={i for i, _ in changes}))
    by_id = {incident.id: incident for incident in incidents.prefetch_related("updates")}
    shape = IncidentDetailSerializer().to_representation  # one serializer for a burst's hundreds
    return [
        (by_id[incident_id].organization_id, event_type, {"incident": shape(by_id[incident_id])})
        for incident_id, event_type in changes
    ]


def publish_incident_change(incident: Incident, *, created: bool = False, resolved: bool = False) -> None:
    """incident.created, incident.resolved (when this change resolved it) or incident.updated."""
    if created:
        event_type = EventType.INCIDENT_CREATED
    elif resolved:
        event_type = EventType.INCIDENT_RESOLVED
    else:
        event_type = EventType.INCIDENT_UPDATED
    publish(incident_events([(incident.id, event_type)]))

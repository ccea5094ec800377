from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from monitors.models import Monitor

from . import events
from .models import (
    IMPACT_COMPONENT_STATUS,
    AffectedComponent,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    IncidentUpdate,
)
from .signals import incident_updates_published

# (monitor, component status or None for "from the impact")
AffectedSpec = Sequence[tuple[Monitor, str | None]]


def _set_affected(incident: Incident, affected: AffectedSpec) -> None:
    AffectedComponent.objects.filter(incident=incident).delete()
    if incident.status == IncidentStatus.RESOLVED:
        default = ComponentStatus.OPERATIONAL
    else:
        default = IMPACT_COMPONENT_STATUS[Impact(incident.impact)]
    AffectedComponent.objects.bulk_create(
        AffectedComponent(incident=incident, monitor=monitor, status=status or default, position=position)
        for position, (monitor, status) in enumerate(affected)
    )


def _set_status(incident: Incident, status: str) -> None:
    if status == incident.status:
        return
    incident.status = status
    if status == IncidentStatus.RESOLVED:
        incident.resolved_at = timezone.now()
        AffectedComponent.objects.filter(incident=incident).update(status=ComponentStatus.OPERATIONAL)
    else:
        incident.resolved_at = None


def _add_to_timeline(incident: Incident, *, message: str, notify_subscribers: bool = False) -> IncidentUpdate:
    update = IncidentUpdate.objects.create(
        incident=incident, status=incident.status, message=message, notify_subscribers=notify_subscribers
    )
    incident_updates_published.send(sender=IncidentUpdate, updates=[update])
    return update


@transaction.atomic
def incident_create(
    *,
    organization: Organization,
    title: str,
    description: str = "",
    status: str = IncidentStatus.INVESTIGATING,
    impact: str = Impact.NONE,
    affected: AffectedSpec = (),
) -> Incident:
    incident = Incident.objects.create(
        organization=organization,
        title=title,
        description=description,
        status=status,
        impact=impact,
        resolved_at=timezone.now() if status == IncidentStatus.RESOLVED else None,
    )
    _set_affected(incident, affected)
    _add_to_timeline(incident, message=description)
    events.publish_incident_change(incident, created=True)
    return incident


@transaction.atomic
def incident_update(
    *,
    incident: Incident,
    update: str | None = None,
    affected: AffectedSpec | None = None,
    **fields,
) -> Incident:
    """Change an incident; a new status or an `update` message adds a timeline entry."""
    status = fields.pop("status", incident.status)
    status_changed = status != incident.status
    for name, value in fields.items():
        setattr(incident, name, value)
    _set_status(incident, status)
    incident.save()
    if affected is not None:
        _set_affected(incident, affected)
    if status_changed or update:
        _add_to_timeline(incident, message=update or "")
    events.publish_incident_change(incident, resolved=status_changed and status == IncidentStatus.RESOLVED)
    return incident


@transaction.atomic
def incident_add_update(
    *, incident: Incident, message: str, notify_subscribers: bool = False, status: str | None = None
) -> IncidentUpdate:
    resolved = status == IncidentStatus.RESOLVED and incident.status != status
    if status is not None:
        _set_status(incident, status)
    incident.save()
    update = _add_to_timeline(incident, message=message, notify_subscribers=notify_subscribers)
    events.publish_incident_change(incident, resolved=resolved)
    return update


def incident_delete(*, incident: Incident) -> None:
    incident.delete()

"""Incidents that open and resolve themselves, from the monitors' StatusChange outbox.

A monitor going DOWN joins an open incident that already lists it, else the
organization's open auto-opened incident, else opens one; it publishes monitor.down.
A monitor coming back UP (or DEGRADED) from DOWN is marked operational in the
auto-opened incidents that list it, each of which resolves once all its monitors are
back; it publishes monitor.up. Transitions during maintenance fire nothing.

Changes are taken in batches under `FOR UPDATE SKIP LOCKED` and marked processed in the
same transaction as everything they cause, so each is handled once however many
workers run this at the same time. A batch handles only the changes of organizations
whose row it could lock (SKIP LOCKED again) and leaves the others to a later run: two
batches never both open an incident for one organization, and a burst across many
organizations is handled by as many runs at once as there are workers, instead of each
waiting for the one before.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts import generation
from accounts.models import Organization
from monitors.models import Monitor, StatusChange
from monitors.state import SUCCESS
from webhooks.models import EventType
from webhooks.publishing import publish

from .events import incident_events, monitor_event
from .models import AffectedComponent, ComponentStatus, Impact, Incident, IncidentStatus, IncidentUpdate
from .signals import incident_updates_published, monitors_transitioned

BATCH_SIZE = 500
DOWN = Monitor.Status.DOWN


def process_status_changes() -> tuple[int, bool]:
    """Handle a batch of unprocessed StatusChanges: how many, and whether more may be
    waiting (a full batch, or changes left because another run holds their organization)."""
    return _process_batch()


def _alerting(change: StatusChange) -> bool:
    if change.in_maintenance:
        return False
    return change.to_status == DOWN or (change.from_status == DOWN and change.to_status in SUCCESS)


@transaction.atomic
def _process_batch() -> tuple[int, bool]:
    pending = (
        StatusChange.objects.filter(processed_at__isnull=True)
        .annotate(organization_id=F("monitor__organization_id"))
        .order_by("id")
    )
    locking = connection.features.has_select_for_update_skip_locked
    if locking:
        pending = pending.select_for_update(skip_locked=True, of=("self",))
    fetched = list(
        pending.only("id", "monitor_id", "from_status", "to_status", "error", "in_maintenance", "created_at")[
            :BATCH_SIZE
        ]
    )
    if not fetched:
        return 0, False
    changes = fetched
    if locking:
        # NO KEY, so rows referring to an organization can still be inserted meanwhile.
        free = set(
            Organization.objects.select_for_update(no_key=True, skip_locked=True)
            .filter(id__in={change.organization_id for change in fetched})
            .values_list("id", flat=True)
        )
        changes = [change for change in fetched if change.organization_id in free]
    more = len(fetched) == BATCH_SIZE or len(changes) < len(fetched)
    if not changes:
        return 0, more
    StatusChange.objects.filter(id__in=[change.id for change in changes]).update(processed_at=timezone.now())
    alerts = [change for change in changes if _alerting(change)]
    if alerts:
        _Batch(alerts).run()
    monitors_transitioned.send(sender=StatusChange, changes=changes)
    return len(changes), more


@dataclass
class _Open:
    """An open incident and, by monitor, its affected components."""

    incident: Incident
    components: dict[str, AffectedComponent] = field(default_factory=dict)
    new: bool = False
    resolved: bool = False


class _Batch:
    def __init__(self, changes: list[StatusChange]) -> None:
        self.changes = changes
        self.now = timezone.now()
        self.monitors = Monitor.objects.only("id", "name", "organization_id", "last_check_at").in_bulk(
            {change.monitor_id for change in changes}
        )
        self.by_monitor: dict[str, list[_Open]] = defaultdict(list)
        self.auto_by_org: dict[int, _Open] = {}
        self.touched: dict[str, _Open] = {}
        self.new_components: list[AffectedComponent] = []
        self.changed_components: list[AffectedComponent] = []
        self.notes: dict[str, list[str]] = defaultdict(list)  # timeline lines by incident
        self._load_open_incidents()

    def _load_open_incidents(self) -> None:
        # Their organizations are locked by this batch (_process_batch): no other batch
        # opens an incident for them until it commits.
        organizations = {monitor.organization_id for monitor in self.monitors.values()}
        incidents = (
            Incident.objects.filter(organization_id__in=organizations)
            .exclude(status=IncidentStatus.RESOLVED)
            .order_by("created_at", "id")
            .prefetch_related("affected")
        )
        for incident in incidents:
            entry = _Open(incident, {component.monitor_id: component for component in incident.affected.all()})
            for monitor_id in entry.components:
                self.by_monitor[monitor_id].append(entry)
            if incident.auto_opened:
                self.auto_by_org[incident.organization_id] = entry  # the newest wins

    def run(self) -> None:
        monitor_events = []
        for change in self.changes:
            monitor = self.monitors.get(change.monitor_id)
            if monitor is None:
                continue
            monitor.status = change.to_status  # as of this transition
            if change.to_status == DOWN:
                entry = self._down(monitor, change.error)
                monitor_events.append(monitor_event(EventType.MONITOR_DOWN, monitor, entry.incident))
            else:
                entry = self._up(monitor)
                monitor_events.append(monitor_event(EventType.MONITOR_UP, monitor, entry.incident if entry else None))
        self._save()
        publish([*incident_events(self._incident_changes()), *monitor_events])

    def _down(self, monitor: Monitor, error: str) -> _Open:
        # An incident resolved earlier in this batch is closed: a monitor going down
        # after that joins or opens another, as it would in a later batch.
        listed = [entry for entry in self.by_monitor.get(monitor.id, []) if not entry.resolved]
        if listed:
            entry = next((e for e in listed if e.incident.auto_opened), listed[0])
            component = entry.components[monitor.id]
            if entry.incident.auto_opened and component.status != ComponentStatus.MAJOR_OUTAGE:
                component.status = ComponentStatus.MAJOR_OUTAGE
                self.changed_components.append(component)
                self._note(entry, f"{monitor.name} is down again: {error}".rstrip(": "))
            return entry
        entry = self.auto_by_org.get(monitor.organization_id)
        if entry is None or entry.resolved:
            incident = Incident(
                organization_id=monitor.organization_id,
                title=f"{monitor.name} is down",
                status=IncidentStatus.INVESTIGATING,
                impact=Impact.HIGH,
                auto_opened=True,
                created_at=self.now,
                updated_at=self.now,
            )
            entry = _Open(incident, new=True)
            self.auto_by_org[monitor.organization_id] = entry
        component = AffectedComponent(
            incident=entry.incident,
            monitor_id=monitor.id,
            status=ComponentStatus.MAJOR_OUTAGE,
            position=len(entry.components),
        )
        entry.components[monitor.id] = component
        self.by_monitor[monitor.id].append(entry)
        self.new_components.append(component)
        self._note(entry, f"{monitor.name} is down: {error}".rstrip(": "))
        return entry

    def _up(self, monitor: Monitor) -> _Open | None:
        listed = self.by_monitor.get(monitor.id, [])
        for entry in listed:
            if not entry.incident.auto_opened or entry.resolved:
                continue
            component = entry.components[monitor.id]
            component.status = ComponentStatus.OPERATIONAL
            if component not in self.new_components:
                self.changed_components.append(component)
            if all(c.status == ComponentStatus.OPERATIONAL for c in entry.components.values()):
                entry.resolved = True
                entry.incident.status = IncidentStatus.RESOLVED
                entry.incident.resolved_at = self.now
                self._note(entry, f"{monitor.name} is back up. All monitors are up: resolved automatically.")
            else:
                self._note(entry, f"{monitor.name} is back up.")
        # The newest auto-opened incident listing it (an older one may have been resolved in this batch).
        return next((e for e in reversed(listed) if e.incident.auto_opened), listed[0] if listed else None)

    def _note(self, entry: _Open, message: str) -> None:
        self.touched[entry.incident.id] = entry
        self.notes[entry.incident.id].append(message)

    def _save(self) -> None:
        Incident.objects.bulk_create([e.incident for e in self.touched.values() if e.new])
        existing = [entry.incident for entry in self.touched.values() if not entry.new]
        for incident in existing:
            incident.updated_at = self.now
        Incident.objects.bulk_update(existing, ["status", "resolved_at", "updated_at"])
        AffectedComponent.objects.bulk_create(self.new_components)
        AffectedComponent.objects.bulk_update(self.changed_components, ["status"])
        # One timeline entry per incident and batch, however many monitors it names.
        updates = IncidentUpdate.objects.bulk_create(
            IncidentUpdate(incident=entry.incident, status=entry.incident.status, message="\n".join(self.notes[id_]))
            for id_, entry in self.touched.items()
        )
        incident_updates_published.send(sender=IncidentUpdate, updates=updates, automatic=True)
        generation.bump({entry.incident.organization_id for entry in self.touched.values()})

    def _incident_changes(self) -> list[tuple[str, str]]:
        changes = []
        for incident_id, entry in self.touched.items():
            if entry.new:
                changes.append((incident_id, EventType.INCIDENT_CREATED))
            if entry.resolved:  # opened and resolved in one batch: both are announced
                changes.append((incident_id, EventType.INCIDENT_RESOLVED))
            elif not entry.new:
                changes.append((incident_id, EventType.INCIDENT_UPDATED))
        return changes

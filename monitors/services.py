import secrets
from collections import defaultdict
from collections.abc import Collection

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from accounts.plans import has_room
from statusapp.api.exceptions import PlanLimitReached

from .models import Monitor

# Written to `status` to resume a paused monitor; it reads PENDING until its next check.
ACTIVE = "ACTIVE"


class InvalidDependency(ValueError):
    """A monitor cannot depend on these: the message says why."""


def check_dependencies(*, organization_id: str, monitor_id: str | None, depends_on: Collection[str]) -> None:
    """Raise InvalidDependency unless each id is another monitor of the organization and
    none of them depends, directly or not, on this one. Another organization's monitor is
    reported as unknown, like one that does not exist."""
    if monitor_id is not None and monitor_id in depends_on:
        raise InvalidDependency("A monitor cannot depend on itself.")
    found = set(Monitor.objects.filter(organization_id=organization_id, id__in=depends_on).values_list("id", flat=True))
    unknown = [dependency for dependency in depends_on if dependency not in found]
    if unknown:
        raise InvalidDependency(f"Unknown monitor: {', '.join(unknown[:5])}.")
    if monitor_id is None or not depends_on:
        return  # nothing depends on a monitor not created yet
    edges = Monitor.depends_on.through.objects.filter(from_monitor__organization_id=organization_id)
    graph = defaultdict(list)
    for source, target in edges.values_list("from_monitor_id", "to_monitor_id"):
        graph[source].append(target)
    for start in depends_on:
        seen, stack = {start}, [start]
        while stack:
            for target in graph[stack.pop()]:
                if target == monitor_id:
                    raise InvalidDependency(f"{start} already depends on this monitor: that would be a cycle.")
                if target not in seen:
                    seen.add(target)
                    stack.append(target)


def _apply_status(monitor: Monitor, requested: str | None) -> None:
    if requested == Monitor.Status.PAUSED:
        monitor.status = Monitor.Status.PAUSED
        monitor.next_check_at = None
    elif requested == ACTIVE and monitor.status == Monitor.Status.PAUSED:
        monitor.status = Monitor.Status.PENDING
        monitor.next_check_at = timezone.now()


@transaction.atomic
def monitor_create(*, organization: Organization, **fields) -> Monitor:
    limit = organization.limits.monitors
    if not has_room(organization, limit, Monitor.objects.filter(organization=organization)):
        raise PlanLimitReached(f"The {organization.plan} plan allows {limit} monitors.")
    requested_status = fields.pop("status", None)
    depends_on = fields.pop("depends_on", None)
    monitor = Monitor(organization=organization, **fields)
    if monitor.type == Monitor.Type.HEARTBEAT:
        monitor.ping_token = secrets.token_urlsafe(24)
    monitor.next_check_at = timezone.now()
    _apply_status(monitor, requested_status)
    monitor.save()
    if depends_on:
        monitor.depends_on.set(depends_on)
    return monitor


@transaction.atomic
def monitor_update(*, monitor: Monitor, **fields) -> Monitor:
    """Change what was sent, and only that: the check engine and maintenance windows
    write status, failure counts and flags concurrently, and a full save would put
    back the values this request read. `depends_on` (monitor ids) replaces the monitor's
    dependencies."""
    status = fields.pop("status", None)
    depends_on = fields.pop("depends_on", None)
    changed = set(fields)
    before = (monitor.status, monitor.next_check_at)
    _apply_status(monitor, status)
    if fields.get("interval", monitor.interval) != monitor.interval and monitor.status != Monitor.Status.PAUSED:
        monitor.next_check_at = timezone.now()  # check soon, then on the new interval's grid
    if (monitor.status, monitor.next_check_at) != before:
        changed.update(("status", "next_check_at"))
    for name, value in fields.items():
        setattr(monitor, name, value)
    if monitor.type == Monitor.Type.HEARTBEAT and not monitor.ping_token:
        monitor.ping_token = secrets.token_urlsafe(24)
        changed.add("ping_token")
    monitor.save(update_fields=[*changed, "updated_at"])
    if depends_on is not None:
        monitor.depends_on.set(depends_on)
    return monitor


def monitor_delete(*, monitor: Monitor) -> None:
    monitor.delete()

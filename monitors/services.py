import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from accounts.plans import has_room
from statusapp.api.exceptions import PlanLimitReached

from .models import Monitor

# Written to `status` to resume a paused monitor; it reads PENDING until its next check.
ACTIVE = "ACTIVE"


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
    monitor = Monitor(organization=organization, **fields)
    if monitor.type == Monitor.Type.HEARTBEAT:
        monitor.ping_token = secrets.token_urlsafe(24)
    monitor.next_check_at = timezone.now()
    _apply_status(monitor, requested_status)
    monitor.save()
    return monitor


def monitor_update(*, monitor: Monitor, **fields) -> Monitor:
    """Change what was sent, and only that: the check engine and maintenance windows
    write status, failure counts and flags concurrently, and a full save would put
    back the values this request read."""
    status = fields.pop("status", None)
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
    return monitor


def monitor_delete(*, monitor: Monitor) -> None:
    monitor.delete()

"""`python manage.py verify_integrity`: what should never be there, counted.

It lives in statuspages because that is the top app layer, the one allowed to read every
other app's tables. Each check prints its count and a few examples; the command exits 1
if any check finds something, so a fault run or a cron job can act on it.
"""

from collections.abc import Callable
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from incidents.maintenance import ACTIVE_STATUSES
from incidents.models import AffectedComponent, Incident, IncidentStatus, Maintenance
from monitors.models import CheckResult, Monitor, StatusChange
from statuspages.models import StatusPageComponent, SubscriberNotification
from webhooks.models import Delivery

EXAMPLES = 5


def checks(now, grace: timedelta) -> dict[str, tuple[str, Callable[[], QuerySet]]]:
    """name -> (what it means, the rows that show it)."""
    late = now - grace
    active_window = Q(maintenances__status__in=ACTIVE_STATUSES)
    return {
        "stuck deliveries": (
            "pending deliveries due before the grace period with no live lease: nothing will send them",
            lambda: Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lt=late).filter(
                Q(lease_until__isnull=True) | Q(lease_until__lt=now)
            ),
        ),
        "deliveries to disabled endpoints": (
            "pending deliveries of a disabled endpoint: they should have been cancelled",
            lambda: Delivery.objects.filter(status=Delivery.Status.PENDING, endpoint__enabled=False),
        ),
        "unprocessed status changes": (
            "monitor transitions older than the grace period that no incident run has handled",
            lambda: StatusChange.objects.filter(processed_at__isnull=True, created_at__lt=late),
        ),
        "overdue monitors": (
            "active monitors whose next check was due before the grace period: the scheduler missed them",
            lambda: Monitor.objects.exclude(status=Monitor.Status.PAUSED).filter(next_check_at__lt=late),
        ),
        "monitors gone quiet": (
            "active monitors checked by the engine with no result for 3 intervals past the grace "
            "period: their slots were claimed and the checks lost",
            lambda: _gone_quiet(now, grace),
        ),
        "paused monitors scheduled": (
            "paused monitors that still have a next check",
            lambda: Monitor.objects.filter(status=Monitor.Status.PAUSED, next_check_at__isnull=False),
        ),
        "maintenance flags out of step": (
            "monitors whose in_maintenance flag disagrees with their active windows",
            lambda: Monitor.objects.annotate(windows=Count("maintenances", filter=active_window)).filter(
                Q(in_maintenance=True, windows=0) | Q(in_maintenance=False, windows__gt=0)
            ),
        ),
        "auto-incidents opened twice": (
            "organizations with more than one open auto-opened incident (they join one)",
            lambda: (
                Incident.objects.filter(auto_opened=True)
                .exclude(status=IncidentStatus.RESOLVED)
                .values("organization_id")
                .annotate(open=Count("id"))
                .filter(open__gt=1)
            ),
        ),
        "resolved incidents without a time": (
            "incidents RESOLVED without resolved_at, or resolved_at on an open one",
            lambda: Incident.objects.filter(
                Q(status=IncidentStatus.RESOLVED, resolved_at__isnull=True)
                | (~Q(status=IncidentStatus.RESOLVED) & Q(resolved_at__isnull=False))
            ),
        ),
        "cross-organization incident components": (
            "incidents naming another organization's monitor",
            lambda: AffectedComponent.objects.exclude(monitor__organization_id=F("incident__organization_id")),
        ),
        "cross-organization page components": (
            "status page components whose monitor belongs to another organization",
            lambda: StatusPageComponent.objects.exclude(monitor__organization_id=F("page__organization_id")),
        ),
        "cross-organization maintenance monitors": (
            "maintenance windows covering another organization's monitor",
            lambda: Maintenance.monitors.through.objects.exclude(
                monitor__organization_id=F("maintenance__organization_id")
            ),
        ),
        "unsent subscriber emails": (
            "subscriber notifications older than the grace period neither sent nor failed",
            lambda: SubscriberNotification.objects.filter(sent_at__isnull=True, error="", created_at__lt=late),
        ),
    }


# How many of its intervals a monitor may go without a result before it counts as quiet.
QUIET_INTERVALS = 3


def _gone_quiet(now, grace: timedelta) -> QuerySet:
    # The limit depends on each monitor's interval; date arithmetic on a column differs
    # between PostgreSQL and SQLite, so it is applied here, one row per monitor.
    # One index probe per monitor on (monitor, scheduled_at), not a scan of every result.
    latest_slot = (
        CheckResult.objects.filter(monitor=OuterRef("pk")).order_by("-scheduled_at").values("scheduled_at")[:1]
    )
    rows = (
        Monitor.objects.exclude(status=Monitor.Status.PAUSED)
        .exclude(type=Monitor.Type.HEARTBEAT)
        .annotate(last=Subquery(latest_slot))
        .values_list("id", "interval", "created_at", "last")
    )
    quiet = []
    for monitor_id, interval, created_at, last in rows:
        limit = now - grace - timedelta(seconds=QUIET_INTERVALS * interval)
        if created_at < limit and (last is None or last < limit):
            quiet.append(monitor_id)
    return Monitor.objects.filter(id__in=quiet)


def _label(row) -> str:
    return row["organization_id"] if isinstance(row, dict) else str(row.pk)


class Command(BaseCommand):
    help = "Report orphans, stuck deliveries and gaps; exit 1 if any check finds something."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace", type=int, default=300, help="seconds a pending item may wait before it counts (default 300)"
        )

    def handle(self, *args, grace: int, **options):
        found = 0
        for name, (meaning, rows) in checks(timezone.now(), timedelta(seconds=grace)).items():
            queryset = rows()
            count = queryset.count()
            found += count
            marker = "ok  " if count == 0 else "FAIL"
            self.stdout.write(f"{marker} {name}: {count}")
            if count:
                self.stdout.write(f"     {meaning}")
                for example in queryset[:EXAMPLES]:
                    self.stdout.write(f"     - {_label(example)}")
        self.stdout.write("clean" if found == 0 else f"{found} problems found")
        if found:
            raise SystemExit(1)

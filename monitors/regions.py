"""Regions: where checks run from, which of them are alive, and how their results agree.

Each region's workers take their batches from the Celery queue `checks.<region>`. Beat's
dispatcher also sends every region a report task each second; a region none of whose
workers has answered for REGION_SILENT_AFTER seconds is silent. A silent region is left
out of every quorum (so it causes no false DOWN and hides no real one) and is sent no
checks while another of the monitor's regions is alive.
"""

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from statistics import median

from django.conf import settings
from django.utils import timezone

from .engine import CheckResult as Outcome
from .models import Monitor, Region

UP, DEGRADED, DOWN = Monitor.Status.UP, Monitor.Status.DEGRADED, Monitor.Status.DOWN
HEARTBEAT = Monitor.Type.HEARTBEAT


def queue(region: str) -> str:
    return f"checks.{region}"


def of_monitor(named: Collection[str]) -> list[str]:
    """The regions a monitor is checked from: those it names that are configured, else all."""
    return [region for region in settings.STATUSAPP_REGIONS if region in named] or list(settings.STATUSAPP_REGIONS)


def to_check_from(monitor_type: str, named: Collection[str], alive: Collection[str]) -> list[str]:
    """Where to send a monitor's slot: its alive regions (all of them if none is alive,
    so a fresh install checks before its first reports). A heartbeat is judged from its
    pings, not from a place: one region is enough."""
    regions = of_monitor(named)
    regions = [region for region in regions if region in alive] or regions
    return regions[:1] if monitor_type == HEARTBEAT else regions


def report_in(region: str, now: datetime | None = None) -> None:
    Region.objects.update_or_create(name=region, defaults={"last_report_at": now or timezone.now()})


def alive(now: datetime | None = None) -> set[str]:
    since = (now or timezone.now()) - timedelta(seconds=settings.REGION_SILENT_AFTER)
    return set(
        Region.objects.filter(name__in=settings.STATUSAPP_REGIONS, last_report_at__gte=since).values_list(
            "name", flat=True
        )
    )


def health(now: datetime | None = None) -> list[dict]:
    """Each configured region, whether it is alive and when its workers last reported."""
    now = now or timezone.now()
    reports = dict(Region.objects.filter(name__in=settings.STATUSAPP_REGIONS).values_list("name", "last_report_at"))
    since = now - timedelta(seconds=settings.REGION_SILENT_AFTER)
    return [
        {"name": name, "alive": name in reports and reports[name] >= since, "last_report_at": reports.get(name)}
        for name in settings.STATUSAPP_REGIONS
    ]


def verdict(
    outcomes: Mapping[str, Outcome], regions: list[str], alive: Collection[str], confirmations: int | None
) -> Outcome | None:
    """A slot's result from its regions' outcomes so far, or None while undecided.

    It fails once `confirmations` (default: a majority) of the monitor's regions saw it
    fail, and succeeds once that can no longer happen. Silent regions without a result
    are left out, and the quorum shrinks to the regions left: with two of three regions
    silent, the one still reporting decides alone.
    """
    outcomes = {region: outcome for region, outcome in outcomes.items() if region in regions}
    if not outcomes:
        return None
    counted = [region for region in regions if region in alive or region in outcomes]
    quorum = min(confirmations or len(regions) // 2 + 1, len(counted))
    failed = {region: o for region, o in outcomes.items() if o.status == DOWN}
    passed = [o for o in outcomes.values() if o.status != DOWN]
    if len(failed) >= quorum:
        if len(regions) == 1:
            return next(iter(failed.values()))
        region, first = next(iter(failed.items()))
        error = f"{len(failed)} of {len(counted)} regions: {region}: {first.error}"
        return Outcome(status=DOWN, response_time_ms=None, status_code=first.status_code, error=error)
    if len(passed) > len(counted) - quorum:
        if len(passed) == 1:
            return passed[0]
        times = [o.response_time_ms for o in passed if o.response_time_ms is not None]
        return Outcome(
            status=DEGRADED if any(o.status == DEGRADED for o in passed) else UP,
            response_time_ms=round(median(times)) if times else None,
            status_code=passed[0].status_code,
            error=next((o.error for o in passed if o.error), ""),
        )
    return None

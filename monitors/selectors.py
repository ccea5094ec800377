"""Uptime and response-time figures, read from the hourly and daily rollups; and a
monitor's latest raw checks, for its page's heartbeat strip and 24-hour chart; the monitors
each monitor depends on.

Figures never scan raw check results: a window is a handful of rollup rows per monitor,
found through the (monitor, period, bucket) unique index. The raw reads are one monitor's
newest rows through the (monitor, scheduled_at) unique index, capped in number.

Windows: "24h" and "7d" add up hourly rollups, "30d" and "90d" daily ones. A window
holds the buckets that start after `now - length` and not after `now`: the current
(partial) hour or day and the ones before it, 24 hours for "24h", 30 days for "30d".
Checks during maintenance are never in the rollups, so they are left out here too.
"""

from collections import Counter
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Avg, BigIntegerField, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, TruncMinute
from django.utils import timezone

from . import regions
from .models import CheckResult, Monitor, Rollup

WINDOWS: dict[str, tuple[str, timedelta]] = {
    "24h": (Rollup.Period.HOUR, timedelta(hours=24)),
    "7d": (Rollup.Period.HOUR, timedelta(days=7)),
    "30d": (Rollup.Period.DAY, timedelta(days=30)),
    "90d": (Rollup.Period.DAY, timedelta(days=90)),
}


def _in_window(window: str, now: datetime) -> Q:
    try:
        period, length = WINDOWS[window]
    except KeyError:
        raise ValueError(f"Unknown window {window!r}; use one of {', '.join(WINDOWS)}.") from None
    return Q(period=period, bucket__gt=now - length, bucket__lte=now)


def uptime_level(uptime: float | None) -> str:
    """How a day's uptime is coloured (the public pages' bars, the dashboard's):
    nodata, up (99.9% or more), minor (99%), partial (95%) or major."""
    if uptime is None:
        return "nodata"
    if uptime >= 99.9:
        return "up"
    if uptime >= 99:
        return "minor"
    return "partial" if uptime >= 95 else "major"


def uptime_percent(successful: int | None, checks: int | None) -> float | None:
    """(up + degraded) / checks as a percentage to 3 decimals; None without checks."""
    if not checks:
        return None
    return round((successful or 0) * 100 / checks, 3)


def uptime_by_monitor(
    monitor_ids: Iterable[str], *, window: str, now: datetime | None = None
) -> dict[str, float | None]:
    """Uptime % of each monitor over `window`, None for a monitor without checks in it.

    One grouped query, however many monitors (none for an empty list).
    """
    now = now or timezone.now()
    in_window = _in_window(window, now)
    uptimes: dict[str, float | None] = dict.fromkeys(monitor_ids)
    if not uptimes:
        return uptimes
    rows = (
        Rollup.objects.filter(in_window, monitor_id__in=list(uptimes))
        .values("monitor_id")
        .annotate(checks=Sum("checks"), successful=Sum(F("up") + F("degraded")))
        .order_by()
        .values_list("monitor_id", "checks", "successful")
    )
    for monitor_id, checks, successful in rows:
        uptimes[monitor_id] = uptime_percent(successful, checks)
    return uptimes


def monitor_uptime_summary(monitor: Monitor | str, now: datetime | None = None) -> dict[str, dict]:
    """Every window's figures for one monitor, in one query:

    `{"24h": {"uptime", "checks", "down", "average_response_time", "p95_response_time"}, "7d": …,
    "30d": …, "90d": …}`.

    - uptime: as `uptime_by_monitor`; None without checks.
    - down: checks that were neither UP nor DEGRADED.
    - average_response_time: ms, the mean over the window's successful checks that
      measured one (sum / count of the rollups); None without any.
    - p95_response_time: ms, the average of the buckets' p95s weighted by the number of
      response times each was computed from (`response_time_count`), rounded. A
      weighted average rather than the max of the bucket p95s: over 30 or 90 days the
      max reports the single worst hour or day, while the weighted average tracks the
      p95 a user typically sees. Only finalized buckets count (p95 is filled in once a
      period ends, see monitors.rollups.finalize_p95), so the current hour or day is
      left out of it; None when no bucket in the window has one yet.
    """
    now = now or timezone.now()
    monitor_id = getattr(monitor, "pk", monitor)
    successful = F("up") + F("degraded")
    has_p95 = Q(p95_response_time__isnull=False)
    weighted_p95 = Cast("p95_response_time", BigIntegerField()) * F("response_time_count")
    aggregates = {}
    for n, window in enumerate(WINDOWS):
        in_window = _in_window(window, now)
        aggregates[f"checks_{n}"] = Sum("checks", filter=in_window)
        aggregates[f"successful_{n}"] = Sum(successful, filter=in_window)
        aggregates[f"time_sum_{n}"] = Sum("response_time_sum", filter=in_window)
        aggregates[f"time_count_{n}"] = Sum("response_time_count", filter=in_window)
        aggregates[f"p95_sum_{n}"] = Sum(weighted_p95, filter=in_window & has_p95, output_field=BigIntegerField())
        aggregates[f"p95_weight_{n}"] = Sum("response_time_count", filter=in_window & has_p95)
    # Only the rows of the longest hourly and daily windows can be in any window.
    widest = _in_window("7d", now) | _in_window("90d", now)
    totals = Rollup.objects.filter(widest, monitor_id=monitor_id).aggregate(**aggregates)

    summary = {}
    for n, window in enumerate(WINDOWS):
        checks = totals[f"checks_{n}"] or 0
        successful_checks = totals[f"successful_{n}"] or 0
        summary[window] = {
            "uptime": uptime_percent(successful_checks, checks),
            "checks": checks,
            "down": checks - successful_checks,
            "average_response_time": _ratio(totals[f"time_sum_{n}"], totals[f"time_count_{n}"]),
            "p95_response_time": _ratio(totals[f"p95_sum_{n}"], totals[f"p95_weight_{n}"]),
        }
    return summary


# Per-region figures come from the raw results: windows within their retention.
REGION_WINDOWS: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}


def region_uptime(monitor: Monitor, now: datetime | None = None) -> list[dict]:
    """What each of the monitor's regions saw, in one query over its raw results:
    `[{"region", "windows": {"24h": {"uptime", "checks", "down", "average_response_time"}, "7d": …}}]`,
    in the monitor's region order."""
    now = now or timezone.now()
    checked_from = regions.of_monitor(monitor.regions)
    aggregates = {}
    for window, length in REGION_WINDOWS.items():
        in_window = Q(scheduled_at__gt=now - length)
        aggregates[f"checks_{window}"] = Count("id", filter=in_window)
        aggregates[f"successful_{window}"] = Count("id", filter=in_window & Q(status__in=SUCCESSFUL))
        measured = in_window & Q(status__in=SUCCESSFUL, response_time__isnull=False)
        aggregates[f"time_sum_{window}"] = Sum("response_time", filter=measured)
        aggregates[f"time_count_{window}"] = Count("id", filter=measured)
    longest = max(REGION_WINDOWS.values())
    rows = (
        CheckResult.objects.filter(
            monitor=monitor, region__in=checked_from, in_maintenance=False, scheduled_at__gt=now - longest
        )
        .filter(scheduled_at__lte=now)
        .values("region")
        .annotate(**aggregates)
        .order_by()
    )
    totals = {row["region"]: row for row in rows}
    figures = []
    for region in checked_from:
        row = totals.get(region, {})
        windows = {}
        for window in REGION_WINDOWS:
            checks, successful = row.get(f"checks_{window}", 0), row.get(f"successful_{window}", 0)
            windows[window] = {
                "uptime": uptime_percent(successful, checks),
                "checks": checks,
                "down": checks - successful,
                "average_response_time": _ratio(row.get(f"time_sum_{window}"), row.get(f"time_count_{window}")),
            }
        figures.append({"region": region, "windows": windows})
    return figures


def _ratio(total: int | None, count: int | None) -> int | None:
    if not count:
        return None
    return round(total / count)


# Per monitor of the outer query (`monitors_monitor`); built as text because Django's
# expression machinery spent 1.4 ms a request assembling the same subquery.
_UPTIME_24H_SQL = """
SELECT SUM(r.up + r.degraded) * 100.0 / NULLIF(SUM(r.checks), 0) FROM monitors_rollup r
WHERE r.monitor_id = monitors_monitor.id AND r.period = 'hour' AND r.bucket > %s AND r.bucket <= %s
"""


def with_uptime_24h(monitors: QuerySet[Monitor], now: datetime | None = None) -> QuerySet[Monitor]:
    """Annotate `uptime_24h` (unrounded %, None without checks) on each monitor, the same
    figure as `uptime_by_monitor(window="24h")`.

    A correlated subquery over the monitor's hourly rollups, so a page of monitors and
    their uptimes come back in one round trip.
    """
    now = now or timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    window = (adapt(now - WINDOWS["24h"][1]), adapt(now))
    # A constant statement with bound parameters: nothing of the request is spliced in.
    return monitors.annotate(uptime_24h=RawSQL(_UPTIME_24H_SQL, window, output_field=FloatField()))  # noqa: S611


# --- a monitor's raw checks ---

SUCCESSFUL = (Monitor.Status.UP, Monitor.Status.DEGRADED)
# The 24-hour chart's most points: one a minute. A monitor checked more often than that
# is shown as the mean of each minute.
RAW_CHART_POINTS = 24 * 60


def latest_checks(monitor: Monitor, count: int) -> list[CheckResult]:
    """The monitor's `count` newest checks, newest first."""
    return list(
        CheckResult.objects.filter(monitor=monitor)
        .only("id", "scheduled_at", "status", "response_time", "status_code", "error")
        .order_by("-scheduled_at")[:count]
    )


def latest_slots(monitor: Monitor, count: int) -> list[tuple[datetime, list[CheckResult]]]:
    """The monitor's `count` newest slots, newest first, each with its results (one a
    region), in one query through the (monitor, scheduled_at, region) unique index."""
    slots = (
        CheckResult.objects.filter(monitor=monitor)
        .order_by("-scheduled_at")
        .values_list("scheduled_at", flat=True)
        .distinct()[:count]
    )
    rows = (
        CheckResult.objects.filter(monitor=monitor, scheduled_at__in=slots)
        .only("id", "scheduled_at", "region", "status", "response_time", "status_code", "error")
        .order_by("-scheduled_at", "region")
    )
    grouped: dict[datetime, list[CheckResult]] = {}
    for row in rows:
        grouped.setdefault(row.scheduled_at, []).append(row)
    return list(grouped.items())


def checks_chart(
    monitor: Monitor,
    *,
    region: str | None = None,
    length: timedelta = timedelta(hours=24),
    now: datetime | None = None,
) -> list[tuple[datetime, int | None, bool]]:
    """The checks of the last `length` (from `region` alone when given), oldest first, as
    (time, response time in ms or None, failed). So a monitor created a minute ago already
    has a point per check.

    More than RAW_CHART_POINTS checks are grouped per minute: the mean response time, and
    failed when any check in the minute failed.
    """
    now = now or timezone.now()
    checks = CheckResult.objects.filter(monitor=monitor, scheduled_at__gt=now - length, scheduled_at__lte=now)
    if region is not None:
        checks = checks.filter(region=region)
    newest = checks.order_by("-scheduled_at").values_list("scheduled_at", "response_time", "status")
    rows = list(newest[: RAW_CHART_POINTS + 1])
    if len(rows) <= RAW_CHART_POINTS:
        return [(at, response_time, status not in SUCCESSFUL) for at, response_time, status in reversed(rows)]
    minutes = (
        checks.annotate(minute=TruncMinute("scheduled_at", tzinfo=UTC))
        .values("minute")
        .annotate(mean=Avg("response_time"), failed=Count("id", filter=~Q(status__in=SUCCESSFUL)))
        .order_by("minute")
        .values_list("minute", "mean", "failed")
    )
    return [(minute, None if mean is None else round(mean), failed > 0) for minute, mean, failed in minutes]


def region_checks_chart(
    monitor: Monitor, names: list[str], *, length: timedelta = timedelta(hours=24), now: datetime | None = None
) -> dict[str, list[tuple[datetime, int | None, bool]]]:
    """`checks_chart` of each of these regions, in one query (two past RAW_CHART_POINTS
    checks a region: then every region is grouped per minute, so their points line up)."""
    now = now or timezone.now()
    checks = CheckResult.objects.filter(
        monitor=monitor, region__in=names, scheduled_at__gt=now - length, scheduled_at__lte=now
    )
    series: dict[str, list[tuple[datetime, int | None, bool]]] = {name: [] for name in names}
    cap = RAW_CHART_POINTS * len(names)
    newest = checks.order_by("-scheduled_at", "region").values_list("region", "scheduled_at", "response_time", "status")
    rows = list(newest[: cap + 1])
    if len(rows) <= cap and max(Counter(row[0] for row in rows).values(), default=0) <= RAW_CHART_POINTS:
        for name, at, response_time, status in reversed(rows):
            series[name].append((at, response_time, status not in SUCCESSFUL))
        return series
    minutes = (
        checks.annotate(minute=TruncMinute("scheduled_at", tzinfo=UTC))
        .values("region", "minute")
        .annotate(mean=Avg("response_time"), failed=Count("id", filter=~Q(status__in=SUCCESSFUL)))
        .order_by("minute", "region")
        .values_list("region", "minute", "mean", "failed")
    )
    for name, minute, mean, failed in minutes:
        series[name].append((minute, None if mean is None else round(mean), failed > 0))
    return series


def dependency_ids(monitor_ids: Collection[str]) -> dict[str, list[str]]:
    """The ids of the monitors each of these depends on, sorted, in one query."""
    found: dict[str, list[str]] = {monitor_id: [] for monitor_id in monitor_ids}
    edges = Monitor.depends_on.through.objects.filter(from_monitor_id__in=monitor_ids)
    for source, target in edges.order_by("to_monitor_id").values_list("from_monitor_id", "to_monitor_id"):
        found[source].append(target)
    return found

"""Housekeeping of check results: the p95 of ended rollup periods, and raw-result retention.

Both run from Celery beat (monitors.tasks): `finalize_p95()` every few minutes,
`prune_check_results()` hourly.
"""

import math
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, IntegerField
from django.utils import timezone

from .models import CheckResult, Rollup
from .state import SUCCESS

PERCENTILE = 0.95
PERIOD_LENGTH = {Rollup.Period.HOUR: timedelta(hours=1), Rollup.Period.DAY: timedelta(days=1)}
# A check's result can be written a while after its slot (a batch waits for its slowest
# check: up to the 300 s timeout plus the write), so a period is finalized only once it
# has been over this long and its rollup has stopped growing.
SETTLE = timedelta(minutes=10)


class PercentileDisc(Aggregate):
    """PostgreSQL's percentile_disc(0.95) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_disc"
    template = f"%(function)s({PERCENTILE}) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = IntegerField()


def percentile_disc(sorted_values: list[int], fraction: float = PERCENTILE) -> int:
    """What PostgreSQL's percentile_disc returns for these (ascending) values: the first
    value whose position reaches `fraction` of the count (the same float arithmetic)."""
    position = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[position - 1]


def _samples(monitor_ids: list[str], start: datetime, end: datetime):
    """The response times a rollup's p95 is taken over: successful checks outside
    maintenance that measured one, scheduled in [start, end) — the rollup's own checks."""
    return CheckResult.objects.filter(
        monitor_id__in=monitor_ids,
        scheduled_at__gte=start,
        scheduled_at__lt=end,
        status__in=SUCCESS,
        in_maintenance=False,
        response_time__isnull=False,
    ).order_by()


def p95_by_monitor_sql(monitor_ids: list[str], start: datetime, end: datetime) -> dict[str, int]:
    """One grouped query (PostgreSQL)."""
    rows = (
        _samples(monitor_ids, start, end)
        .values("monitor_id")
        .annotate(p95=PercentileDisc("response_time"))
        .values_list("monitor_id", "p95")
    )
    return dict(rows)


def p95_by_monitor_python(monitor_ids: list[str], start: datetime, end: datetime) -> dict[str, int]:
    """The same figures for databases without percentile_disc (SQLite): streamed in
    order, holding one monitor's response times at a time."""
    rows = (
        _samples(monitor_ids, start, end)
        .order_by("monitor_id", "response_time")
        .values_list("monitor_id", "response_time")
        .iterator(chunk_size=5000)
    )
    return {
        monitor_id: percentile_disc([response_time for _, response_time in group])
        for monitor_id, group in groupby(rows, key=lambda row: row[0])
    }


def p95_by_monitor(monitor_ids: list[str], start: datetime, end: datetime) -> dict[str, int]:
    if connection.vendor == "postgresql":
        return p95_by_monitor_sql(monitor_ids, start, end)
    return p95_by_monitor_python(monitor_ids, start, end)


def finalize_p95(now: datetime | None = None, *, batch_size: int = 1000, settle: timedelta = SETTLE) -> int:
    """Fill in p95_response_time of rollups whose period has ended; returns how many.

    Takes rollups with a NULL p95 whose period ended at least `settle` ago and that
    counted response times (`response_time_count > 0`; one without any, such as a
    heartbeat's, keeps a NULL p95), no older than the raw results' retention (pruned
    results cannot be read back). Bucket by bucket, `batch_size` monitors at a time:
    one grouped query for their percentiles and one bulk UPDATE, so 50,000 monitors
    are 50 small rounds, not one huge one. Idempotent: a filled-in p95 is never
    computed again.
    """
    now = now or timezone.now()
    oldest = now - timedelta(days=settings.CHECK_RESULT_RETENTION_DAYS)
    finalized = 0
    for period, length in PERIOD_LENGTH.items():
        pending = Rollup.objects.filter(
            period=period,
            bucket__gt=oldest - length,  # ended after the retention cut-off
            bucket__lte=now - length - settle,
            p95_response_time__isnull=True,
            response_time_count__gt=0,
        )
        buckets = list(pending.order_by("bucket").values_list("bucket", flat=True).distinct())
        for bucket in buckets:
            last_id = 0
            while True:
                batch = list(
                    pending.filter(bucket=bucket, id__gt=last_id)
                    .order_by("id")
                    .values_list("id", "monitor_id")[:batch_size]
                )
                if not batch:
                    break
                last_id = batch[-1][0]
                p95s = p95_by_monitor([monitor_id for _, monitor_id in batch], bucket, bucket + length)
                rows = [
                    Rollup(id=rollup_id, p95_response_time=p95s[monitor_id])
                    for rollup_id, monitor_id in batch
                    if monitor_id in p95s
                ]
                if rows:
                    Rollup.objects.bulk_update(rows, ["p95_response_time"])
                finalized += len(rows)
    return finalized


def prune_check_results(
    *, retention_days: int | None = None, batch_size: int = 10_000, now: datetime | None = None
) -> int:
    """Delete raw check results scheduled more than `retention_days` ago (default: the
    CHECK_RESULT_RETENTION_DAYS setting, 14), `batch_size` rows per DELETE so no
    statement holds locks for long; returns how many were deleted. The rollups keep
    the history."""
    if retention_days is None:
        retention_days = settings.CHECK_RESULT_RETENTION_DAYS
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1.")
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    old = CheckResult.objects.filter(scheduled_at__lt=cutoff).order_by()
    deleted = 0
    while True:
        ids = list(old.values_list("id", flat=True)[:batch_size])
        if not ids:
            return deleted
        count, _ = CheckResult.objects.filter(id__in=ids).delete()
        deleted += count

"""Run a batch of claimed checks on one event loop and record what they saw.

A batch is a list of (monitor id, scheduled slot), delivered just before the start tick
its slots share; each check still waits for its own start, so checks start on time
however early the batch came. They run on the process's event loop, kept from batch to
batch. Results are written in one transaction: the raw results (one insert), the
monitors' new state, a StatusChange for every transition, and the hourly and daily
rollups.
"""

import asyncio
import atexit
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import NamedTuple

import uvloop
from django.conf import settings
from django.db import connection, transaction

from accounts import generation
from accounts.encryption import Undecryptable

from . import regions
from .bulk import bulk_insert, bulk_set, insert_missing
from .engine import CheckResult as Outcome
from .engine import CheckSpec, EngineContext, run_check
from .models import CheckResult, Monitor, Rollup, StatusChange
from .schedule import start_time
from .signals import status_changes_recorded
from .state import SUCCESS, next_status

PAUSED, DOWN, HEARTBEAT = Monitor.Status.PAUSED, Monitor.Status.DOWN, Monitor.Type.HEARTBEAT


@dataclass(frozen=True, slots=True)
class Observation:
    monitor_id: str
    scheduled_at: datetime
    started_at: datetime
    outcome: Outcome | None  # None: a heartbeat, judged under the row lock when recorded


UNDECRYPTABLE_ERROR = "stored password cannot be decrypted: was STATUSAPP_ENCRYPTION_KEY changed?"


# Sent with every HTTP check: a target can tell (and answer) the regions apart.
REGION_HEADER = "X-StatusApp-Region"


def build_spec(monitor: Monitor | SimpleNamespace, region: str | None = None) -> CheckSpec:
    """What the engine needs to check `monitor` from `region` (this worker's by default). Its
    password reads decrypted from the database (an EncryptedTextField): the engine sends it
    and never shows it."""
    headers = [(str(k), str(v)) for k, v in (monitor.request_headers or {}).items()]
    headers = [(k, v) for k, v in headers if k.lower() != REGION_HEADER.lower()]
    return CheckSpec(
        type=monitor.type,
        timeout=float(monitor.timeout),
        url=monitor.url,
        method=monitor.method,
        headers=(*headers, (REGION_HEADER, region or settings.STATUSAPP_REGION)),
        body=monitor.request_body,
        expected_status_codes=monitor.expected_status_codes,
        follow_redirects=monitor.follow_redirects,
        keyword=monitor.keyword,
        keyword_absent=monitor.keyword_absent,
        json_path=monitor.json_path,
        json_expected=monitor.json_expected,
        host=monitor.host,
        port=monitor.port,
        record_type=monitor.record_type,
        expected_values=tuple(monitor.expected_values or ()),
        resolver=monitor.resolver,
        ssl_degraded_days=monitor.ssl_degraded_days,
        ssl_down_days=monitor.ssl_down_days,
        degraded_threshold_ms=monitor.degraded_threshold,
        username=monitor.username,
        password=monitor.password,
        database=monitor.database,
        tls=monitor.tls,
        service=monitor.service,
        ping_count=monitor.ping_count,
        allow_private=settings.STATUSAPP_ALLOW_PRIVATE_TARGETS,
    )


def heartbeat_outcome(monitor: Monitor | SimpleNamespace, slot: datetime) -> Outcome:
    """A heartbeat is DOWN when its last ping was a /fail or is older than interval + grace."""
    if monitor.last_ping_kind == "fail":
        return Outcome(status=Monitor.Status.DOWN, response_time_ms=None, error="fail signal received")
    deadline = slot - timedelta(seconds=monitor.interval + monitor.grace)
    if monitor.last_ping_at is None or monitor.last_ping_at < deadline:
        return Outcome(status=Monitor.Status.DOWN, response_time_ms=None, error="no ping within interval + grace")
    return Outcome(status=Monitor.Status.UP, response_time_ms=None)


async def _run_on_time(jobs: list[tuple[str, datetime, CheckSpec]], context: EngineContext) -> list[Observation]:
    async def one(monitor_id: str, slot: datetime, spec: CheckSpec) -> Observation:
        delay = start_time(slot) - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        started_at = datetime.now(UTC)
        return Observation(monitor_id, slot, started_at, await run_check(spec, context))

    return await asyncio.gather(*(one(*job) for job in jobs))


class _ProcessLoop:
    """The event loop and EngineContext of this process, kept from batch to batch: a worker
    runs ten batches a second. uvloop's: a check costs a fifth less CPU on it than on
    asyncio's own. A batch that fails (a soft time limit) takes the loop down with it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = uvloop.new_event_loop()
        self.context = EngineContext()
        atexit.register(self.close)

    def run(self, jobs: list[tuple[str, datetime, CheckSpec]]) -> list[Observation]:
        return self.loop.run_until_complete(_run_on_time(jobs, self.context))

    def close(self) -> None:
        if self.loop.is_closed():
            return

        async def wind_down() -> None:
            pending = asyncio.all_tasks() - {asyncio.current_task()}
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        self.loop.run_until_complete(wind_down())
        self.loop.close()


_process_loop: _ProcessLoop | None = None


def run_jobs(jobs: list[tuple[str, datetime, CheckSpec]]) -> list[Observation]:
    global _process_loop
    if _process_loop is None or _process_loop.pid != os.getpid():  # not one inherited through fork
        _process_loop = _ProcessLoop()
    try:
        return _process_loop.run(jobs)
    except BaseException:
        process_loop, _process_loop = _process_loop, None
        process_loop.close()
        raise


# What build_spec reads, what recording a result reads, and what heartbeat_outcome reads.
# Loaded as plain rows: full Monitor instances (JSON fields decoded, ~40 columns) cost a
# tenth of the check itself.
CHECK_FIELDS = (
    *("id", "type", "status", "timeout", "url", "method", "request_headers", "request_body"),
    *("expected_status_codes", "follow_redirects", "keyword", "keyword_absent", "json_path", "json_expected"),
    *("host", "port", "record_type", "expected_values", "resolver", "ssl_degraded_days", "ssl_down_days"),
    *("degraded_threshold", "username", "password", "database", "tls", "service", "ping_count"),
)
RECORD_FIELDS = (
    *("id", "organization_id", "type", "status", "failure_count", "retries", "in_maintenance"),
    *("retry_interval", "next_check_at", "acknowledged_at", "acknowledged_by"),
    *("regions", "confirmations", "judged_slot"),
)
HEARTBEAT_FIELDS = ("interval", "grace", "last_ping_at", "last_ping_kind")
# What recording a result writes back to the monitor.
_WRITTEN_FIELDS = (
    *("status", "failure_count", "last_check_at", "response_time", "last_error", "next_check_at"),
    *("acknowledged_at", "acknowledged_by", "judged_slot"),
)


def load(ids: Iterable[str], fields: Sequence[str], *, lock: bool = False) -> dict[str, SimpleNamespace]:
    """Monitors by id as attribute bags holding just `fields` (cheaper than model instances)."""
    rows = Monitor.objects.filter(id__in=ids)
    if lock and connection.features.has_select_for_update:
        rows = rows.select_for_update().order_by("id")  # one lock order for every writer
    return {row["id"]: SimpleNamespace(**row) for row in rows.values(*fields)}


def run_check_batch(slots: list[tuple[str, datetime]], region: str | None = None) -> int:
    """Check each (monitor, slot) at its slot from `region` (this worker's by default); returns
    how many results were recorded."""
    region = region or settings.STATUSAPP_REGION
    monitors = load([monitor_id for monitor_id, _ in slots], CHECK_FIELDS)
    jobs, observations = [], []
    for monitor_id, slot in slots:
        monitor = monitors.get(monitor_id)
        if monitor is None or monitor.status == PAUSED:
            continue
        if monitor.type == HEARTBEAT:
            observations.append(Observation(monitor_id, slot, slot, None))
            continue
        if isinstance(monitor.password, Undecryptable):  # this monitor alone: DOWN, without connecting
            outcome = Outcome(status=DOWN, response_time_ms=None, error=UNDECRYPTABLE_ERROR)
            observations.append(Observation(monitor_id, slot, slot, outcome))
            continue
        jobs.append((monitor_id, slot, build_spec(monitor, region)))
    if jobs:
        observations.extend(run_jobs(jobs))
    return record_observations(observations, region)


@transaction.atomic
def record_observations(observations: list[Observation], region: str | None = None) -> int:
    """Record what `region` (this worker's own by default) saw, and judge each slot whose
    regions now agree: its monitor's status, StatusChanges and rollups follow the verdict."""
    if not observations:
        return 0
    region = region or settings.STATUSAPP_REGION
    ids = {o.monitor_id for o in observations}
    # Locked: serializes with a redelivered copy of this batch, with the other regions'
    # batches of the same slots, and with pause/resume. A heartbeat is judged here, from
    # the locked row: a ping that arrived while the batch's other checks ran must count.
    monitors = load(ids, (*RECORD_FIELDS, *HEARTBEAT_FIELDS), lock=True)
    judged = []
    for o in sorted(observations, key=lambda o: o.scheduled_at):
        monitor = monitors.get(o.monitor_id)
        if monitor is not None and monitor.status != PAUSED:
            judged.append((o, monitor, o.outcome or heartbeat_outcome(monitor, o.scheduled_at)))
    rows = [
        Result(
            o.monitor_id,
            o.scheduled_at,
            region,
            o.started_at,
            outcome.status,
            outcome.response_time_ms,
            outcome.status_code,
            outcome.error[:200],
            monitor.in_maintenance,
        )
        for o, monitor, outcome in judged
    ]
    # A slot already recorded (a batch redelivered after its worker died past the commit)
    # is not inserted again, and must not count again.
    inserted = insert_missing(CheckResult, Result._fields, rows, unique=("monitor_id", "scheduled_at", "region"))
    new = [(o, m, outcome) for o, m, outcome in judged if (o.monitor_id, o.scheduled_at, region) in inserted]
    _judge(new, region)
    return len(new)


def _judge(new: list[tuple[Observation, SimpleNamespace, Outcome]], region: str) -> None:
    """Apply the verdict of each slot that the `new` results decide, once per slot."""
    others = _other_regions_outcomes([o for o, monitor, _ in new if len(_regions_of(monitor, region)) > 1], region)
    alive = {*regions.alive(), region} if others is not None else {region}
    results, changes, touched = [], [], {}
    for o, monitor, seen in new:
        if monitor.judged_slot is not None and o.scheduled_at <= monitor.judged_slot:
            continue  # decided by the regions that reported before this one
        expected = _regions_of(monitor, region)
        seen_by = {**others.get((o.monitor_id, o.scheduled_at), {}), region: seen} if others else {region: seen}
        outcome = seen if len(expected) == 1 else regions.verdict(seen_by, expected, alive, monitor.confirmations)
        if outcome is None:
            continue
        monitor.judged_slot = o.scheduled_at
        results.append(
            Result(
                *(o.monitor_id, o.scheduled_at, region, o.started_at, outcome.status, outcome.response_time_ms),
                *(outcome.status_code, outcome.error[:200], monitor.in_maintenance),
            )
        )
        status, failures = next_status(
            status=monitor.status, failure_count=monitor.failure_count, retries=monitor.retries, result=outcome.status
        )
        if status != monitor.status:
            if monitor.status == DOWN:  # recovered: the acknowledgement was of this outage
                monitor.acknowledged_at, monitor.acknowledged_by = None, ""
            changes.append(
                StatusChange(
                    monitor_id=monitor.id,
                    from_status=monitor.status,
                    to_status=status,
                    error=outcome.error[:200],
                    in_maintenance=monitor.in_maintenance,
                )
            )
        monitor.status, monitor.failure_count = status, failures
        if status != DOWN and failures and monitor.retry_interval and monitor.next_check_at is not None:
            # Confirming a failure: re-check sooner than the grid slot the claim set. That
            # slot's claim puts the monitor back on its grid, so healthy schedules never drift.
            monitor.next_check_at = min(
                monitor.next_check_at, o.scheduled_at + timedelta(seconds=monitor.retry_interval)
            )
        monitor.last_check_at = o.started_at
        monitor.response_time = outcome.response_time_ms
        monitor.last_error = outcome.error[:500]
        touched[monitor.id] = monitor
    if changes:
        StatusChange.objects.bulk_create(changes)
        status_changes_recorded.send(sender=StatusChange, count=len(changes))
    # The rows are locked (or, on SQLite, this is the one writer): the columns written back
    # unchanged are the values just read.
    bulk_set(
        Monitor,
        _WRITTEN_FIELDS,
        [(m.id, *(getattr(m, name) for name in _WRITTEN_FIELDS)) for m in touched.values()],
    )
    add_to_rollups(results)
    generation.bump({m.organization_id for m in touched.values()})


def _regions_of(monitor: SimpleNamespace, region: str) -> list[str]:
    """The regions whose results judge a monitor's slots: a heartbeat's one region (it is
    judged from its pings), else the monitor's."""
    return [region] if monitor.type == HEARTBEAT else regions.of_monitor(monitor.regions)


def _other_regions_outcomes(
    observations: list[Observation], region: str
) -> dict[tuple[str, datetime], dict[str, Outcome]] | None:
    """What the other regions saw of these slots, by (monitor id, slot) and region; None
    when there are none to read (one region)."""
    if not observations:
        return None
    seen: dict[tuple[str, datetime], dict[str, Outcome]] = defaultdict(dict)
    rows = CheckResult.objects.filter(
        monitor_id__in={o.monitor_id for o in observations}, scheduled_at__in={o.scheduled_at for o in observations}
    ).exclude(region=region)
    for monitor_id, slot, other, status, response_time, status_code, error in rows.values_list(
        "monitor_id", "scheduled_at", "region", "status", "response_time", "status_code", "error"
    ):
        seen[(monitor_id, slot)][other] = Outcome(status, response_time, error, status_code)
    return seen


# A CheckResult row as a plain tuple (hundreds a second: model instances and
# bulk_create's per-value compilation cost more than the check itself).
class Result(NamedTuple):
    monitor_id: str
    scheduled_at: datetime
    region: str
    started_at: datetime
    status: str
    response_time: int | None
    status_code: int | None
    error: str
    in_maintenance: bool


_ROLLUP_FIELDS = ("monitor", "period", "bucket", "checks", "up", "degraded", "response_time_sum", "response_time_count")
_ROLLUP_CONFLICT = """
ON CONFLICT (monitor_id, period, bucket) DO UPDATE SET
    checks = monitors_rollup.checks + excluded.checks,
    up = monitors_rollup.up + excluded.up,
    degraded = monitors_rollup.degraded + excluded.degraded,
    response_time_sum = monitors_rollup.response_time_sum + excluded.response_time_sum,
    response_time_count = monitors_rollup.response_time_count + excluded.response_time_count
"""


def add_to_rollups(results: list[Result]) -> None:
    """Add results to their hour's and day's counts; checks during maintenance are left out."""
    totals: dict[tuple[str, str, datetime], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for result in results:
        if result.in_maintenance:
            continue
        hour = result.scheduled_at.replace(minute=0, second=0, microsecond=0)
        for period, bucket in ((Rollup.Period.HOUR, hour), (Rollup.Period.DAY, hour.replace(hour=0))):
            counts = totals[(result.monitor_id, period, bucket)]
            counts[0] += 1
            counts[1] += result.status == Monitor.Status.UP
            counts[2] += result.status == Monitor.Status.DEGRADED
            if result.response_time is not None and result.status in SUCCESS:
                counts[3] += result.response_time
                counts[4] += 1
    # Sorted, so concurrent batches lock the rows they share in the same order.
    bulk_insert(
        Rollup,
        _ROLLUP_FIELDS,
        [(monitor_id, str(period), bucket, *counts) for (monitor_id, period, bucket), counts in sorted(totals.items())],
        suffix=_ROLLUP_CONFLICT,
    )

from datetime import UTC, datetime, timedelta

from celery import shared_task
from celery.signals import celeryd_after_setup
from django.conf import settings

from . import regions, rollups, scheduler, vacuum
from .checking import run_check_batch

# How long before its tick a batch is handed to a pool process: time to reach it and load
# its monitors, so the checks can start on the tick.
HANDOFF = timedelta(milliseconds=50)


@celeryd_after_setup.connect
def _serve_region(instance=None, **kwargs) -> None:
    """Every worker takes its region's checks (STATUSAPP_REGION) besides the queues -Q
    names: a remote region's workers, started with `-Q checks.<region>`, take only those."""
    instance.app.amqp.queues.select_add(regions.queue(settings.STATUSAPP_REGION))


@shared_task(ignore_result=True, expires=5)
def dispatch_due_monitors() -> int:
    """Ask every region to report in, claim what is due and enqueue it in batches to its
    regions' queues (after the claim has committed), each held by the worker that receives
    it until just before its start tick."""
    now = datetime.now(UTC)
    for region in settings.STATUSAPP_REGIONS:
        report_in.apply_async((region,), queue=regions.queue(region), expires=1)
    claimed = scheduler.claim_due_monitors(
        now=now,
        lookahead=timedelta(seconds=settings.CHECK_DISPATCH_LOOKAHEAD),
        limit=settings.CHECK_DISPATCH_LIMIT,
    )
    alive = regions.alive(now)
    for start, region, batch in scheduler.batches(claimed, alive, settings.CHECK_BATCH_SIZE):
        run_checks.apply_async(
            ([[monitor_id, slot.isoformat()] for monitor_id, slot in batch], region),
            queue=regions.queue(region),
            eta=datetime.fromtimestamp(start, UTC) - HANDOFF,
            # Later than this the region counts as silent and its slots were judged without it.
            expires=datetime.fromtimestamp(start + settings.REGION_SILENT_AFTER, UTC),
        )
    return len(claimed)


@shared_task(ignore_result=True)
def report_in(region: str) -> None:
    regions.report_in(region)


# Idempotent (a slot is recorded once), so a batch lost with its worker is safely
# run again: acknowledged only after it finishes, rejected back to the queue if the
# worker dies.
@shared_task(
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CHECK_BATCH_TIME_LIMIT,
    time_limit=settings.CHECK_BATCH_TIME_LIMIT + 10,
)
def run_checks(slots: list[list[str]], region: str | None = None) -> int:
    return run_check_batch([(monitor_id, datetime.fromisoformat(slot)) for monitor_id, slot in slots], region)


@shared_task(ignore_result=True)
def finalize_rollups() -> int:
    return rollups.finalize_p95()


@shared_task(ignore_result=True)
def prune_check_results() -> int:
    return rollups.prune_check_results()


@shared_task(ignore_result=True, expires=50)
def vacuum_check_tables() -> bool:
    return vacuum.vacuum_check_tables()

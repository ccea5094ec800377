from datetime import UTC, datetime, timedelta

from celery import shared_task
from django.conf import settings

from . import rollups, scheduler, vacuum
from .checking import run_check_batch

# How long before its tick a batch is handed to a pool process: time to reach it and load
# its monitors, so the checks can start on the tick.
HANDOFF = timedelta(milliseconds=50)


@shared_task(ignore_result=True, expires=5)
def dispatch_due_monitors() -> int:
    """Claim what is due and enqueue it in batches (after the claim has committed), each
    held by the worker that receives it until just before its start tick."""
    claimed = scheduler.claim_due_monitors(
        now=datetime.now(UTC),
        lookahead=timedelta(seconds=settings.CHECK_DISPATCH_LOOKAHEAD),
        limit=settings.CHECK_DISPATCH_LIMIT,
    )
    for start, batch in scheduler.batches_by_start(claimed, settings.CHECK_BATCH_SIZE):
        run_checks.apply_async(
            ([[monitor_id, slot.isoformat()] for monitor_id, slot in batch],),
            eta=datetime.fromtimestamp(start, UTC) - HANDOFF,
        )
    return len(claimed)


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
def run_checks(slots: list[list[str]]) -> int:
    return run_check_batch([(monitor_id, datetime.fromisoformat(slot)) for monitor_id, slot in slots])


@shared_task(ignore_result=True)
def finalize_rollups() -> int:
    return rollups.finalize_p95()


@shared_task(ignore_result=True)
def prune_check_results() -> int:
    return rollups.prune_check_results()


@shared_task(ignore_result=True, expires=50)
def vacuum_check_tables() -> bool:
    return vacuum.vacuum_check_tables()

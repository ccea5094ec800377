from collections.abc import Sequence

from celery import shared_task
from django.conf import settings
from django.db import transaction

from . import dispatch, recording
from .sender import FIRST_WAIT, SLOW_GAP, sender

BATCH_SIZE = 100  # deliveries per task


# A lost or repeated message is harmless: a delivery is sent only by the holder of its
# lease, and the sweeper takes up whatever a lost message or a dead worker left.
@shared_task(ignore_result=True)
def send_deliveries(token: str, delivery_ids: list[str]) -> int:
    """Send the deliveries still leased under `token`; returns how many were recorded here."""
    jobs = dispatch.claim(token, delivery_ids)
    if not jobs:
        return 0
    batch = sender(record).start(
        jobs, timeout=settings.WEBHOOK_TIMEOUT, allow_private=settings.STATUSAPP_ALLOW_PRIVATE_TARGETS
    )
    outcomes = batch.collect(FIRST_WAIT, SLOW_GAP)
    record(outcomes)
    return len(outcomes)


def record(outcomes) -> None:
    """Record outcomes, then send what their endpoints still have waiting (their
    backlog goes on as fast as they answer, not one cap's worth per sweep)."""
    if not outcomes:
        return
    recording.record(outcomes)
    with transaction.atomic():
        send_on_commit(dispatch.due(endpoint_ids={outcome.job.endpoint_id for outcome in outcomes}))


@shared_task(ignore_result=True, expires=5)
def sweep_deliveries() -> int:
    """Send what is due and unleased: retries, and what a lost message or a killed worker left."""
    with transaction.atomic():
        candidates = dispatch.due()
        send_on_commit(candidates)
    return len(candidates)


def send_on_commit(candidates: Sequence[tuple[str, str]]) -> None:
    """Lease (delivery id, endpoint id) candidates and send them once the transaction commits."""
    leased = dispatch.lease(candidates)
    if leased is not None:
        enqueue_on_commit(*leased)


def enqueue_on_commit(token: str, delivery_ids: list[str]) -> None:
    """Send the deliveries leased under `token` once the transaction commits."""

    def enqueue() -> None:
        for start in range(0, len(delivery_ids), BATCH_SIZE):
            send_deliveries.delay(token, delivery_ids[start : start + BATCH_SIZE])

    transaction.on_commit(enqueue)

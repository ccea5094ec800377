from collections.abc import Sequence

from celery import shared_task
from django.conf import settings
from django.db import transaction

from statusapp.celery import delay_on_commit

from . import dispatch, recording
from .sender import SLOW_GAP, sender

BATCH_SIZE = 100  # deliveries per task


# A lost or repeated message is harmless: a delivery is sent only by the holder of its
# lease, and the sweeper takes up whatever a lost message or a dead worker left.
@shared_task(ignore_result=True)
def send_deliveries(token: str, delivery_ids: list[str]) -> int:
    """Send the deliveries still leased under `token`; returns how many were recorded here."""
    batch = _start(dispatch.claim(token, delivery_ids))
    if batch is None:
        return 0
    outcomes = batch.collect(settings.WEBHOOK_TASK_FIRST_WAIT, SLOW_GAP)
    record(outcomes)
    return len(outcomes)


def _start(jobs):
    if not jobs:
        return None
    return sender(record).start(
        jobs, timeout=settings.WEBHOOK_TIMEOUT, allow_private=settings.STATUSAPP_ALLOW_PRIVATE_TARGETS
    )


def record(outcomes) -> None:
    """Record outcomes, then send what their endpoints still have waiting, straight
    away and in the background: an endpoint's backlog goes on as fast as it answers,
    with no task (and no task waiting on a slow receiver) in between."""
    if not outcomes:
        return
    recording.record(outcomes)
    with transaction.atomic():
        leased = dispatch.lease(dispatch.due(endpoint_ids={outcome.job.endpoint_id for outcome in outcomes}))
    if leased is not None:
        batch = _start(dispatch.claim(*leased))
        if batch is not None:
            batch.detach()


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
    for start in range(0, len(delivery_ids), BATCH_SIZE):
        delay_on_commit(send_deliveries, token, delivery_ids[start : start + BATCH_SIZE])

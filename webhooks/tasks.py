from collections.abc import Sequence

from celery import shared_task
from django.conf import settings
from django.db import transaction

from statusapp.celery import delay_on_commit, in_worker

from . import dispatch, queues, recording
from .bulk import insert_rows
from .queues import Queue
from .sender import SLOW_GAP, sender

BATCH_SIZE = 100  # deliveries per task


# A lost or repeated message is harmless: a delivery is sent only by the holder of its
# lease, and the sweeper takes up whatever a lost message or a dead worker left.
@shared_task(ignore_result=True)
def send_deliveries(token: str, delivery_ids: list[str], queue: str = "webhooks") -> int:
    """Send the deliveries of `queue` still leased under `token`; returns how many were recorded here."""
    batch = _start(dispatch.claim(queues.get(queue), token, delivery_ids))
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
    """Record outcomes, then send what their targets still have waiting, straight
    away and in the background: a target's backlog goes on as fast as it answers,
    with no task (and no task waiting on a slow receiver) in between."""
    if not outcomes:
        return
    recording.record(outcomes)
    for name in {outcome.job.queue for outcome in outcomes}:
        queue = queues.get(name)
        with transaction.atomic():
            targets = {outcome.job.target_id for outcome in outcomes if outcome.job.queue == name}
            leased = dispatch.lease(queue, dispatch.due(queue, target_ids=targets))
        if leased is not None:
            _send_now(queue, *leased)


@shared_task(ignore_result=True, expires=5)
def sweep_deliveries() -> int:
    """Send what is due and unleased: retries, and what a lost message or a killed worker left."""
    swept = 0
    for queue in queues.all_queues():
        with transaction.atomic():
            candidates = dispatch.due(queue)
            send_on_commit(queue, candidates)
        swept += len(candidates)
    return swept


def send_on_commit(queue: Queue, candidates: Sequence[tuple[str, str]]) -> None:
    """Lease (delivery id, target id) candidates and send them once the transaction commits."""
    leased = dispatch.lease(queue, candidates)
    if leased is not None:
        enqueue_on_commit(queue, *leased)


def enqueue_on_commit(queue: Queue, token: str, delivery_ids: list[str]) -> None:
    """Send the deliveries leased under `token` once the transaction commits: by tasks,
    or, in a worker, from this process's sender straight away. A task would wait behind
    every task queued before it (a burst of transitions queues many: in bench/alerts.py
    alerts waited 4-5 s for a free process), while the sender sends in the background
    and the process goes on with its next task."""
    if in_worker():
        transaction.on_commit(lambda: _send_now(queue, token, delivery_ids), robust=True)
        return
    for start in range(0, len(delivery_ids), BATCH_SIZE):
        delay_on_commit(send_deliveries, token, delivery_ids[start : start + BATCH_SIZE], queue.name)


def _send_now(queue: Queue, token: str, delivery_ids: list[str]) -> None:
    batch = _start(dispatch.claim(queue, token, delivery_ids))
    if batch is not None:
        batch.detach()


def insert_and_send_on_commit(queue: Queue, deliveries: list) -> None:
    """Insert new deliveries, leased already as far as their targets' caps allow (the
    sweeper takes up the rest), and send those after the commit."""
    if not deliveries:
        return
    now = deliveries[0].created_at
    target_id = queue.target_id
    chosen = set(dispatch.within_cap(queue, [(d.id, getattr(d, target_id)) for d in deliveries], now))
    token, until = dispatch.new_lease(now)
    for delivery in deliveries:
        if delivery.id in chosen:
            delivery.lease_token, delivery.lease_until = token, until
    insert_rows(queue.delivery, deliveries)
    if chosen:
        enqueue_on_commit(queue, token, [d.id for d in deliveries if d.id in chosen])

"""What an attempt's outcome does: the attempt log, the delivery's next step, the target's health.

A 2xx (or a mail server's acceptance) delivers. Anything else is retried after the next
wait of WEBHOOK_RETRY_SCHEDULE (or later, if the receiver's Retry-After asks for it)
until the schedule runs out and the delivery fails. A 410 Gone fails it at once and
disables the target (endpoint, channel); so does a target failing every attempt for
WEBHOOK_DISABLE_AFTER_DAYS. A disabled target's pending deliveries are cancelled.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import queues
from .bulk import insert_rows
from .models import DeliveryState, DeliveryTarget
from .queues import Queue
from .sender import Outcome

PENDING = DeliveryState.Status.PENDING
MAX_RETRY_AFTER = 24 * 3600


def next_attempt_delay(attempt: int, retry_after: float | None) -> float | None:
    """Seconds to wait after failed attempt number `attempt`; None once none is left."""
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    if attempt > len(schedule):
        return None
    return max(schedule[attempt - 1], min(retry_after or 0, MAX_RETRY_AFTER))


def record(outcomes: Sequence[Outcome]) -> None:
    """Record outcomes of any queues, each queue's in a transaction of its own."""
    by_queue: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_queue.setdefault(outcome.job.queue, []).append(outcome)
    for name, mine in by_queue.items():
        record_queue(queues.get(name), mine)


@transaction.atomic
def record_queue(queue: Queue, outcomes: Sequence[Outcome]) -> None:
    if not outcomes:
        return
    now = timezone.now()
    Delivery, Target = queue.delivery, queue.target
    insert_rows(
        queue.attempt,
        [
            queue.attempt(
                delivery_id=o.job.delivery_id,
                attempted_at=o.attempted_at,
                status_code=o.status_code,
                duration_ms=o.duration_ms,
                error=o.error,
                response_head=o.response_head,
            )
            for o in outcomes
        ],
    )
    # A delivery moves on only if it is still leased to the send that made the attempt
    # (the attempt is logged either way): an outcome recorded after its lease ran out
    # must not overrule the send that took the delivery over.
    delivered = [o for o in outcomes if o.delivered]
    for token in {o.job.lease_token for o in delivered}:
        Delivery.objects.filter(
            id__in=[o.job.delivery_id for o in delivered if o.job.lease_token == token], lease_token=token
        ).update(
            status=Delivery.Status.DELIVERED,
            attempts=F("attempts") + 1,
            finished_at=now,
            next_attempt_at=None,
            lease_token="",
            lease_until=None,
        )
    failed = [o for o in outcomes if not o.delivered]
    for outcome in failed:
        delay = None if outcome.status_code == 410 else next_attempt_delay(outcome.job.attempt, outcome.retry_after)
        update = {"attempts": outcome.job.attempt, "lease_token": "", "lease_until": None}
        if delay is None:
            update.update(status=Delivery.Status.FAILED, finished_at=now, next_attempt_at=None)
        else:
            update.update(next_attempt_at=now + timedelta(seconds=delay))
        Delivery.objects.filter(id=outcome.job.delivery_id, lease_token=outcome.job.lease_token).update(**update)

    Target.objects.filter(id__in={o.job.target_id for o in delivered}, failing_since__isnull=False).update(
        failing_since=None
    )
    failing = {o.job.target_id for o in failed} - {o.job.target_id for o in delivered}
    Target.objects.filter(id__in=failing, failing_since__isnull=True).update(failing_since=now)
    gone = {o.job.target_id for o in failed if o.status_code == 410}
    disable(queue, gone, DeliveryTarget.DisabledReason.GONE, now)
    too_long = now - timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    disable(
        queue,
        Target.objects.filter(id__in=failing - gone, failing_since__lte=too_long).values_list("id", flat=True),
        DeliveryTarget.DisabledReason.FAILING,
        now,
    )


def disable(queue: Queue, target_ids: Iterable[str], reason: str, now: datetime | None = None) -> None:
    """Disable targets and cancel what they still had to receive."""
    target_ids = list(target_ids)
    if not target_ids:
        return
    now = now or timezone.now()
    queue.target.objects.filter(id__in=target_ids, enabled=True).update(
        enabled=False, disabled_reason=reason, updated_at=now
    )
    cancel_pending(queue, target_ids, now)


def cancel_pending(queue: Queue, target_ids: Iterable[str], now: datetime | None = None) -> None:
    queue.delivery.objects.filter(**{f"{queue.target_id}__in": list(target_ids)}, status=PENDING).update(
        status=DeliveryState.Status.CANCELLED,
        finished_at=now or timezone.now(),
        next_attempt_at=None,
        lease_token="",
        lease_until=None,
    )

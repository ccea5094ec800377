"""What an attempt's outcome does: the attempt log, the delivery's next step, the endpoint's health.

A 2xx delivers. Anything else is retried after the next wait of WEBHOOK_RETRY_SCHEDULE
(or later, if the receiver's Retry-After asks for it) until the schedule runs out and
the delivery fails. A 410 Gone fails it at once and disables the endpoint; so does an
endpoint failing every attempt for WEBHOOK_DISABLE_AFTER_DAYS. A disabled endpoint's
pending deliveries are cancelled.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .bulk import insert_rows
from .models import Delivery, DeliveryAttempt, WebhookEndpoint
from .sender import Outcome

PENDING = Delivery.Status.PENDING
MAX_RETRY_AFTER = 24 * 3600


def next_attempt_delay(attempt: int, retry_after: float | None) -> float | None:
    """Seconds to wait after failed attempt number `attempt`; None once none is left."""
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    if attempt > len(schedule):
        return None
    return max(schedule[attempt - 1], min(retry_after or 0, MAX_RETRY_AFTER))


@transaction.atomic
def record(outcomes: Sequence[Outcome]) -> None:
    if not outcomes:
        return
    now = timezone.now()
    insert_rows(
        DeliveryAttempt,
        [
            DeliveryAttempt(
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

    WebhookEndpoint.objects.filter(id__in={o.job.endpoint_id for o in delivered}, failing_since__isnull=False).update(
        failing_since=None
    )
    failing = {o.job.endpoint_id for o in failed} - {o.job.endpoint_id for o in delivered}
    WebhookEndpoint.objects.filter(id__in=failing, failing_since__isnull=True).update(failing_since=now)
    gone = {o.job.endpoint_id for o in failed if o.status_code == 410}
    disable(gone, WebhookEndpoint.DisabledReason.GONE, now)
    too_long = now - timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    disable(
        WebhookEndpoint.objects.filter(id__in=failing - gone, failing_since__lte=too_long).values_list("id", flat=True),
        WebhookEndpoint.DisabledReason.FAILING,
        now,
    )


def disable(endpoint_ids: Iterable[str], reason: str, now: datetime | None = None) -> None:
    """Disable endpoints and cancel what they still had to receive."""
    endpoint_ids = list(endpoint_ids)
    if not endpoint_ids:
        return
    now = now or timezone.now()
    WebhookEndpoint.objects.filter(id__in=endpoint_ids, enabled=True).update(
        enabled=False, disabled_reason=reason, updated_at=now
    )
    cancel_pending(endpoint_ids, now)


def cancel_pending(endpoint_ids: Iterable[str], now: datetime | None = None) -> None:
    Delivery.objects.filter(endpoint_id__in=list(endpoint_ids), status=PENDING).update(
        status=Delivery.Status.CANCELLED,
        finished_at=now or timezone.now(),
        next_attempt_at=None,
        lease_token="",
        lease_until=None,
    )

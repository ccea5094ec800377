"""Who sends which pending delivery, and when (for every queue: webhooks, alerts).

A pending delivery is sent by the task it is leased to: dispatching sets a lease
(a token and an expiry) and enqueues the task once the transaction commits; the task
sends only what still carries its token. A lease that runs out without an outcome
(a lost broker message, a flushed Redis, a killed worker) leaves the delivery to the
sweeper, which also sends the retries that have come due. So PostgreSQL, not the
broker, decides what is still to send.

No target (endpoint, channel) has more than its queue's concurrency of deliveries
leased at once: a slow receiver holds back its own deliveries, not everyone else's.
"""

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from .queues import Queue

SWEEP_LIMIT = 10_000  # deliveries one sweep may dispatch


def _in_flight(queue: Queue, target_ids: Iterable[str], now: datetime) -> dict[str, int]:
    rows = (
        queue.delivery.objects.filter(
            **{f"{queue.target_id}__in": set(target_ids)}, status=queue.delivery.Status.PENDING, lease_until__gt=now
        )
        .values(queue.target_id)
        .annotate(n=Count("id"))
        .values_list(queue.target_id, "n")
    )
    return dict(rows)


def within_cap(queue: Queue, candidates: Sequence[tuple[str, str]], now: datetime) -> list[str]:
    """The (delivery id, target id) candidates that fit under their targets' caps.

    The targets' rows stay locked until the transaction ends, so two dispatchers
    cannot both count the same free room."""
    target_ids = sorted({target_id for _, target_id in candidates})
    list(queue.target.objects.select_for_update().filter(id__in=target_ids).order_by("id").values_list("id"))
    cap = queue.concurrency()
    room = defaultdict(lambda: cap)
    for target_id, n in _in_flight(queue, target_ids, now).items():
        room[target_id] -= n
    chosen = []
    for delivery_id, target_id in candidates:
        if room[target_id] > 0:
            room[target_id] -= 1
            chosen.append(delivery_id)
    return chosen


def new_lease(now: datetime) -> tuple[str, datetime]:
    """A token and the expiry of a lease for deliveries about to be enqueued."""
    return secrets.token_hex(16), now + timedelta(seconds=settings.WEBHOOK_DISPATCH_LEASE)


def lease(queue: Queue, candidates: Sequence[tuple[str, str]]) -> tuple[str, list[str]] | None:
    """Lease (delivery id, target id) candidates, up to each target's cap: the token
    and the delivery ids leased under it, or None if none could be."""
    now = timezone.now()
    chosen = within_cap(queue, candidates, now) if candidates else []
    if not chosen:
        return None
    token, until = new_lease(now)
    leased = queue.delivery.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now), id__in=chosen, status=queue.delivery.Status.PENDING
    ).update(lease_token=token, lease_until=until)
    return (token, chosen) if leased else None


def due(queue: Queue, now: datetime | None = None, target_ids: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """The pending deliveries that are due and not leased (or whose lease ran out),
    oldest first, at most each target's cap of them (of these targets only, if given)."""
    now = now or timezone.now()
    pending = queue.delivery.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now),
        status=queue.delivery.Status.PENDING,
        next_attempt_at__lte=now,
    )
    if target_ids is not None:
        pending = pending.filter(**{f"{queue.target_id}__in": list(target_ids)})
    return list(
        pending.annotate(
            rank=Window(RowNumber(), partition_by=F(queue.target_id), order_by=[F("next_attempt_at"), F("id")])
        )
        .filter(rank__lte=queue.concurrency())
        .order_by("next_attempt_at", "id")
        .values_list("id", queue.target_id)[:SWEEP_LIMIT]
    )


def claim(queue: Queue, token: str, delivery_ids: Sequence[str]) -> list:
    """Take up the deliveries still leased under `token`, under a token of the send's
    own (so a repeated message finds nothing left to take), for the request's timeout
    and the time to record it; return them as jobs."""
    now = timezone.now()
    sending = secrets.token_hex(16)
    Status = queue.delivery.Status
    if not queue.delivery.objects.filter(
        id__in=delivery_ids, lease_token=token, lease_until__gt=now, status=Status.PENDING
    ).update(lease_token=sending, lease_until=now + timedelta(seconds=settings.WEBHOOK_TIMEOUT + 15)):
        return []
    jobs, disabled = queue.jobs(delivery_ids, sending, now)
    if disabled:  # since they were dispatched (by the admin, say): nothing to send any more
        queue.delivery.objects.filter(id__in=disabled, lease_token=sending).update(
            status=Status.CANCELLED, finished_at=now, next_attempt_at=None, lease_token="", lease_until=None
        )
    return jobs

"""Who sends which pending delivery, and when.

A pending delivery is sent by the task it is leased to: dispatching sets a lease
(a token and an expiry) and enqueues the task once the transaction commits; the task
sends only what still carries its token. A lease that runs out without an outcome (a
lost broker message, a flushed Redis, a killed worker) leaves the delivery to the
sweeper, which also sends the retries that have come due. So PostgreSQL, not the
broker, decides what is still to send.

No endpoint has more than WEBHOOK_ENDPOINT_CONCURRENCY deliveries leased at once: a
slow receiver holds back its own deliveries, not everyone else's.
"""

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from .models import Delivery, WebhookEndpoint
from .sender import Job

SWEEP_LIMIT = 10_000  # deliveries one sweep may dispatch


def _in_flight(endpoint_ids: Iterable[str], now: datetime) -> dict[str, int]:
    rows = (
        Delivery.objects.filter(endpoint_id__in=set(endpoint_ids), status=Delivery.Status.PENDING, lease_until__gt=now)
        .values("endpoint_id")
        .annotate(n=Count("id"))
        .values_list("endpoint_id", "n")
    )
    return dict(rows)


def within_cap(candidates: Sequence[tuple[str, str]], now: datetime) -> list[str]:
    """The (delivery id, endpoint id) candidates that fit under their endpoints' caps.

    The endpoints' rows stay locked until the transaction ends, so two dispatchers
    cannot both count the same free room."""
    endpoint_ids = sorted({endpoint_id for _, endpoint_id in candidates})
    list(WebhookEndpoint.objects.select_for_update().filter(id__in=endpoint_ids).order_by("id").values_list("id"))
    room = defaultdict(lambda: settings.WEBHOOK_ENDPOINT_CONCURRENCY)
    for endpoint_id, n in _in_flight(endpoint_ids, now).items():
        room[endpoint_id] -= n
    chosen = []
    for delivery_id, endpoint_id in candidates:
        if room[endpoint_id] > 0:
            room[endpoint_id] -= 1
            chosen.append(delivery_id)
    return chosen


def new_lease(now: datetime) -> tuple[str, datetime]:
    """A token and the expiry of a lease for deliveries about to be enqueued."""
    return secrets.token_hex(16), now + timedelta(seconds=settings.WEBHOOK_DISPATCH_LEASE)


def lease(candidates: Sequence[tuple[str, str]]) -> tuple[str, list[str]] | None:
    """Lease (delivery id, endpoint id) candidates, up to each endpoint's cap: the
    token and the delivery ids leased under it, or None if none could be."""
    now = timezone.now()
    chosen = within_cap(candidates, now) if candidates else []
    if not chosen:
        return None
    token, until = new_lease(now)
    leased = Delivery.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now), id__in=chosen, status=Delivery.Status.PENDING
    ).update(lease_token=token, lease_until=until)
    return (token, chosen) if leased else None


def due(now: datetime | None = None, endpoint_ids: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """The pending deliveries that are due and not leased (or whose lease ran out),
    oldest first, at most each endpoint's cap of them (of these endpoints only, if given)."""
    now = now or timezone.now()
    pending = Delivery.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now),
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=now,
    )
    if endpoint_ids is not None:
        pending = pending.filter(endpoint_id__in=list(endpoint_ids))
    return list(
        pending.annotate(
            rank=Window(RowNumber(), partition_by=F("endpoint_id"), order_by=[F("next_attempt_at"), F("id")])
        )
        .filter(rank__lte=settings.WEBHOOK_ENDPOINT_CONCURRENCY)
        .order_by("next_attempt_at", "id")
        .values_list("id", "endpoint_id")[:SWEEP_LIMIT]
    )


def claim(token: str, delivery_ids: Sequence[str]) -> list[Job]:
    """Take up the deliveries still leased under `token`, under a token of the send's
    own (so a repeated message finds nothing left to take), for the request's timeout
    and the time to record it; return them as jobs."""
    now = timezone.now()
    sending = secrets.token_hex(16)
    if not Delivery.objects.filter(
        id__in=delivery_ids, lease_token=token, lease_until__gt=now, status=Delivery.Status.PENDING
    ).update(lease_token=sending, lease_until=now + timedelta(seconds=settings.WEBHOOK_TIMEOUT + 15)):
        return []
    mine = Delivery.objects.filter(id__in=delivery_ids, lease_token=sending)  # by primary key
    rows = mine.values_list(
        "endpoint__enabled",
        "id",
        "attempts",
        "event_id",
        "event__type",
        "event__body",
        "endpoint_id",
        "endpoint__url",
        "endpoint__secret",
        "endpoint__previous_secret",
        "endpoint__previous_secret_expires_at",
    )
    jobs, disabled = [], []
    for enabled, delivery_id, attempts, event_id, event_type, body, endpoint_id, url, secret, previous, expires in rows:
        if not enabled:
            disabled.append(delivery_id)
            continue
        in_overlap = previous and expires is not None and expires > now
        jobs.append(
            Job(
                delivery_id=delivery_id,
                lease_token=sending,
                attempt=attempts + 1,
                event_id=event_id,
                event_type=event_type,
                body=body.encode(),
                endpoint_id=endpoint_id,
                url=url,
                secrets=(secret, previous) if in_overlap else (secret,),
            )
        )
    if disabled:  # since they were dispatched (by the admin, say): nothing to send any more
        Delivery.objects.filter(id__in=disabled, lease_token=sending).update(
            status=Delivery.Status.CANCELLED, finished_at=now, next_attempt_at=None, lease_token="", lease_until=None
        )
    return jobs

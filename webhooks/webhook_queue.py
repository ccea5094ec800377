"""Webhook deliveries as a queue of the delivery machinery: an event's stored body,
POSTed signed to its endpoint."""

import time
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings

from .channels.message import Request
from .models import Delivery, DeliveryAttempt, WebhookEndpoint
from .queues import Queue
from .sender import Job
from .signing import signature_headers


def jobs(delivery_ids: Sequence[str], sending: str, now: datetime) -> tuple[list[Job], list[str]]:
    rows = Delivery.objects.filter(id__in=delivery_ids, lease_token=sending).values_list(  # by primary key
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
    timestamp = int(time.time())
    found, disabled = [], []
    for enabled, delivery_id, attempts, event_id, event_type, body, endpoint_id, url, secret, previous, expires in rows:
        if not enabled:
            disabled.append(delivery_id)
            continue
        in_overlap = previous and expires is not None and expires > now
        body = body.encode()
        headers = {
            "Content-Type": "application/json",
            "X-StatusApp-Event": event_type,
            "X-StatusApp-Delivery": delivery_id,
            **signature_headers(
                secrets=(secret, previous) if in_overlap else (secret,),
                message_id=event_id,
                timestamp=timestamp,
                body=body,
            ),
        }
        found.append(
            Job(
                queue=WEBHOOKS.name,
                delivery_id=delivery_id,
                lease_token=sending,
                attempt=attempts + 1,
                target_id=endpoint_id,
                request=Request("POST", url, headers, body),
            )
        )
    return found, disabled


WEBHOOKS = Queue(
    name="webhooks",
    delivery=Delivery,
    attempt=DeliveryAttempt,
    target=WebhookEndpoint,
    target_field="endpoint",
    concurrency=lambda: settings.WEBHOOK_ENDPOINT_CONCURRENCY,
    jobs=jobs,
)

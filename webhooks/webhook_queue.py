"""Webhook deliveries as a queue of the delivery machinery: an event's stored body,
POSTed signed to its endpoint.

An endpoint whose secret the current STATUSAPP_ENCRYPTION_KEY cannot open (the key was
changed) cannot sign: its deliveries are cancelled, each with an attempt saying why, and
the rest of the batch is sent. A previous secret that cannot be opened just stops signing.
"""

import logging
import time
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings

from accounts.encryption import Undecryptable

from .bulk import insert_rows
from .channels.message import Request
from .models import AttemptLog, Delivery, DeliveryAttempt, WebhookEndpoint
from .queues import Queue
from .sender import Job
from .signing import signature_headers, signing_secrets

logger = logging.getLogger(__name__)

UNDECRYPTABLE = "secret cannot be decrypted: was STATUSAPP_ENCRYPTION_KEY changed?"


def log_undecryptable(attempt_model: type[AttemptLog], delivery_ids: Sequence[str], now: datetime) -> None:
    """The attempt each of these deliveries ends with, unsent: its target's secret cannot be read."""
    insert_rows(
        attempt_model,
        [attempt_model(delivery_id=i, attempted_at=now, duration_ms=0, error=UNDECRYPTABLE) for i in delivery_ids],
    )


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
    found, cancelled, unreadable = [], [], {}
    for enabled, delivery_id, attempts, event_id, event_type, body, endpoint_id, url, secret, previous, expires in rows:
        if not enabled:
            cancelled.append(delivery_id)
            continue
        if isinstance(secret, Undecryptable):
            unreadable.setdefault(endpoint_id, []).append(delivery_id)
            continue
        body = body.encode()
        headers = {
            "Content-Type": "application/json",
            "X-StatusApp-Event": event_type,
            "X-StatusApp-Delivery": delivery_id,
            **signature_headers(
                secrets=signing_secrets(secret, previous, expires, now),
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
    for endpoint_id, unsent in unreadable.items():
        # Never with the secret, not even its ciphertext.
        logger.error("webhook endpoint %s: %s", endpoint_id, UNDECRYPTABLE)
        log_undecryptable(DeliveryAttempt, unsent, now)
        cancelled.extend(unsent)
    return found, cancelled


WEBHOOKS = Queue(
    name="webhooks",
    delivery=Delivery,
    attempt=DeliveryAttempt,
    target=WebhookEndpoint,
    target_field="endpoint",
    concurrency=lambda: settings.WEBHOOK_ENDPOINT_CONCURRENCY,
    jobs=jobs,
)

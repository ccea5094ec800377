"""Events: written in the transaction of their cause, with a delivery per endpoint that wants them."""

from collections.abc import Iterable
from datetime import datetime

import orjson
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from statusapp.api.fields import isoformat
from statusapp.api.ids import new_id

from . import tasks
from .bulk import insert_rows
from .models import TEST_EVENT, Delivery, Event, WebhookEndpoint
from .webhook_queue import WEBHOOKS

# Sent inside the publishing transaction with `events` (the new Event rows); alerts
# listens for the incident events some channels want.
events_published = Signal()


def _event(organization_id: int, event_type: str, payload: dict, now: datetime) -> Event:
    event_id = new_id("evt")
    envelope = {"id": event_id, "event": event_type, "timestamp": isoformat(now)}
    if envelope.keys() & payload.keys():
        raise ValueError(f"a payload cannot set {sorted(envelope.keys() & payload.keys())}")
    body = {**envelope, **payload}
    return Event(
        id=event_id, organization_id=organization_id, type=event_type, body=orjson.dumps(body).decode(), created_at=now
    )


@transaction.atomic
def publish(events: Iterable[tuple[int, str, dict]]) -> list[Event]:
    """Record (organization id, event type, payload) events and queue their deliveries.

    The body is serialized here, once: every attempt sends these bytes. Deliveries
    are dispatched when the transaction commits; nothing is sent for a rollback.
    """
    now = timezone.now()
    created = [_event(organization_id, event_type, payload, now) for organization_id, event_type, payload in events]
    if not created:
        return created
    insert_rows(Event, created)
    events_published.send(sender=Event, events=created)
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        organization_id__in={event.organization_id for event in created}, enabled=True
    ).only("id", "organization_id", "events"):
        endpoints.setdefault(endpoint.organization_id, []).append(endpoint)
    deliveries = [
        Delivery(event=event, endpoint_id=endpoint.id, created_at=now, next_attempt_at=now)
        for event in created
        for endpoint in endpoints.get(event.organization_id, ())
        if event.type in endpoint.events
    ]
    tasks.insert_and_send_on_commit(WEBHOOKS, deliveries)
    return created


@transaction.atomic
def publish_test(endpoint: WebhookEndpoint) -> Delivery:
    """A `webhook.test` event for this endpoint alone, whatever it subscribes to."""
    now = timezone.now()
    event = _event(endpoint.organization_id, TEST_EVENT, {"endpoint": {"id": endpoint.id}}, now)
    insert_rows(Event, [event])
    delivery = Delivery(event=event, endpoint_id=endpoint.id, created_at=now, next_attempt_at=now)
    tasks.insert_and_send_on_commit(WEBHOOKS, [delivery])
    return delivery

import orjson
from rest_framework import serializers

from statusapp.api.fields import TargetUrlField, isoformat
from statusapp.api.serializers import StrictSerializer
from webhooks.models import TEST_EVENT, Delivery, DeliveryAttempt, EventType, WebhookEndpoint


class WebhookEndpointSerializer(StrictSerializer):
    id = serializers.CharField(read_only=True)
    url = TargetUrlField()
    description = serializers.CharField(max_length=500, allow_blank=True, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        allow_empty=False,
        required=False,
        help_text="Event types to receive; all of them when omitted.",
    )
    enabled = serializers.BooleanField(
        required=False, help_text='`PUT {"enabled": true}` re-enables a disabled endpoint (and clears the reason).'
    )
    disabledReason = serializers.ChoiceField(
        source="disabled_reason",
        choices=WebhookEndpoint.DisabledReason.choices,
        read_only=True,
        help_text="Why the endpoint is disabled: `user` (set `enabled` false), `gone` (the receiver "
        "answered 410), `failing` (every attempt failed for days); empty while enabled.",
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    def validate_events(self, value: list[str]) -> list[str]:
        return sorted(set(value), key=EventType.values.index)

    def to_representation(self, endpoint: WebhookEndpoint) -> dict:
        return {
            "id": endpoint.id,
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "enabled": endpoint.enabled,
            "disabledReason": endpoint.disabled_reason,
            "createdAt": isoformat(endpoint.created_at),
            "updatedAt": isoformat(endpoint.updated_at),
        }


class CreatedWebhookEndpointSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Signing secret. Shown only in this response.")

    def to_representation(self, endpoint: WebhookEndpoint) -> dict:
        return {**super().to_representation(endpoint), "secret": endpoint.secret}


class RotatedWebhookEndpointSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The new signing secret. Shown only in this response (and at creation)."
    )
    previousSecretExpiresAt = serializers.DateTimeField(
        source="previous_secret_expires_at",
        read_only=True,
        help_text="Until then deliveries are signed with the previous secret too.",
    )

    def to_representation(self, endpoint: WebhookEndpoint) -> dict:
        return {
            **super().to_representation(endpoint),
            "secret": endpoint.secret,
            "previousSecretExpiresAt": isoformat(endpoint.previous_secret_expires_at),
        }


# --- deliveries ---

DELIVERY_STATUSES = tuple(Delivery.Status.values)
# What a delivery's `event` can be: the subscribable types and the test event.
DELIVERY_EVENT_TYPES = (*EventType.values, TEST_EVENT)


class DeliveryAttemptSerializer(serializers.Serializer):
    """One HTTP attempt of a delivery (read-only)."""

    attemptedAt = serializers.DateTimeField(source="attempted_at", read_only=True)
    statusCode = serializers.IntegerField(
        source="status_code", read_only=True, allow_null=True, help_text="null when no response came back."
    )
    durationMs = serializers.IntegerField(source="duration_ms", read_only=True)
    error = serializers.CharField(read_only=True, help_text="Empty when the receiver answered 2xx.")
    response = serializers.CharField(
        source="response_head", read_only=True, help_text="The first bytes (up to 500) of the response body."
    )

    def to_representation(self, attempt: DeliveryAttempt) -> dict:
        return {
            "attemptedAt": isoformat(attempt.attempted_at),
            "statusCode": attempt.status_code,
            "durationMs": attempt.duration_ms,
            "error": attempt.error,
            "response": attempt.response_head,
        }


class DeliverySerializer(serializers.Serializer):
    """One event's delivery to one endpoint, with its attempts newest first (read-only).

    Reads `event_type` (annotated) and the prefetched `attempt_log`.
    """

    id = serializers.CharField(read_only=True)
    eventId = serializers.CharField(source="event_id", read_only=True, help_text="The `webhook-id` header sent.")
    event = serializers.CharField(
        source="event_type", read_only=True, help_text="Event type: " + ", ".join(DELIVERY_EVENT_TYPES) + "."
    )
    status = serializers.ChoiceField(choices=Delivery.Status.choices, read_only=True)
    attempts = serializers.IntegerField(read_only=True, help_text="How many attempts were made.")
    nextAttemptAt = serializers.DateTimeField(
        source="next_attempt_at", read_only=True, allow_null=True, help_text="When a pending delivery is sent next."
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    finishedAt = serializers.DateTimeField(
        source="finished_at", read_only=True, allow_null=True, help_text="When it was delivered, failed or cancelled."
    )
    attemptLog = DeliveryAttemptSerializer(source="attempt_log", many=True, read_only=True)

    def to_representation(self, delivery: Delivery) -> dict:
        attempts = list(delivery.attempt_log.all())  # prefetched, newest first
        log = DeliveryAttemptSerializer()
        return {
            "id": delivery.id,
            "eventId": delivery.event_id,
            "event": delivery.event_type,
            "status": delivery.status,
            # The log's length: an attempt whose outcome came after a cancellation is logged
            # but not counted by the delivery's own counter.
            "attempts": len(attempts),
            "nextAttemptAt": isoformat(delivery.next_attempt_at),
            "createdAt": isoformat(delivery.created_at),
            "finishedAt": isoformat(delivery.finished_at),
            "attemptLog": [log.to_representation(attempt) for attempt in attempts],
        }


class DeliveryDetailSerializer(DeliverySerializer):
    """A delivery with its payload. Also reads `event_body` (annotated)."""

    payload = serializers.JSONField(read_only=True, help_text="The body sent, exactly as sent, as JSON.")

    def to_representation(self, delivery: Delivery) -> dict:
        return {**super().to_representation(delivery), "payload": orjson.Fragment(delivery.event_body)}


# --- events ---


class EventSerializer(serializers.Serializer):
    """An event: the JSON body every receiver got, byte for byte (read-only).

    The fields besides these three are the event's payload, as in the API guide.
    """

    id = serializers.CharField(read_only=True, help_text="`evt_…`; the `webhook-id` header of its deliveries.")
    event = serializers.ChoiceField(
        choices=DELIVERY_EVENT_TYPES,
        read_only=True,
        help_text="The event type; `webhook.test` only for a test event looked up by its id.",
    )
    timestamp = serializers.DateTimeField(read_only=True)

    def to_representation(self, event) -> orjson.Fragment:
        # The stored body is the JSON text that was sent: embedded as it is, not re-encoded.
        return orjson.Fragment(event.body)

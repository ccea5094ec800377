from rest_framework import serializers

from statusapp.api.fields import TargetUrlField, isoformat
from statusapp.api.serializers import StrictSerializer
from webhooks.models import EventType, WebhookEndpoint


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
    enabled = serializers.BooleanField(required=False)
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
            "createdAt": isoformat(endpoint.created_at),
            "updatedAt": isoformat(endpoint.updated_at),
        }


class CreatedWebhookEndpointSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Signing secret. Shown only in this response.")

    def to_representation(self, endpoint: WebhookEndpoint) -> dict:
        return {**super().to_representation(endpoint), "secret": endpoint.secret}

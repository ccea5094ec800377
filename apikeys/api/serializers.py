from django.utils import timezone
from rest_framework import serializers

from apikeys.models import ApiKey
from statusapp.api.fields import StrictDateTimeField
from statusapp.api.serializers import StrictSerializer


class ApiKeySerializer(StrictSerializer):
    id = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=100)
    permission = serializers.ChoiceField(choices=ApiKey.Permission.choices)
    prefix = serializers.CharField(read_only=True)
    expiresAt = StrictDateTimeField(source="expires_at", required=False, allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    lastUsedAt = serializers.DateTimeField(source="last_used_at", read_only=True, allow_null=True)
    revokedAt = serializers.DateTimeField(source="revoked_at", read_only=True, allow_null=True)

    def validate_expiresAt(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("Must be in the future.")
        return value


class CreatedApiKeySerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text="The full key. Shown only in this response.")

from rest_framework import serializers

from monitors.models import Monitor
from statusapp.api.fields import isoformat
from statusapp.api.serializers import StrictSerializer
from statuspages import subscriptions
from statuspages.models import StatusPage, Subscriber


class MonitorIdsField(serializers.ListField):
    """Monitor ids of the caller's organization, in display order."""

    child = serializers.CharField(max_length=64)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        ids = super().to_internal_value(data)
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("A monitor is listed twice.")
        organization = self.context["request"].auth.organization
        monitors = Monitor.objects.filter(organization=organization, id__in=ids).only("id").in_bulk()
        unknown = [monitor_id for monitor_id in ids if monitor_id not in monitors]
        if unknown:
            raise serializers.ValidationError(f"Unknown monitor: {', '.join(unknown[:5])}.")
        return [monitors[monitor_id] for monitor_id in ids]


class StatusPageSerializer(StrictSerializer):
    id = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=100, required=False, help_text="Defaults to one made from the name.")
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    isPublic = serializers.BooleanField(source="is_public", required=False)
    components = MonitorIdsField(required=False, help_text="Monitor ids shown on the page, in order.")
    url = serializers.CharField(read_only=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value.strip()

    def validate_slug(self, value: str) -> str:
        value = value.lower()
        taken = StatusPage.objects.filter(slug=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError("This slug is already taken.")
        return value

    def to_representation(self, page: StatusPage) -> dict:
        path = f"/status/{page.slug}/"
        request = self.context.get("request")
        return {
            "id": page.id,
            "name": page.name,
            "slug": page.slug,
            "description": page.description,
            "isPublic": page.is_public,
            "components": [component.monitor_id for component in page.components.all()],
            "url": request.build_absolute_uri(path) if request is not None else path,
            "createdAt": isoformat(page.created_at),
            "updatedAt": isoformat(page.updated_at),
        }


class SubscriberSerializer(StrictSerializer):
    id = serializers.CharField(read_only=True)
    email = serializers.CharField(max_length=subscriptions.MAX_EMAIL_LENGTH, help_text="Stored lowercased.")
    confirmed = serializers.BooleanField(
        default=False,
        help_text="On create: true adds an address that already opted in (an imported list) without a "
        "confirmation email. Otherwise the address gets one and is not emailed updates until it confirms.",
    )
    confirmedAt = serializers.DateTimeField(source="confirmed_at", read_only=True, allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)

    def validate_email(self, value: str) -> str:
        try:
            return subscriptions.normalize_email(value)
        except subscriptions.InvalidEmail as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, subscriber: Subscriber) -> dict:
        # Also given the light rows of a list (see the view's list_columns).
        return {
            "id": subscriber.id,
            "email": subscriber.email,
            "confirmed": subscriber.confirmed_at is not None,
            "confirmedAt": isoformat(subscriber.confirmed_at),
            "createdAt": isoformat(subscriber.created_at),
        }

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from monitors.models import Monitor
from statusapp.api.fields import isoformat
from statusapp.api.serializers import StrictSerializer
from statuspages import settings_fields, subscriptions
from statuspages.models import StatusPage, Subscriber


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "example": "mon_123"},
            {
                "type": "object",
                "properties": {"id": {"type": "string"}, "group": {"type": "string", "maxLength": 100}},
                "required": ["id"],
                "additionalProperties": False,
            },
        ]
    }
)
class ComponentField(serializers.Field):
    """A monitor id, or `{"id": "mon_…", "group": "API"}` to show it in a group."""

    default_error_messages = {"invalid": 'Must be a monitor id or {{"id": "mon_…", "group": "…"}}.'}

    def to_internal_value(self, data) -> tuple[str, str]:
        if isinstance(data, str):
            data = {"id": data}
        if not isinstance(data, dict) or set(data) - {"id", "group"} or not isinstance(data.get("id"), str):
            self.fail("invalid")
        group = data.get("group", "")
        if not isinstance(group, str) or len(group) > 100 or "\x00" in group:
            raise serializers.ValidationError("group must be text of at most 100 characters.")
        if len(data["id"]) > 64 or "\x00" in data["id"]:
            raise serializers.ValidationError("Not a monitor id.")
        return data["id"], group.strip()


class MonitorIdsField(serializers.ListField):
    """Monitor ids of the caller's organization (optionally with a group), in display order."""

    child = ComponentField()

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        entries = super().to_internal_value(data)
        ids = [monitor_id for monitor_id, _group in entries]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("A monitor is listed twice.")
        organization = self.context["request"].auth.organization
        monitors = Monitor.objects.filter(organization=organization, id__in=ids).only("id").in_bulk()
        unknown = [monitor_id for monitor_id in ids if monitor_id not in monitors]
        if unknown:
            raise serializers.ValidationError(f"Unknown monitor: {', '.join(unknown[:5])}.")
        return [(monitors[monitor_id], group) for monitor_id, group in entries]


class SettingField(serializers.CharField):
    """Text checked (and turned into what is stored) by a settings_fields function."""

    def __init__(self, convert, **kwargs):
        self.convert = convert
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        # The text as sent is what max_length and the other validators judge (a password's
        # hash is always short); then it is converted, "" included (no logo, no custom
        # domain, no password).
        value = super().run_validation(data)
        if value is None:
            return None
        try:
            return self.convert(value)
        except settings_fields.Invalid as exc:
            raise serializers.ValidationError(str(exc)) from None


class StatusPageSerializer(StrictSerializer):
    id = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=100, required=False, help_text="Defaults to one made from the name.")
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    isPublic = serializers.BooleanField(
        source="is_public",
        required=False,
        help_text="A private page asks for its password when it has one, and is otherwise for members only.",
    )
    password = SettingField(
        settings_fields.password_hash,
        source="password_hash",
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=128,
        help_text='Password of a private page (at least 8 characters); "" removes it. Never shown.',
    )
    hasPassword = serializers.BooleanField(read_only=True)
    notifyAutomaticIncidents = serializers.BooleanField(
        source="notify_automatic_incidents",
        required=False,
        help_text="Also email the page's subscribers the timeline of incidents opened automatically (a monitor "
        "down, back up, resolved) that concern its components. Off by default: subscribers then get only the "
        "updates posted with notifySubscribers.",
    )
    accentColor = serializers.RegexField(
        r"\A#[0-9a-fA-F]{6}\Z", source="accent_color", required=False, help_text="Like #2563eb."
    )
    customDomain = SettingField(
        settings_fields.custom_domain,
        source="custom_domain",
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=253,
        help_text="Served when a request's Host is this name (it must also be in ALLOWED_HOSTS), once verified: "
        "see customDomainToken and POST /api/status-pages/{id}/verify-domain. Changing it resets the verification.",
    )
    customDomainVerified = serializers.BooleanField(
        read_only=True, help_text="Whether the custom domain is proved to be the page owner's, and so routed."
    )
    customDomainToken = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Put it in a TXT record at _statusapp-challenge.<customDomain>, or serve it at "
        "http://<customDomain>/.well-known/statusapp-challenge, then verify the domain.",
    )
    logo = SettingField(
        settings_fields.logo_from_data_url,
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=200_000,
        help_text='A PNG, JPEG, GIF or WebP image as a data URL (at most 128 KB); "" removes it.',
    )
    logoUrl = serializers.CharField(read_only=True, allow_null=True)
    components = MonitorIdsField(
        required=False,
        help_text='Monitors shown on the page, in order: ids, or {"id": "mon_…", "group": "API"} to group them.',
    )
    groups = serializers.ListField(read_only=True, help_text="The grouped components: [{name, components}].")
    url = serializers.CharField(read_only=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value.strip()

    def validate_customDomain(self, value: str | None) -> str | None:  # noqa: N802 (the API's field name)
        # Only a verified claim counts: an unproved one must not keep the domain from its owner.
        taken = StatusPage.objects.filter(custom_domain=value, custom_domain_verified=True) if value else None
        if taken is not None and self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken is not None and taken.exists():
            raise serializers.ValidationError("Another page already uses this domain.")
        return value

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
        url = request.build_absolute_uri(path) if request is not None else path
        components = list(page.components.all())
        groups: dict[str, list[str]] = {}
        for component in components:
            if component.group:
                groups.setdefault(component.group, []).append(component.monitor_id)
        return {
            "id": page.id,
            "name": page.name,
            "slug": page.slug,
            "description": page.description,
            "isPublic": page.is_public,
            "hasPassword": bool(page.password_hash),
            "notifyAutomaticIncidents": page.notify_automatic_incidents,
            "accentColor": page.accent_color,
            "customDomain": page.custom_domain,
            "customDomainVerified": page.custom_domain_verified,
            "customDomainToken": page.custom_domain_token or None,
            "logoUrl": f"{url}logo" if page.logo_type else None,
            "components": [component.monitor_id for component in components],
            "groups": [{"name": name, "components": ids} for name, ids in groups.items()],
            "url": url,
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

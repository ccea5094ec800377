from rest_framework import serializers

from accounts.encryption import MASK
from alerts import services
from alerts.models import DEFAULT_EVENTS, Alert, AlertChannel, AlertEvent
from monitors.models import Monitor
from statusapp.api.fields import isoformat
from statusapp.api.serializers import StrictSerializer
from webhooks import channels
from webhooks.api.serializers import DeliveryAttemptSerializer

UNREADABLE = f"{MASK} (cannot be decrypted)"


def _field_names(channel_type: str) -> list[str]:
    if channel_type in services.LOCAL_TYPES:
        return sorted(services.LOCAL_TYPES[channel_type][0])
    channel_type_info = channels.TYPES.get(channel_type)
    return [field.name for field in channel_type_info.fields] if channel_type_info else []


def _config_help() -> str:
    def described(field) -> str:
        notes = [note for note, on in (("secret", field.secret), ("optional", not field.required)) if on]
        return f"`{field.name}`" + (f" ({', '.join(notes)})" if notes else "")

    lines = [
        "The type's settings. Secret values (marked below) are shown in full only in the create response; "
        f"afterwards as a mask (`{MASK}` and the last 4 characters of a long token; an http(s) URL keeps "
        "its scheme and host). A changed config keeps each secret left out of it or sent as its mask. "
        "A config the server cannot decrypt (its encryption key was changed) shows each of the type's fields as "
        f"`{UNREADABLE}` and sends nothing: a whole new config repairs it. By type:",
    ]
    for name, channel_type in channels.TYPES.items():
        fields = ", ".join(described(field) for field in channel_type.fields)
        lines.append(f"- `{name}`: {fields}. {channel_type.hint}")
    lines.append(
        "- `webhook`: `endpoint`, the id (`wh_…`) of one of your webhook endpoints; alerts are sent to it "
        "signed as its events are."
    )
    lines.append("- `apprise`: `url` (secret), an Apprise URL; only where the server's operator allows Apprise.")
    return "\n".join(lines)


class ChannelTypeField(serializers.ChoiceField):
    """A channel type; Apprise only where the operator turned it on (refused with a message saying so)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=AlertChannel.Type.choices, **kwargs)

    def to_internal_value(self, data):
        if data == services.APPRISE and not services.apprise_enabled():
            raise serializers.ValidationError(services.APPRISE_OFF)
        return super().to_internal_value(data)


class AlertChannelSerializer(StrictSerializer):
    id = serializers.CharField(read_only=True, help_text="`ach_…`")
    name = serializers.CharField(max_length=200)
    type = ChannelTypeField(help_text="Where alerts go; `config` holds that type's settings.")
    config = serializers.DictField(help_text=_config_help())
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=AlertEvent.choices),
        allow_empty=False,
        required=False,
        help_text="What the channel is alerted about; when omitted at creation: "
        + ", ".join(str(event) for event in DEFAULT_EVENTS)
        + ".",
    )
    allMonitors = serializers.BooleanField(
        source="all_monitors",
        required=False,
        help_text="Alerted about every monitor; otherwise only about monitors naming it in `alertChannels` "
        "(and their escalation steps). False when omitted at creation.",
    )
    enabled = serializers.BooleanField(
        required=False,
        help_text='`PUT {"enabled": false}` cancels the alerts still to send; `true` re-enables a disabled '
        "channel (and clears the reason).",
    )
    disabledReason = serializers.ChoiceField(
        source="disabled_reason",
        choices=AlertChannel.DisabledReason.choices,
        read_only=True,
        help_text="Why the channel is disabled: `user` (set `enabled` false), `gone` (the service answered 410), "
        "`failing` (every attempt failed for days); empty while enabled.",
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    def validate_events(self, value: list[str]) -> list[str]:
        return sorted(set(value), key=AlertEvent.values.index)

    def config_shown(self, channel: AlertChannel) -> dict:
        if not channel.config_readable:
            # Sent back, these are refused as masks (or as bad values): nothing of them is stored.
            return dict.fromkeys(_field_names(channel.type), UNREADABLE)
        return services.masked_config(channel)

    def to_representation(self, channel: AlertChannel) -> dict:
        return {
            "id": channel.id,
            "name": channel.name,
            "type": channel.type,
            "config": self.config_shown(channel),
            "events": channel.events,
            "allMonitors": channel.all_monitors,
            "enabled": channel.enabled,
            "disabledReason": channel.disabled_reason,
            "createdAt": isoformat(channel.created_at),
            "updatedAt": isoformat(channel.updated_at),
        }


class CreatedAlertChannelSerializer(AlertChannelSerializer):
    """The create response: the config in full, secrets included, this once."""

    def config_shown(self, channel: AlertChannel) -> dict:
        return channel.config


# --- deliveries ---


class AlertDeliverySerializer(serializers.Serializer):
    """One alert to one channel, with its attempts newest first (read-only). Reads the prefetched `attempt_log`."""

    id = serializers.CharField(read_only=True, help_text="`alr_…`")
    kind = serializers.CharField(read_only=True, help_text="What the alert is about, e.g. `down`, `up`, `test`.")
    status = serializers.ChoiceField(choices=Alert.Status.choices, read_only=True)
    attempts = serializers.IntegerField(read_only=True, help_text="How many attempts were made.")
    nextAttemptAt = serializers.DateTimeField(
        source="next_attempt_at", read_only=True, allow_null=True, help_text="When a pending alert is sent next."
    )
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    finishedAt = serializers.DateTimeField(
        source="finished_at", read_only=True, allow_null=True, help_text="When it was delivered, failed or cancelled."
    )
    monitor = serializers.CharField(
        source="monitor_id", read_only=True, allow_null=True, help_text="The monitor it is about; null for a test."
    )
    attemptLog = DeliveryAttemptSerializer(source="attempt_log", many=True, read_only=True)

    def to_representation(self, alert: Alert) -> dict:
        attempts = list(alert.attempt_log.all())  # prefetched, newest first
        log = DeliveryAttemptSerializer()
        return {
            "id": alert.id,
            "kind": alert.kind,
            "status": alert.status,
            "attempts": len(attempts),  # the log's length, as for webhook deliveries
            "nextAttemptAt": isoformat(alert.next_attempt_at),
            "createdAt": isoformat(alert.created_at),
            "finishedAt": isoformat(alert.finished_at),
            "monitor": alert.monitor_id,
            "attemptLog": [log.to_representation(attempt) for attempt in attempts],
        }


# --- acknowledgement ---


class AcknowledgedMonitorSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Monitor.Status.choices, read_only=True)
    acknowledgedAt = serializers.DateTimeField(source="acknowledged_at", read_only=True)
    acknowledgedBy = serializers.CharField(source="acknowledged_by", read_only=True)

    def to_representation(self, monitor: Monitor) -> dict:
        return {
            "id": monitor.id,
            "status": monitor.status,
            "acknowledgedAt": isoformat(monitor.acknowledged_at),
            "acknowledgedBy": monitor.acknowledged_by,
        }


class AcknowledgementSerializer(serializers.Serializer):
    """The acknowledged monitor."""

    monitor = AcknowledgedMonitorSerializer(read_only=True)

    def to_representation(self, monitor: Monitor) -> dict:
        return {"monitor": AcknowledgedMonitorSerializer().to_representation(monitor)}

"""Alert channels: create, change and delete them; what their config shows once it is stored.

A channel's config holds secrets StatusApp must send on (chat webhook URLs, routing keys,
tokens): stored encrypted (AlertChannel.config_json), shown in the clear only in the create
response, masked everywhere after that. The mask is MASK, plus the last 4 characters of a
token of 20 characters or more; an http(s) URL keeps its scheme and host
(`https://hooks.slack.com/••••`), any other URL only its scheme (`tgram://••••`, Apprise's:
its host is often a token). A changed config sent back with a secret field omitted, or equal
to the mask shown, keeps that field's stored value, so a client can GET, edit, PUT back.
"""

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from rest_framework.exceptions import ValidationError

from accounts import generation
from accounts.encryption import MASK, MASKED_VALUE
from accounts.models import Organization
from accounts.plans import has_room
from monitors.models import Monitor
from statusapp.api.exceptions import PlanLimitReached
from webhooks import channels, recording
from webhooks.models import WebhookEndpoint

from .alert_queue import ALERTS
from .models import DEFAULT_EVENTS, AlertChannel, Outage

# Tokens at least this long show their last 4 characters under the mask.
SHOW_TAIL_FROM = 20

WEBHOOK = AlertChannel.Type.WEBHOOK.value
APPRISE = AlertChannel.Type.APPRISE.value
# Types checked here rather than by webhooks.channels: a webhook channel names an endpoint
# of the organization (a database question); Apprise is an operator's choice.
LOCAL_TYPES = {
    WEBHOOK: ({"endpoint"}, frozenset()),
    APPRISE: ({"url"}, frozenset({"url"})),
}
_APPRISE_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}://\S+")
APPRISE_URL_MAX = 2048
APPRISE_OFF = "Apprise channels are off on this server: an operator turns them on with STATUSAPP_APPRISE."


def apprise_enabled() -> bool:
    return settings.STATUSAPP_APPRISE


def secret_fields(channel_type: str) -> frozenset[str]:
    if channel_type in LOCAL_TYPES:
        return LOCAL_TYPES[channel_type][1]
    channel_type_info = channels.TYPES.get(channel_type)
    return channel_type_info.secret if channel_type_info else frozenset()


# --- config ---


def mask(value: object) -> str:
    """What a secret value shows after creation: never the value itself."""
    text = value if isinstance(value, str) else ""
    if "://" in text:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https") and parts.hostname:
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            try:
                port = f":{parts.port}" if parts.port else ""
            except ValueError:
                port = ""
            return f"{scheme}://{host}{port}/{MASK}"
        if scheme:
            return f"{scheme}://{MASK}"
        return MASK
    if len(text) >= SHOW_TAIL_FROM:
        return MASK + text[-4:]
    return MASK


def masked_config(channel: AlertChannel) -> dict:
    """The channel's config with each secret value masked."""
    secret = secret_fields(channel.type)
    return {name: mask(value) if name in secret else value for name, value in channel.config.items()}


def _invalid(fields: dict[str, list[str]]) -> ValidationError:
    """A 400 whose `fields` name the config's fields (`config.url`), or `type`, or `config` itself."""
    outside = {name: fields.pop(name) for name in ("type", "config") if name in fields}
    errors = dict(outside)
    if fields:
        errors["config"] = fields
    return ValidationError(errors)


def _webhook_config(organization: Organization, config: dict) -> dict:
    endpoint = config.get("endpoint")
    if endpoint in (None, ""):
        raise _invalid({"endpoint": ["This field is required: the id (wh_…) of one of your webhook endpoints."]})
    if not isinstance(endpoint, str) or len(endpoint) > 64:
        raise _invalid({"endpoint": ["Must be a webhook endpoint id (wh_…)."]})
    if not WebhookEndpoint.objects.filter(organization=organization, pk=endpoint).exists():
        raise _invalid({"endpoint": [f"Unknown webhook endpoint: {endpoint}."]})
    return {"endpoint": endpoint}


def _apprise_config(config: dict) -> dict:
    if not apprise_enabled():
        raise _invalid({"type": [APPRISE_OFF]})
    url = config.get("url")
    if url in (None, ""):
        raise _invalid({"url": ["This field is required."]})
    if not isinstance(url, str):
        raise _invalid({"url": ["Must be a string."]})
    url = url.strip()
    if len(url) > APPRISE_URL_MAX:
        raise _invalid({"url": [f"At most {APPRISE_URL_MAX} characters."]})
    if not _APPRISE_URL.fullmatch(url) or not url.isprintable():
        raise _invalid({"url": ["Enter an Apprise URL, e.g. tgram://bottoken/ChatID."]})
    return {"url": url}


def clean_config(*, organization: Organization, type: str, config: object) -> dict:
    """The config to store for a channel of `type`; a 400 naming each bad field otherwise."""
    if type in LOCAL_TYPES:
        if not isinstance(config, dict):
            raise _invalid({"config": ["Must be an object."]})
        allowed = LOCAL_TYPES[type][0]
        unknown = {str(name): ["Unknown field."] for name in config if name not in allowed}
        if unknown:
            raise _invalid(unknown)
        return _webhook_config(organization, config) if type == WEBHOOK else _apprise_config(config)
    try:
        return channels.validate_config(type, config)
    except channels.ConfigError as exc:
        raise _invalid(dict(exc.fields)) from None


def _refuse_masks(channel_type: str, config: object, stored: dict | None = None) -> None:
    """A secret sent as a mask (other than the stored value's own) would be stored as the secret."""
    if not isinstance(config, dict):
        return
    errors = {}
    for name in secret_fields(channel_type):
        value = config.get(name)
        if isinstance(value, str) and MASK in value and (stored is None or value != mask(stored.get(name))):
            errors[name] = [MASKED_VALUE]
    if errors:
        raise _invalid(errors)


def _with_kept_secrets(channel: AlertChannel, channel_type: str, config: object) -> object:
    """`config`, with the stored value of each secret field omitted from it or sent as its mask."""
    if not isinstance(config, dict) or channel_type != channel.type:
        _refuse_masks(channel_type, config)
        return config
    stored = channel.config
    _refuse_masks(channel_type, config, stored)
    merged = dict(config)
    for name in secret_fields(channel_type):
        if name not in stored:
            continue
        if name not in config or config[name] == mask(stored[name]):
            merged[name] = stored[name]
    return merged


# --- channels ---


@transaction.atomic
def channel_create(
    *,
    organization: Organization,
    name: str,
    type: str,
    config: object,
    events: Sequence[str] | None = None,
    all_monitors: bool = False,
    enabled: bool = True,
) -> AlertChannel:
    _refuse_masks(type, config)
    cleaned = clean_config(organization=organization, type=type, config=config)
    limit = organization.limits.alert_channels
    if not has_room(organization, limit, AlertChannel.objects.filter(organization=organization)):
        raise PlanLimitReached(f"The {organization.plan} plan allows {limit} alert channels.")
    channel = AlertChannel(
        organization=organization,
        name=name,
        type=type,
        events=[str(event) for event in (DEFAULT_EVENTS if events is None else events)],
        all_monitors=all_monitors,
        enabled=enabled,
        disabled_reason="" if enabled else AlertChannel.DisabledReason.USER,
    )
    channel.config = cleaned
    channel.save()
    return channel


@transaction.atomic
def channel_update(*, channel: AlertChannel, **fields) -> AlertChannel:
    """Change a channel. A `config` replaces the stored one but for its secrets sent masked or
    left out (see the module's docstring); a new `type` needs its `config`. Disabling the
    channel cancels the alerts it still had to send."""
    was_enabled = channel.enabled
    new_type = fields.pop("type", channel.type)
    if "config" in fields:
        config = _with_kept_secrets(channel, new_type, fields.pop("config"))
        channel.config = clean_config(organization=channel.organization, type=new_type, config=config)
    elif new_type != channel.type:
        raise ValidationError({"config": [f"Required when the type changes: the settings of a {new_type} channel."]})
    channel.type = new_type
    if "events" in fields:
        fields["events"] = [str(event) for event in fields["events"]]
    for name, value in fields.items():
        setattr(channel, name, value)
    if channel.enabled != was_enabled:
        channel.disabled_reason = "" if channel.enabled else AlertChannel.DisabledReason.USER
        channel.failing_since = None
    channel.save()
    if was_enabled and not channel.enabled:
        recording.cancel_pending(ALERTS, [channel.id])
    return channel


@transaction.atomic
def channel_delete(*, channel: AlertChannel) -> None:
    """Delete the channel, and its id from the organization's monitors (their channels and
    escalation steps; a step left without channels goes)."""
    as_text = {"channels_text": Cast("alert_channels", TextField()), "escalation_text": Cast("escalation", TextField())}
    naming = (
        Monitor.objects.select_for_update()
        .filter(organization_id=channel.organization_id)
        .annotate(**as_text)
        .filter(Q(channels_text__contains=channel.id) | Q(escalation_text__contains=channel.id))
        .only("id", "alert_channels", "escalation")
    )
    changed, gone = [], {}
    for monitor in naming:
        monitor.alert_channels = [channel_id for channel_id in monitor.alert_channels if channel_id != channel.id]
        steps = []
        # In the order outages go through them (alerts.outages): by their minutes.
        for position, step in enumerate(sorted(monitor.escalation, key=lambda step: step["afterMinutes"])):
            kept = [channel_id for channel_id in step.get("channels", ()) if channel_id != channel.id]
            if kept:
                steps.append({**step, "channels": kept})
            else:
                gone.setdefault(monitor.id, []).append(position)
        monitor.escalation = steps
        changed.append(monitor)
    if changed:
        Monitor.objects.bulk_update(changed, ["alert_channels", "escalation"])
        generation.bump([channel.organization_id])  # bulk_update sends no post_save to bump it
    _recount_sent_steps(gone)
    channel.delete()


def _recount_sent_steps(gone: dict[str, list[int]]) -> None:
    """An open outage counts the escalation steps it has sent, the first ones by their
    minutes: a step removed from among those leaves one fewer sent, or the step after it
    would count as sent and never fire. `gone`: monitor id -> positions of the removed steps."""
    if not gone:
        return
    outages = Outage.objects.select_for_update().filter(
        monitor_id__in=gone, ended_at__isnull=True, escalation_steps_sent__gt=0
    )
    recounted = []
    for outage in outages:
        sent_and_gone = sum(1 for position in gone[outage.monitor_id] if position < outage.escalation_steps_sent)
        if sent_and_gone:
            outage.escalation_steps_sent -= sent_and_gone
            recounted.append(outage)
    Outage.objects.bulk_update(recounted, ["escalation_steps_sent"])


def create_owner_email_channel(organization: Organization, email: str) -> AlertChannel:
    """First run: alerts about every monitor reach the owner by email."""
    return channel_create(
        organization=organization,
        name=f"Email to {email}"[:200],
        type=AlertChannel.Type.EMAIL,
        config={"to": [email]},
        all_monitors=True,
    )


def owner_email_channel_on_signup(sender, *, organization: Organization, owner, **kwargs) -> None:
    """Receiver of accounts.signals.organization_created."""
    if owner.email:
        create_owner_email_channel(organization, owner.email)

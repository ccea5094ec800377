"""The dashboard's channel form: the inputs each channel type shows, and the config a posted
form stands for.

A type's fields come from webhooks.channels.TYPES (plus the two types this app checks
itself: a signed webhook names one of the organization's endpoints; Apprise, where the
operator allows it, takes one URL). Secret fields are password inputs that never show
their value: on an edit they show the mask as placeholder, and left empty they are left
out of the config, which the service reads as "keep the stored value".
"""

import re
from dataclasses import dataclass

from webhooks import channels
from webhooks.models import WebhookEndpoint

from . import services
from .models import AlertChannel

# Labels and placeholders by (type, field), else by field.
LABELS = {
    ("email", "to"): "Email addresses",
    ("ntfy", "url"): "Topic URL",
    ("ntfy", "token"): "Access token",
    ("pushover", "token"): "API token",
    ("pushover", "user"): "User key",
    ("sms", "to"): "To (phone number)",
    ("sms", "from"): "From (your Twilio number)",
    ("apprise", "url"): "Apprise URL",
    "url": "Webhook URL",
    "botToken": "Bot token",
    "chatId": "Chat id",
    "routingKey": "Integration key",
    "apiKey": "API key",
    "accountSid": "Account SID",
    "authToken": "Auth token",
    "endpoint": "Webhook endpoint",
}
PLACEHOLDERS = {
    ("email", "to"): "oncall@example.com, cto@example.com",
    ("slack", "url"): "https://hooks.slack.com/services/T…/B…/…",
    ("discord", "url"): "https://discord.com/api/webhooks/…",
    ("teams", "url"): "https://….logic.azure.com/workflows/…",
    ("googlechat", "url"): "https://chat.googleapis.com/v1/spaces/…",
    ("ntfy", "url"): "https://ntfy.sh/your-secret-topic",
    ("ntfy", "token"): "tk_…",
    ("telegram", "botToken"): "123456:ABC-DEF…",
    ("telegram", "chatId"): "-1001234567890 or @channelname",
    ("sms", "accountSid"): "AC…",
    ("sms", "from"): "+15550100",
    ("sms", "to"): "+15550123",
    ("apprise", "url"): "tgram://bottoken/ChatID",
}
LOCAL_HINTS = {
    services.WEBHOOK: "Alerts are POSTed as JSON to one of your webhook endpoints, signed with its secret as its "
    "events are.",
    services.APPRISE: "Any Apprise URL (tgram://…, mailto://…, …): see the Apprise documentation for each "
    "service's form.",
}
_ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class ConfigInput:
    """One input of a type's form, as the template draws it."""

    name: str
    label: str
    kind: str  # "text", "url", "password", "emails" (a textarea) or "select"
    required: bool
    secret: bool
    value: str = ""  # never a stored secret
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    keeps: bool = False  # a secret with a stored value, kept when left empty
    error: str = ""

    @property
    def html_name(self) -> str:
        return f"config-{self.name}"


@dataclass(frozen=True)
class TypeChoice:
    name: str
    label: str
    hint: str


def type_label(channel_type: str) -> str:
    known = channels.TYPES.get(channel_type)
    return known.label if known else AlertChannel.Type(channel_type).label


def type_hint(channel_type: str) -> str:
    known = channels.TYPES.get(channel_type)
    return known.hint if known else LOCAL_HINTS.get(channel_type, "")


def field_label(channel_type: str, name: str) -> str:
    return LABELS.get((channel_type, name)) or LABELS.get(name, name)


def offered_types() -> list[str]:
    """The types a channel can be created with on this server, in the model's order: Apprise
    only where the operator turned it on."""
    return [name for name in AlertChannel.Type.values if name != services.APPRISE or services.apprise_enabled()]


def type_choices() -> list[TypeChoice]:
    return [TypeChoice(name, type_label(name), type_hint(name)) for name in offered_types()]


def _fields(channel_type: str) -> tuple[channels.Field, ...]:
    if channel_type == services.WEBHOOK:
        return (channels.Field("endpoint", "endpoint"),)
    if channel_type == services.APPRISE:
        return (channels.Field("url", "apprise_url", secret=True),)
    return channels.TYPES[channel_type].fields


def _kind(field: channels.Field) -> str:
    if field.secret:
        return "password"
    if field.kind == "emails":
        return "emails"
    if field.kind == "endpoint":
        return "select"
    return "url" if field.kind in ("url", "topic_url") else "text"


def config_inputs(
    channel_type: str,
    *,
    organization,
    channel: AlertChannel | None = None,
    post=None,
    errors: dict | None = None,
    suggested: dict | None = None,
) -> list[ConfigInput]:
    """The type's inputs, filled from the posted form, else from the channel's stored config
    (secrets masked as placeholders, never as values), else from `suggested` (a new email
    channel's `to`: the person's own address)."""
    stored = channel.config if channel is not None and channel.type == channel_type else {}
    masked = services.masked_config(channel) if stored else {}
    errors = errors or {}
    inputs = []
    for field in _fields(channel_type):
        kind = _kind(field)
        keeps = field.secret and field.name in stored
        if field.secret:
            value = ""  # a secret is never written back into the page, not even what was just posted
        elif post is not None:
            value = post.get(f"config-{field.name}", "")
        else:
            value = stored.get(field.name, (suggested or {}).get(field.name, ""))
        if isinstance(value, list):
            value = ", ".join(value)
        choices: tuple[tuple[str, str], ...] = ()
        if kind == "select":
            endpoints = WebhookEndpoint.objects.filter(organization=organization).order_by("url", "id")
            choices = tuple((endpoint.id, endpoint.url) for endpoint in endpoints.only("id", "url"))
        placeholder = masked.get(field.name, "") if keeps else PLACEHOLDERS.get((channel_type, field.name), "")
        inputs.append(
            ConfigInput(
                name=field.name,
                label=field_label(channel_type, field.name),
                kind=kind,
                required=field.required,
                secret=field.secret,
                value=str(value),
                placeholder=placeholder,
                choices=choices,
                keeps=keeps,
                error=errors.get(field.name, ""),
            )
        )
    return inputs


def posted_config(channel_type: str, post) -> dict:
    """The config a posted form stands for: each field's text as typed (the service cleans and
    checks it), addresses split into a list, empty fields left out (an empty secret on an edit:
    keep the stored one; an empty required field: the service names it as missing)."""
    config: dict = {}
    for field in _fields(channel_type):
        value = post.get(f"config-{field.name}", "")
        if field.kind == "emails":
            addresses = [address for address in _ADDRESS_SEPARATORS.split(value) if address]
            if addresses:
                config[field.name] = addresses
        elif value.strip():
            config[field.name] = value
    return config

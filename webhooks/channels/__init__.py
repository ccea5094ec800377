"""Alert channels: what each service is sent for a Message, and which config each service takes.

Pure functions, no database and no network: `render` turns a Message and a channel's config into
a Request (or an Email) that the guarded sender delivers.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .chat import render_discord, render_googlechat, render_slack, render_teams
from .config import ConfigError, Field, check_fields
from .email import render_email
from .hosts import Hosts
from .message import Email, Message, Request
from .paging import render_opsgenie, render_pagerduty
from .push import render_ntfy, render_pushover, render_sms, render_telegram

__all__ = [
    "TYPES",
    "ChannelType",
    "ConfigError",
    "Email",
    "Field",
    "Hosts",
    "Message",
    "Request",
    "render",
    "validate_config",
]


@dataclass(frozen=True, slots=True)
class ChannelType:
    name: str
    label: str
    fields: tuple[Field, ...]
    hint: str  # where the user finds the URL or token, for the dashboard form
    render: Callable[[dict, Message, Hosts], Request | Email]

    @property
    def required(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.required)

    @property
    def secret(self) -> frozenset[str]:
        """Fields shown only at creation, masked afterwards."""
        return frozenset(f.name for f in self.fields if f.secret)


def _url_type(name: str, label: str, hint: str, render_fn: Callable) -> ChannelType:
    # These webhook URLs carry their token in the path: whoever has one can post.
    return ChannelType(name, label, (Field("url", "url", secret=True),), hint, render_fn)


TYPES: dict[str, ChannelType] = {
    t.name: t
    for t in (
        ChannelType(
            "email",
            "Email",
            (Field("to", "emails"),),
            "Up to 20 addresses.",
            render_email,
        ),
        _url_type(
            "slack",
            "Slack",
            "Slack: Apps › Incoming Webhooks › Add New Webhook to Workspace (Mattermost and Rocket.Chat "
            "incoming webhook URLs work too).",
            render_slack,
        ),
        _url_type(
            "discord",
            "Discord",
            "Discord: Server Settings › Integrations › Webhooks › New Webhook › Copy Webhook URL.",
            render_discord,
        ),
        _url_type(
            "teams",
            "Microsoft Teams",
            "Teams: channel › Workflows › 'Post to a channel when a webhook request is received' › copy the URL.",
            render_teams,
        ),
        _url_type(
            "googlechat",
            "Google Chat",
            "Google Chat: space › Apps & integrations › Webhooks › Add webhook › copy the URL.",
            render_googlechat,
        ),
        ChannelType(
            "telegram",
            "Telegram",
            (Field("botToken", "telegram_token", secret=True), Field("chatId", "telegram_chat")),
            "Create a bot with @BotFather for its token; the chat id is the group's id or @channelname "
            "(add the bot to the chat first).",
            render_telegram,
        ),
        ChannelType(
            "pagerduty",
            "PagerDuty",
            (Field("routingKey", "token", secret=True),),
            "PagerDuty: Service › Integrations › Add integration › Events API V2 › Integration Key.",
            render_pagerduty,
        ),
        ChannelType(
            "opsgenie",
            "Opsgenie",
            (Field("apiKey", "token", secret=True),),
            "Opsgenie: Team › Integrations › Add integration › API › API Key.",
            render_opsgenie,
        ),
        ChannelType(
            "ntfy",
            "ntfy",
            (Field("url", "topic_url", secret=True), Field("token", "token", required=False, secret=True)),
            "The topic URL, e.g. https://ntfy.sh/your-secret-topic; an access token (tk_…) only for a protected topic.",
            render_ntfy,
        ),
        ChannelType(
            "pushover",
            "Pushover",
            (Field("token", "pushover_key", secret=True), Field("user", "pushover_key", secret=True)),
            "Pushover: your User Key is on the dashboard; create an Application to get its API Token.",
            render_pushover,
        ),
        ChannelType(
            "sms",
            "SMS (Twilio)",
            (
                Field("accountSid", "twilio_sid"),
                Field("authToken", "token", secret=True),
                Field("from", "phone"),
                Field("to", "phone"),
            ),
            "Twilio Console › Account Info: Account SID and Auth Token; 'from' is your Twilio number.",
            render_sms,
        ),
    )
}


def _channel_type(type_name: str) -> ChannelType:
    try:
        return TYPES[type_name]
    except KeyError:
        raise ConfigError({"type": [f"Unknown channel type {type_name!r}."]}) from None


def validate_config(type_name: str, config: object) -> dict:
    """The cleaned config (strings stripped, empty optionals dropped), or ConfigError naming each bad field."""
    return check_fields(_channel_type(type_name).fields, config)


def render(type_name: str, config: dict, message: Message, hosts: Hosts) -> Request | Email:
    """What the service of `type_name` is sent for `message`; the config is one validate_config accepted."""
    return _channel_type(type_name).render(config, message, hosts)

"""What a `statusapp.yaml` may hold: its sections, each kind's fields and their types, the
references between objects (by name), and which alert channel config values are secret.

The field names are the API's; references name objects instead of giving their ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from difflib import get_close_matches
from typing import Any

# Sections in dependency order: each kind refers only to kinds before it (and monitors to monitors).
KINDS = ("alertChannels", "monitors", "statusPages", "maintenances")
LABELS = {
    "alertChannels": "alert channel",
    "monitors": "monitor",
    "statusPages": "status page",
    "maintenances": "maintenance",
}
FORMAT_VERSION = 1

MASK = "••••"  # what the API shows in place of a secret (see the API's alert channel docs)

# A check returns its complaints: (path below the value, message).
Problems = list[tuple[tuple, str]]
Check = Callable[[Any], Problems]


def describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def suggestion(word: str, choices) -> str:
    close = get_close_matches(word, list(choices), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def text(value) -> Problems:
    if isinstance(value, str):
        return []
    hint = ": quote it" if isinstance(value, (int, float, bool)) else ""
    return [((), f"expected text, got {describe(value)}{hint}")]


def integer(value) -> Problems:
    if isinstance(value, int) and not isinstance(value, bool):
        return []
    return [((), f"expected a whole number, got {describe(value)}")]


def boolean(value) -> Problems:
    return [] if isinstance(value, bool) else [((), f"expected true or false, got {describe(value)}")]


def nullable(check: Check) -> Check:
    return lambda value: [] if value is None else check(value)


def choice(*values: str) -> Check:
    def check(value) -> Problems:
        if isinstance(value, str) and value in values:
            return []
        if not isinstance(value, str):
            return [((), f"expected one of {', '.join(values)}, got {describe(value)}")]
        return [((), f'"{value}" is not one of {", ".join(values)}{suggestion(value, values)}')]

    return check


def list_of(item: Check, *, unique: bool = False) -> Check:
    def check(value) -> Problems:
        if not isinstance(value, list):
            return [((), f"expected a list, got {describe(value)}")]
        problems = [((index, *path), message) for index, entry in enumerate(value) for path, message in item(entry)]
        if unique and not problems:
            seen = set()
            for index, entry in enumerate(value):
                if entry in seen:
                    problems.append(((index,), f'"{entry}" is listed twice'))
                seen.add(entry)
        return problems

    return check


def mapping(fields: dict[str, Check], required: tuple[str, ...] = ()) -> Check:
    def check(value) -> Problems:
        if not isinstance(value, dict):
            return [((), f"expected a mapping with {', '.join(fields)}, got {describe(value)}")]
        problems: Problems = []
        for key, entry in value.items():
            if key not in fields:
                problems.append(((key,), f'unknown field "{key}"{suggestion(key, fields)}'))
            else:
                problems += [((key, *path), message) for path, message in fields[key](entry)]
        problems += [((), f'"{key}" is required') for key in required if key not in value]
        return problems

    return check


def text_map(value) -> Problems:
    if not isinstance(value, dict):
        return [((), f"expected a mapping of names to text, got {describe(value)}")]
    return [((key, *path), message) for key, entry in value.items() for path, message in text(entry)]


def parse_timestamp(value: str) -> datetime:
    """A date and time with its zone, in UTC to the second (as the API shows them)."""
    written = value.strip()
    if written.endswith(("Z", "z")):  # Python before 3.11 does not read it
        written = written[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(written)
    except ValueError:
        raise ValueError(f'"{value}" is not a date and time like 2025-01-31T22:00:00Z') from None
    if moment.tzinfo is None:
        raise ValueError(f'"{value}" has no time zone: add Z (UTC) or an offset like +02:00')
    return moment.astimezone(timezone.utc).replace(microsecond=0)  # noqa: UP017 (Python 3.9 has no datetime.UTC)


def timestamp(value) -> Problems:
    if not isinstance(value, str):
        return [((), f"expected a date and time like 2025-01-31T22:00:00Z, got {describe(value)}")]
    try:
        parse_timestamp(value)
    except ValueError as exc:
        return [((), str(exc))]
    return []


names = list_of(text, unique=True)  # references: each a name of the file (or of the organization)

# --- monitors ---

MONITOR_TYPES = (
    *("http", "keyword", "tcp", "dns", "ssl", "heartbeat"),
    *("ping", "postgres", "mysql", "redis", "grpc", "smtp"),
)
HTTP_FIELDS = ("url", "method", "headers", "body", "expectedStatusCodes", "followRedirects", "keyword", "keywordAbsent")
MONITOR_TYPE_FIELDS = {
    "http": {*HTTP_FIELDS, "jsonPath", "jsonExpected"},
    "keyword": set(HTTP_FIELDS),
    "ssl": {"url", "sslDegradedDays", "sslDownDays"},
    "tcp": {"host", "port"},
    "dns": {"host", "recordType", "expectedValues", "resolver"},
    "heartbeat": {"grace"},
    "ping": {"host", "pingCount"},
    "postgres": {"host", "port", "username", "password", "database", "tls"},
    "mysql": {"host", "port", "username", "password", "database", "tls"},
    "redis": {"host", "port", "username", "password", "tls"},
    "grpc": {"host", "port", "service", "tls"},
    "smtp": {"host", "port", "tls", "sslDegradedDays", "sslDownDays"},
}
MONITOR_REQUIRED = {
    "http": ("url",),
    "keyword": ("url", "keyword"),
    "ssl": ("url",),
    "tcp": ("host", "port"),
    "dns": ("host", "recordType"),
    "heartbeat": (),
    "ping": ("host",),
    "postgres": ("host",),
    "mysql": ("host",),
    "redis": ("host",),
    "grpc": ("host", "port"),
    "smtp": ("host",),
}

escalation_step = mapping({"afterMinutes": integer, "channels": names}, required=("afterMinutes", "channels"))

# In the order an export writes them.
MONITOR_FIELDS: dict[str, Check] = {
    "type": choice(*MONITOR_TYPES),
    "paused": boolean,
    "url": text,
    "method": choice("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
    "headers": text_map,
    "body": text,
    "expectedStatusCodes": text,
    "followRedirects": boolean,
    "keyword": text,
    "keywordAbsent": boolean,
    "jsonPath": text,
    "jsonExpected": text,
    "sslDegradedDays": integer,
    "sslDownDays": integer,
    "host": text,
    "port": integer,
    "recordType": choice("A", "AAAA", "CNAME", "MX", "NS", "TXT"),
    "expectedValues": list_of(text),
    "resolver": text,
    "username": text,
    "password": text,  # a secret: the API shows only whether there is one; exported as ${ENV_VAR}
    "database": text,
    "tls": boolean,
    "service": text,
    "pingCount": integer,
    "grace": integer,
    "interval": integer,
    "timeout": integer,
    "retries": integer,
    "degradedThreshold": nullable(integer),
    "retryInterval": nullable(integer),
    "alertChannels": names,
    "reminderInterval": nullable(integer),
    "escalation": list_of(escalation_step),
    "dependsOn": names,
}
TYPED_MONITOR_FIELDS = set().union(*MONITOR_TYPE_FIELDS.values())

# --- alert channels ---

CHANNEL_EVENTS = (
    "monitor.down",
    "monitor.up",
    "monitor.degraded",
    "ssl.expiring",
    "incident.created",
    "incident.updated",
    "incident.resolved",
)
# Each type's config keys: (secret, required). Secret values are shown masked by the API after
# creation; in a file they are ${ENV_VAR} references. From the API's alert channel docs.
_URL = {"url": (True, True)}
CHANNEL_CONFIG: dict[str, dict[str, tuple[bool, bool]]] = {
    "email": {"to": (False, True)},
    "slack": _URL,
    "discord": _URL,
    "teams": _URL,
    "googlechat": _URL,
    "telegram": {"botToken": (True, True), "chatId": (False, True)},
    "pagerduty": {"routingKey": (True, True)},
    "opsgenie": {"apiKey": (True, True)},
    "ntfy": {"url": (True, True), "token": (True, False)},
    "pushover": {"token": (True, True), "user": (True, True)},
    "sms": {"accountSid": (False, True), "authToken": (True, True), "from": (False, True), "to": (False, True)},
    # In a file, a webhook channel's endpoint is the URL of one of the organization's webhook
    # endpoints (its id differs from one organization to another).
    "webhook": {"endpoint": (False, True)},
    "apprise": {"url": (True, True)},
}


def secret_keys(channel_type: str) -> set[str]:
    return {key for key, (secret, _required) in CHANNEL_CONFIG.get(channel_type, {}).items() if secret}


def config_value(value) -> Problems:
    if isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value)):
        return []
    return [((), f"expected text or a list of text, got {describe(value)}")]


CHANNEL_FIELDS: dict[str, Check] = {
    "type": choice(*CHANNEL_CONFIG),
    "config": lambda value: [] if isinstance(value, dict) else [((), f"expected a mapping, got {describe(value)}")],
    "events": list_of(choice(*CHANNEL_EVENTS), unique=True),
    "allMonitors": boolean,
    "enabled": boolean,
}

# --- status pages ---


def component(value) -> Problems:
    if isinstance(value, str):
        return []
    return mapping({"monitor": text, "group": text}, required=("monitor",))(value)


PAGE_FIELDS: dict[str, Check] = {
    "slug": text,
    "description": text,
    "isPublic": boolean,
    "notifyAutomaticIncidents": boolean,
    "accentColor": text,
    "customDomain": nullable(text),
    "password": text,  # write-only: compared only as set or not
    "components": list_of(component),
}

# --- maintenances (keyed by title) ---

MAINTENANCE_FIELDS: dict[str, Check] = {
    "description": text,
    "startsAt": timestamp,
    "endsAt": timestamp,
    "monitors": names,
}

FIELDS: dict[str, dict[str, Check]] = {
    "alertChannels": CHANNEL_FIELDS,
    "monitors": MONITOR_FIELDS,
    "statusPages": PAGE_FIELDS,
    "maintenances": MAINTENANCE_FIELDS,
}
# What a new object needs besides its name (monitors: and what its type needs).
REQUIRED_ON_CREATE = {
    "alertChannels": ("type", "config"),
    "monitors": ("type",),
    "statusPages": (),
    "maintenances": ("startsAt", "endsAt"),
}


def references(kind: str, fields: dict) -> Iterator[tuple[tuple, str, str]]:
    """Each name `fields` refers to: (its path below the object, the kind it names, the name).
    Only well-formed values are walked: the type checks report the others."""

    def each(path: tuple, value, target: str):
        if isinstance(value, list):
            for index, name in enumerate(value):
                if isinstance(name, str):
                    yield (*path, index), target, name

    if kind == "monitors":
        yield from each(("alertChannels",), fields.get("alertChannels"), "alertChannels")
        yield from each(("dependsOn",), fields.get("dependsOn"), "monitors")
        steps = fields.get("escalation")
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if isinstance(step, dict):
                yield from each(("escalation", index, "channels"), step.get("channels"), "alertChannels")
    elif kind == "statusPages":
        entries = fields.get("components")
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, str):
                yield ("components", index), "monitors", entry
            elif isinstance(entry, dict) and isinstance(entry.get("monitor"), str):
                yield ("components", index, "monitor"), "monitors", entry["monitor"]
    elif kind == "maintenances":
        yield from each(("monitors",), fields.get("monitors"), "monitors")

"""Checking a channel's config: each field kind's rule, and the error that names every bad field.

URLs are checked for shape only; whether their host is a private address is decided at connect
time by the outbound guard, where DNS answers cannot change behind our back.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

URL_MAX = 2048
TOKEN_MAX = 500
EMAILS_MAX = 20


class ConfigError(ValueError):
    """A config that cannot be saved; `fields` maps each bad field to its messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items()))


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str  # a key of CHECKS
    required: bool = True
    secret: bool = False


def _text(value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError("Must be a string.")
    value = value.strip()
    if not value:
        raise ValueError("This field may not be blank.")
    if "\r" in value or "\n" in value:
        raise ValueError("Must not contain line breaks.")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("Must not contain control characters.")
    if len(value) > limit:
        raise ValueError(f"At most {limit} characters.")
    return value


def _url(value: object) -> str:
    value = _text(value, URL_MAX)
    if any(c.isspace() for c in value):
        raise ValueError("Must not contain spaces.")
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError:
        raise ValueError("Enter a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("Enter an http:// or https:// URL with a host.")
    return value


def _topic_url(value: object) -> str:
    value = _url(value)
    if not urlsplit(value).path.strip("/"):
        raise ValueError("Enter the topic's URL, e.g. https://ntfy.sh/mytopic.")
    return value


def _token(value: object) -> str:
    value = _text(value, TOKEN_MAX)
    if not value.isascii() or any(c.isspace() for c in value):
        raise ValueError("Must be printable ASCII without spaces.")
    return value


def _pattern(regex: str, message: str, limit: int = TOKEN_MAX) -> Callable[[object], str]:
    compiled = re.compile(regex)

    def check(value: object) -> str:
        value = _text(value, limit)
        if not compiled.fullmatch(value):
            raise ValueError(message)
        return value

    return check


def _emails(value: object) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError("Enter a list of one or more email addresses.")
    if len(value) > EMAILS_MAX:
        raise ValueError(f"At most {EMAILS_MAX} addresses.")
    cleaned = []
    for address in value:
        address = _text(address, 254)
        try:
            validate_email(address)
        except ValidationError:
            raise ValueError(f"{address!r} is not a valid email address.") from None
        cleaned.append(address)
    return list(dict.fromkeys(cleaned))


CHECKS: dict[str, Callable[[object], object]] = {
    "url": _url,
    "topic_url": _topic_url,
    "token": _token,
    "emails": _emails,
    "telegram_token": _pattern(r"\d{1,20}:[A-Za-z0-9_-]{20,200}", "Paste the token BotFather gave you (123456:ABC…)."),
    "telegram_chat": _pattern(
        r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}", "An integer chat id (e.g. -1001234567890) or @channelname."
    ),
    "pushover_key": _pattern(r"[A-Za-z0-9]{30}", "Pushover keys are 30 letters and digits."),
    "twilio_sid": _pattern(r"AC[0-9a-fA-F]{32}", "An Account SID is AC followed by 32 hex digits."),
    "phone": _pattern(r"\+\d{8,15}", "A phone number in E.164 form: + and 8 to 15 digits."),
}


def check_fields(fields: tuple[Field, ...], config: object) -> dict:
    if not isinstance(config, dict):
        raise ConfigError({"config": ["Must be an object."]})
    known = {f.name: f for f in fields}
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for name in config:
        if name not in known:
            errors[str(name)] = ["Unknown field."]
    for field in fields:
        value = config.get(field.name)
        if value is None or value == "":
            if field.required:
                errors[field.name] = ["This field is required."]
            continue
        try:
            cleaned[field.name] = CHECKS[field.kind](value)
        except ValueError as exc:
            errors[field.name] = [str(exc)]
    if errors:
        raise ConfigError(errors)
    return cleaned

"""What every formatter says about a Message: its tone, its labelled details, its links, its times."""

from collections.abc import Callable
from datetime import UTC, datetime

from .message import Message

BAD, WARN, GOOD, INFO = "bad", "warn", "good", "info"

_TONE_BY_KIND = {
    "down": BAD,
    "reminder": BAD,
    "escalation": BAD,
    "degraded": WARN,
    "ssl_expiring": WARN,
    "flapping": WARN,
    "up": GOOD,
    "incident_resolved": GOOD,
    "test": INFO,
}


def tone(message: Message) -> str:
    """bad (down, reminder, escalation), warn, good (recovered, resolved) or info (a test)."""
    if message.kind in _TONE_BY_KIND:
        return _TONE_BY_KIND[message.kind]
    status = message.status.upper()
    if status in ("UP", "RESOLVED"):
        return GOOD
    if status == "DOWN":
        return BAD
    return WARN


def resolves(message: Message) -> bool:
    """Whether the message ends what earlier ones opened (PagerDuty resolve, Opsgenie close)."""
    return tone(message) == GOOD


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def clip_bytes(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, cut on a character boundary."""
    if len(text.encode()) <= limit:
        return text
    cut = text.encode()[: limit - len("…".encode())].decode(errors="ignore")
    return cut.rstrip() + "…"


def fit(build: Callable[[int], str], limit: int, budget: int, size: Callable[[str], int] = len) -> str:
    """build(budget) with the budget halved until the result's size is at most `limit`."""
    text = build(budget)
    while size(text) > limit and budget > 0:
        budget //= 2
        text = build(budget)
    if size(text) <= limit:
        return text
    return clip(text, limit) if size is len else clip_bytes(text, limit)


def when(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def duration(seconds: int) -> str:
    """3720 -> '1h 2m'; the two largest units."""
    seconds = max(int(seconds), 0)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size or (unit == "s" and not parts):
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(parts[:2])


def details(message: Message, value_limit: int = 1000) -> list[tuple[str, str]]:
    """The labelled facts worth showing, each value clipped to `value_limit` characters."""
    rows = [
        ("Monitor", message.monitor_name),
        ("Target", message.target),
        ("Status", message.status),
        ("Status code", "" if message.status_code is None else str(message.status_code)),
        ("Error", message.error),
        ("Response time", "" if message.response_time_ms is None else f"{message.response_time_ms} ms"),
        ("Down since", when(message.since) if message.since else ""),
        ("Downtime", duration(message.downtime_seconds) if message.downtime_seconds is not None else ""),
        ("Caused by", message.caused_by),
        *message.facts,
    ]
    return [(clip(label, 100), clip(value, value_limit)) for label, value in rows if value]


def links(message: Message) -> list[tuple[str, str]]:
    rows = [("Open dashboard", message.dashboard_url), ("Acknowledge", message.acknowledge_url)]
    return [(label, url) for label, url in rows if url]


def dedup_key(message: Message) -> str:
    """PagerDuty's dedup_key / Opsgenie's alias. A test gets its own, so it never merges into (or
    resolves) a real outage's alert."""
    if message.kind != "test":
        return message.dedup_key[:255]
    stamp = int(message.occurred_at.timestamp() * 1000)
    return f"test-{stamp}-{message.dedup_key}"[:255]

"""The API's objects as typed dataclasses.

Attributes are the JSON keys in snake_case (`lastCheck` -> `last_check`), timestamps are
timezone-aware datetimes, nested objects are models too. A key the server did not send
(a field of another monitor type, `secret` outside a creation) reads as None, and `raw`
keeps the JSON exactly as received, keys the SDK does not know yet included.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, Generic, TypeVar

M = TypeVar("M", bound="Model")
T = TypeVar("T")


def camel_case(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), name)


def parse_timestamp(value: str) -> datetime.datetime:
    # fromisoformat reads "Z" only from Python 3.11 on.
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _converted(convert: Callable[[Any], Any]) -> Any:
    return field(metadata={"convert": convert})


def _timestamp() -> Any:
    return _converted(parse_timestamp)


def _nested(model: type[Model]) -> Any:
    return _converted(model.from_dict)


def _nested_list(model: type[Model]) -> Any:
    return _converted(lambda items: [model.from_dict(item) for item in items])


@dataclass
class Model:
    raw: dict[str, Any] = field(init=False, repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_dict(cls: type[M], data: dict[str, Any]) -> M:
        values = {}
        for each in fields(cls):
            if not each.init:
                continue
            value = data.get(camel_case(each.name))
            convert = each.metadata.get("convert")
            values[each.name] = convert(value) if convert is not None and value is not None else value
        model = cls(**values)
        model.raw = data
        return model


@dataclass
class Pagination(Model):
    """Page-numbered lists fill page/limit/total/pages; the events list fills limit/next_cursor."""

    page: int | None
    limit: int
    total: int | None
    pages: int | None
    next_cursor: str | None


@dataclass
class Page(Generic[T]):
    """One page of a list: iterate it for its objects."""

    data: list[T]
    pagination: Pagination

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


@dataclass
class EscalationStep(Model):
    after_minutes: int
    channels: list[str]


@dataclass
class Monitor(Model):
    id: str
    name: str
    type: str
    status: str | None
    url: str | None
    method: str | None
    headers: dict[str, str] | None
    body: str | None
    expected_status_codes: str | None
    follow_redirects: bool | None
    keyword: str | None
    keyword_absent: bool | None
    json_path: str | None
    json_expected: str | None
    ssl_degraded_days: int | None
    ssl_down_days: int | None
    host: str | None
    port: int | None
    record_type: str | None
    expected_values: list[str] | None
    resolver: str | None
    # postgres, mysql, redis: the password reads as "••••" when one is set ("" when none is);
    # sending "••••" back keeps it.
    username: str | None
    password: str | None
    database: str | None
    tls: bool | None
    service: str | None
    ping_count: int | None
    grace: int | None
    ping_url: str | None
    interval: int | None
    timeout: int | None
    retries: int | None
    degraded_threshold: int | None
    retry_interval: int | None
    alert_channels: list[str] | None
    reminder_interval: int | None
    escalation: list[EscalationStep] | None = _nested_list(EscalationStep)
    depends_on: list[str] | None
    acknowledged_at: datetime.datetime | None = _timestamp()
    acknowledged_by: str | None
    last_check: datetime.datetime | None = _timestamp()
    response_time: int | None
    uptime: float | None
    last_error: str | None
    badge_url: str | None
    created_at: datetime.datetime | None = _timestamp()
    updated_at: datetime.datetime | None = _timestamp()


@dataclass
class AcknowledgedMonitor(Model):
    id: str
    status: str
    acknowledged_at: datetime.datetime | None = _timestamp()
    acknowledged_by: str | None


@dataclass
class Acknowledgement(Model):
    monitor: AcknowledgedMonitor = _nested(AcknowledgedMonitor)


@dataclass
class CheckResult(Model):
    scheduled_at: datetime.datetime = _timestamp()
    started_at: datetime.datetime = _timestamp()
    status: str | None
    response_time: int | None
    status_code: int | None
    error: str | None
    in_maintenance: bool | None


@dataclass
class UptimeWindow(Model):
    uptime: float | None
    checks: int
    down: int
    average_response_time: int | None
    p95_response_time: int | None


@dataclass
class MonitorUptime(Model):
    """Uptime over the windows "24h", "7d", "30d" and "90d" (the keys of `windows`)."""

    monitor_id: str
    windows: dict[str, UptimeWindow] = _converted(
        lambda windows: {name: UptimeWindow.from_dict(window) for name, window in windows.items()}
    )


@dataclass
class Component(Model):
    id: str
    name: str
    status: str


@dataclass
class IncidentUpdate(Model):
    id: str
    status: str | None
    message: str
    notify_subscribers: bool | None
    created_at: datetime.datetime = _timestamp()


@dataclass
class Incident(Model):
    id: str
    title: str
    description: str | None
    status: str | None
    impact: str | None
    affected_components: list[Any] | None
    components: list[Component] = _nested_list(Component)
    created_at: datetime.datetime = _timestamp()
    updated_at: datetime.datetime = _timestamp()
    resolved_at: datetime.datetime | None = _timestamp()
    duration: int | None
    updates: list[IncidentUpdate] | None = _nested_list(IncidentUpdate)  # not in lists


@dataclass
class Maintenance(Model):
    id: str
    title: str
    description: str | None
    status: str | None
    starts_at: datetime.datetime = _timestamp()
    ends_at: datetime.datetime = _timestamp()
    monitors: list[str] | None
    active: bool
    created_at: datetime.datetime = _timestamp()
    updated_at: datetime.datetime = _timestamp()


@dataclass
class StatusPageGroup(Model):
    name: str
    components: list[str]


@dataclass
class StatusPage(Model):
    id: str
    name: str
    slug: str | None
    description: str | None
    is_public: bool | None
    has_password: bool
    notify_automatic_incidents: bool | None
    accent_color: str | None
    custom_domain: str | None
    custom_domain_verified: bool
    custom_domain_token: str | None
    logo_url: str | None
    components: list[str] | None
    groups: list[StatusPageGroup] = _nested_list(StatusPageGroup)
    url: str
    created_at: datetime.datetime = _timestamp()
    updated_at: datetime.datetime = _timestamp()


@dataclass
class CustomDomainCheck(Model):
    custom_domain: str | None
    custom_domain_verified: bool
    verified_by: str | None
    message: str


@dataclass
class Subscriber(Model):
    id: str
    email: str
    confirmed: bool | None
    confirmed_at: datetime.datetime | None = _timestamp()
    created_at: datetime.datetime = _timestamp()


@dataclass
class WebhookEndpoint(Model):
    id: str
    url: str
    description: str | None
    events: list[str] | None
    enabled: bool | None
    disabled_reason: str | None
    created_at: datetime.datetime = _timestamp()
    updated_at: datetime.datetime = _timestamp()
    secret: str | None  # only in the answers to create and rotate_secret
    previous_secret_expires_at: datetime.datetime | None = _timestamp()  # only after rotate_secret


@dataclass
class DeliveryAttempt(Model):
    attempted_at: datetime.datetime = _timestamp()
    status_code: int | None
    duration_ms: int
    error: str
    response: str


@dataclass
class Delivery(Model):
    """A webhook delivery; `payload` (the event as sent) only in get_delivery, test and redeliver."""

    id: str
    event_id: str
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime.datetime | None = _timestamp()
    created_at: datetime.datetime = _timestamp()
    finished_at: datetime.datetime | None = _timestamp()
    attempt_log: list[DeliveryAttempt] = _nested_list(DeliveryAttempt)
    payload: Any


@dataclass
class AlertChannel(Model):
    """`config` shows secrets in full only in the answer to create; masked afterwards."""

    id: str
    name: str
    type: str
    config: dict[str, Any]
    events: list[str] | None
    all_monitors: bool | None
    enabled: bool | None
    disabled_reason: str | None
    created_at: datetime.datetime = _timestamp()
    updated_at: datetime.datetime = _timestamp()


@dataclass
class AlertDelivery(Model):
    id: str
    kind: str
    status: str
    attempts: int
    next_attempt_at: datetime.datetime | None = _timestamp()
    created_at: datetime.datetime = _timestamp()
    finished_at: datetime.datetime | None = _timestamp()
    monitor: str | None
    attempt_log: list[DeliveryAttempt] = _nested_list(DeliveryAttempt)


@dataclass
class ApiKey(Model):
    id: str
    name: str
    permission: str
    prefix: str
    expires_at: datetime.datetime | None = _timestamp()
    created_at: datetime.datetime = _timestamp()
    last_used_at: datetime.datetime | None = _timestamp()
    revoked_at: datetime.datetime | None = _timestamp()
    key: str | None  # the secret key itself: only in the answer to create


@dataclass
class Event(Model):
    """An event as its receivers got it: `monitor` or `incident` as the event type says."""

    id: str
    event: str
    timestamp: datetime.datetime = _timestamp()
    monitor: Monitor | None = _nested(Monitor)
    incident: Incident | None = _nested(Incident)

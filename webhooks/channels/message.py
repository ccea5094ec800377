"""What an alert says, whatever service carries it, and what a service is sent."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Message:
    """One alert, neutral of any service. Every formatter renders this and nothing else."""

    # down, up, reminder, escalation, degraded, ssl_expiring, flapping, test,
    # incident_created, incident_updated, incident_resolved
    kind: str
    # The monitor's (or incident's) state it reports: DOWN, UP, DEGRADED, FLAPPING, TEST,
    # or an incident status; decides colours, priorities and PagerDuty/Opsgenie actions.
    status: str
    title: str  # one line, e.g. "API is DOWN"
    summary: str  # one or two sentences: what failed, since when
    occurred_at: datetime
    # Stable for one monitor's outage, the same on every retry, reminder and recovery:
    # PagerDuty's dedup_key and Opsgenie's alias.
    dedup_key: str
    monitor_id: str = ""
    monitor_name: str = ""
    target: str = ""  # the URL or host:port checked
    error: str = ""
    status_code: int | None = None
    response_time_ms: int | None = None
    since: datetime | None = None  # when the monitor went DOWN
    downtime_seconds: int | None = None  # on recovery: how long it was down
    caused_by: str = ""  # the parent monitor's name when a dependency explains this one
    dashboard_url: str = ""
    acknowledge_url: str = ""
    facts: tuple[tuple[str, str], ...] = field(default=())  # extra labelled lines


@dataclass(frozen=True, slots=True)
class Request:
    """An HTTP request to a service, ready to send."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Email:
    """An email, sent through Django's mail settings."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class AppriseNotice:
    """A notification Apprise sends itself, to any of its URLs."""

    url: str
    title: str
    body: str
    notify_type: str  # Apprise's NotifyType: info, success, warning, failure

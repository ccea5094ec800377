"""The Message each kind of alert says, and its JSON form in an Alert row."""

import functools
from datetime import datetime

import orjson
from django.conf import settings
from django.urls import reverse

from monitors.models import Monitor
from webhooks.channels import Message

from . import acknowledgement
from .models import Outage

_DATETIMES = ("occurred_at", "since")


def dumps(message: Message) -> str:
    return orjson.dumps(message).decode()  # orjson writes dataclasses and datetimes itself


def loads(text: str) -> Message:
    data = orjson.loads(text)
    for name in _DATETIMES:
        if data.get(name):
            data[name] = datetime.fromisoformat(data[name])
    data["facts"] = tuple(tuple(fact) for fact in data.get("facts", ()))
    return Message(**data)


@functools.cache
def _monitor_url(base_url: str) -> str:
    # reverse() once: it costs a third of a millisecond, once per monitor of a burst.
    return base_url + reverse("monitors:detail", args=["MONITOR_ID"])


def dashboard_url(monitor_id: str) -> str:
    return _monitor_url(settings.STATUSAPP_BASE_URL).replace("MONITOR_ID", monitor_id)


def target_of(monitor: Monitor) -> str:
    if monitor.type == Monitor.Type.HEARTBEAT:
        return "heartbeat"
    if monitor.host:
        return f"{monitor.host}:{monitor.port}" if monitor.port else monitor.host
    return monitor.url


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days {hours % 24} h"


def _failure(monitor: Monitor, error: str) -> str:
    parts = [error or monitor.last_error or "the check failed"]
    if monitor.response_time is not None:
        parts.append(f"response time {monitor.response_time} ms")
    return ", ".join(parts)


def down(
    monitor: Monitor, outage: Outage, error: str, now: datetime, *, kind: str = "down", held_for: str = ""
) -> Message:
    """DOWN, and its reminders and escalations (kind `reminder`, `escalation`). `held_for`:
    the monitor it depends on whose outage held this alert until now."""
    failure = _failure(monitor, error)
    if kind == "down":
        title = f"{monitor.name} is DOWN"
        summary = f"{monitor.name} is down: {failure}."
        if held_for:
            summary += f" This alert was held while {held_for} was DOWN; {held_for} is back, {monitor.name} is not."
    else:
        lasted = _duration((now - outage.started_at).total_seconds())
        title = f"{monitor.name} is still DOWN ({lasted})"
        summary = f"{monitor.name} has been down for {lasted} and nobody has acknowledged it: {failure}."
    return Message(
        kind=kind,
        status="DOWN",
        title=title,
        summary=summary,
        occurred_at=now,
        dedup_key=outage.dedup_key,
        monitor_id=monitor.id,
        monitor_name=monitor.name,
        target=target_of(monitor),
        error=error or monitor.last_error,
        response_time_ms=monitor.response_time,
        since=outage.started_at,
        caused_by=held_for,
        dashboard_url=dashboard_url(monitor.id),
        acknowledge_url=acknowledgement.link(outage),
    )


def up(monitor: Monitor, outage: Outage, now: datetime) -> Message:
    downtime = (now - outage.started_at).total_seconds()
    return Message(
        kind="up",
        status="UP",
        title=f"{monitor.name} is back UP",
        summary=f"{monitor.name} is back up after {_duration(downtime)} down.",
        occurred_at=now,
        dedup_key=outage.dedup_key,
        monitor_id=monitor.id,
        monitor_name=monitor.name,
        target=target_of(monitor),
        response_time_ms=monitor.response_time,
        since=outage.started_at,
        downtime_seconds=int(downtime),
        dashboard_url=dashboard_url(monitor.id),
    )


def degraded(monitor: Monitor, error: str, now: datetime) -> Message:
    threshold = f" (threshold {monitor.degraded_threshold} ms)" if monitor.degraded_threshold else ""
    return Message(
        kind="degraded",
        status="DEGRADED",
        title=f"{monitor.name} is DEGRADED",
        summary=f"{monitor.name} is slow: {_failure(monitor, error)}{threshold}.",
        occurred_at=now,
        dedup_key=f"statusapp-{monitor.id}-degraded",
        monitor_id=monitor.id,
        monitor_name=monitor.name,
        target=target_of(monitor),
        error=error,
        response_time_ms=monitor.response_time,
        dashboard_url=dashboard_url(monitor.id),
    )


def flapping(monitor: Monitor, transitions: int, window_seconds: int, now: datetime) -> Message:
    return Message(
        kind="flapping",
        status="FLAPPING",
        title=f"{monitor.name} is FLAPPING",
        summary=(
            f"{monitor.name} changed state {transitions} times in {_duration(window_seconds)}; its up and down "
            "alerts are held until it settles. It is now "
            f"{monitor.status}."
        ),
        occurred_at=now,
        dedup_key=f"statusapp-{monitor.id}-flapping",
        monitor_id=monitor.id,
        monitor_name=monitor.name,
        target=target_of(monitor),
        error=monitor.last_error,
        dashboard_url=dashboard_url(monitor.id),
    )


def ssl_expiring(monitor: Monitor, days: int, now: datetime) -> Message:
    return Message(
        kind="ssl_expiring",
        status="DEGRADED" if days > 3 else "DOWN",
        title=f"{monitor.name}: certificate expires in {days} day{'s' if days != 1 else ''}",
        summary=f"The TLS certificate of {target_of(monitor)} expires in {days} day{'s' if days != 1 else ''}.",
        occurred_at=now,
        dedup_key=f"statusapp-{monitor.id}-ssl-{days}",
        monitor_id=monitor.id,
        monitor_name=monitor.name,
        target=target_of(monitor),
        dashboard_url=dashboard_url(monitor.id),
        facts=(("Days left", str(days)),),
    )


def test(channel_name: str, now: datetime) -> Message:
    return Message(
        kind="test",
        status="TEST",
        title="StatusApp test alert",
        summary=f"This is a test of the alert channel “{channel_name}”. If you can read it, alerts reach you here.",
        occurred_at=now,
        dedup_key=f"statusapp-test-{now.timestamp():.0f}",
        dashboard_url=settings.STATUSAPP_BASE_URL + reverse("overview"),
    )


def incident(event_type: str, body: dict, now: datetime) -> Message:
    incident = body["incident"]
    verb = {"incident.created": "opened", "incident.updated": "updated", "incident.resolved": "resolved"}[event_type]
    updates = incident.get("updates") or []
    latest = updates[0]["message"] if updates else ""
    return Message(
        kind=event_type.replace(".", "_"),
        status=str(incident.get("status", "")).upper(),
        title=f"Incident {verb}: {incident.get('title', '')}",
        summary=latest or f"The incident “{incident.get('title', '')}” was {verb}.",
        occurred_at=now,
        dedup_key=f"statusapp-{incident['id']}",
        dashboard_url=settings.STATUSAPP_BASE_URL + reverse("incidents:detail", args=[incident["id"]]),
        facts=(("Impact", str(incident.get("impact", ""))),),
    )

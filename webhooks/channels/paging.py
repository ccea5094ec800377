"""Paging services: PagerDuty Events API v2 and Opsgenie's Alert API."""

import json
from urllib.parse import quote

from .content import BAD, GOOD, INFO, WARN, clip, dedup_key, details, iso, links, resolves, tone
from .hosts import Hosts
from .message import Message, Request

CLIENT = "StatusApp"


def _json(url: str, payload: dict, headers: dict[str, str] | None = None) -> Request:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Request(method="POST", url=url, headers={"Content-Type": "application/json", **(headers or {})}, body=body)


# https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ : summary <= 1024,
# dedup_key <= 255, severity one of critical/error/warning/info.
PAGERDUTY_SEVERITY = {BAD: "critical", WARN: "warning", INFO: "info", GOOD: "info"}


def render_pagerduty(config: dict, message: Message, hosts: Hosts) -> Request:
    key = dedup_key(message)
    if resolves(message):
        payload = {"routing_key": config["routingKey"], "event_action": "resolve", "dedup_key": key}
        return _json(hosts.pagerduty_events_url, payload)
    custom = dict(details(message, 2000))
    if message.summary:
        custom["Summary"] = clip(message.summary, 2000)
    event = {
        "summary": clip(message.title if not message.error else f"{message.title}: {message.error}", 1024),
        "source": clip(message.target or message.monitor_name or CLIENT, 255),
        "severity": PAGERDUTY_SEVERITY[tone(message)],
        "timestamp": iso(message.occurred_at),
        "custom_details": custom,
    }
    if message.monitor_name:
        event["component"] = clip(message.monitor_name, 255)
    payload = {
        "routing_key": config["routingKey"],
        "event_action": "trigger",
        "dedup_key": key,
        "payload": event,
        "links": [{"href": url, "text": label} for label, url in links(message)],
        "client": CLIENT,
    }
    if message.dashboard_url:
        payload["client_url"] = message.dashboard_url
    return _json(hosts.pagerduty_events_url, payload)


# https://docs.opsgenie.com/docs/alert-api : message <= 130, alias <= 512, description <= 15000,
# source <= 100, tags <= 20 of <= 50 characters, note <= 25000.
OPSGENIE_PRIORITY = {BAD: "P1", WARN: "P3", INFO: "P5", GOOD: "P5"}


def render_opsgenie(config: dict, message: Message, hosts: Hosts) -> Request:
    auth = {"Authorization": f"GenieKey {config['apiKey']}"}
    alias = dedup_key(message)
    base = hosts.opsgenie_api_url.rstrip("/")
    if resolves(message):
        url = f"{base}/v2/alerts/{quote(alias, safe='')}/close?identifierType=alias"
        note = clip(f"{message.title}. {message.summary}".strip(), 25000)
        return _json(url, {"source": CLIENT, "note": note}, auth)
    rows = details(message, 8000)
    description = "\n".join(filter(None, [message.summary, *(f"{label}: {value}" for label, value in rows)]))
    description += "".join(f"\n{label}: {url}" for label, url in links(message))
    tags = ["statusapp", message.kind] + (["test"] if message.kind == "test" else [])
    payload = {
        "message": clip(message.title, 130),
        "alias": alias,
        "description": clip(description, 15000),
        "priority": OPSGENIE_PRIORITY[tone(message)],
        "source": CLIENT,
        "details": {label: clip(value, 500) for label, value in rows}
        | {label: url for label, url in links(message) if len(url) <= 1000},  # details: 8000 in all
        "tags": [clip(tag, 50) for tag in dict.fromkeys(tags)],
    }
    if message.monitor_name:
        payload["entity"] = clip(message.monitor_name, 512)
    return _json(f"{base}/v2/alerts", payload, auth)

"""What the CLI's tests share: running the command in-process, the spare organizations, an
organization with one of everything the file holds, and its state in comparable form."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from statusapp.cli import main

import statusapp

SLACK_URL = "https://hooks.slack.com/services/T000/B000/cli-test-secret-token"
PAGERDUTY_KEY = "R0UTINGKEY0123456789abcdefWXYZ"
TELEGRAM_TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345"
# The environment an exported file of build_organization() needs to be applied.
SECRETS = {
    "STATUSAPP_CHANNEL_OPS_SLACK_URL": SLACK_URL,
    "STATUSAPP_CHANNEL_ON_CALL_ROUTING_KEY": PAGERDUTY_KEY,
    "STATUSAPP_CHANNEL_TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
    "STATUSAPP_PAGE_PUBLIC_STATUS_PASSWORD": "correct horse battery",
    "STATUSAPP_MONITOR_ORDERS_DB_PASSWORD": "orders-db pass 2291",
}
WEBHOOK_URL = "https://receiver.example.com/statusapp"


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(capsys, *argv: str, key: str | None = None) -> Result:
    """`statusapp ARGV` in this process, with `key` as the API key."""
    capsys.readouterr()
    code = main([*argv, "--api-key", key] if key else list(argv))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def spare_keys() -> list[str]:
    keys = os.environ.get("STATUSAPP_TEST_SPARE_KEYS")
    if not keys:
        pytest.fail("$STATUSAPP_TEST_SPARE_KEYS is not set: these tests need a live StatusApp (see sdks/README.md)")
    return keys.split(",")


def client_for(key: str) -> statusapp.Client:
    return statusapp.Client(api_key=key)


def spare_organizations() -> Iterator[list[tuple[str, statusapp.Client]]]:
    """The spare organizations' keys and clients, emptied before and after the test."""
    organizations = [(key, client_for(key)) for key in spare_keys()]
    for _key, client in organizations:
        empty(client)
    yield organizations
    for _key, client in organizations:
        empty(client)


def empty(client: statusapp.Client) -> None:
    """Deletes everything the CLI's tests make: a spare organization is shared by the tests,
    each starts from nothing (and leaves nothing behind for another suite)."""
    resources = (
        client.incidents, client.maintenances, client.status_pages, client.monitors, client.alert_channels,
        client.webhooks,
    )  # fmt: skip
    for resource in resources:
        for item in list(resource.iter()):
            resource.delete(item.id)


def build_organization(client: statusapp.Client) -> None:
    """Monitors of every type, alert channels (with secrets), a status page with components
    and groups, a maintenance window, and references between them all."""
    client.webhooks.create(url=WEBHOOK_URL, description="alerts")
    slack = client.alert_channels.create(name="Ops Slack", type="slack", config={"url": SLACK_URL})
    pager = client.alert_channels.create(
        name="On call",
        type="pagerduty",
        config={"routingKey": PAGERDUTY_KEY},
        events=["monitor.down", "monitor.up"],
    )
    client.alert_channels.create(
        name="Telegram", type="telegram", config={"botToken": TELEGRAM_TOKEN, "chatId": "-1001234567890"}, enabled=False
    )
    client.alert_channels.create(
        name="Team mail", type="email", config={"to": ["ops@example.com", "dev@example.com"]}, all_monitors=True
    )
    endpoint = next(client.webhooks.iter())
    client.alert_channels.create(name="Signed hook", type="webhook", config={"endpoint": endpoint.id})

    database = client.monitors.create(name="Database", type="tcp", host="db.example.com", port=5432, interval=30)
    api = client.monitors.create(
        name="API",
        type="http",
        url="https://api.example.com/health",
        method="POST",
        headers={"X-Check": "statusapp"},
        body='{"ping": true}',
        expected_status_codes="200-299,301",
        json_path="$.status",
        json_expected="ok",
        degraded_threshold=800,
        retries=2,
        retry_interval=20,
        alert_channels=[slack.id],
        reminder_interval=30,
        escalation=[{"afterMinutes": 10, "channels": [pager.id]}],
        depends_on=[database.id],
    )
    website = client.monitors.create(
        name="Website",
        type="keyword",
        url="https://www.example.com/",
        keyword="Welcome",
        interval=120,
        timeout=20,
        depends_on=[api.id],
    )
    client.monitors.create(
        name="Resolver", type="dns", host="example.com", record_type="A", expected_values=["93.184.216.34"]
    )
    client.monitors.create(name="Certificate", type="ssl", url="https://www.example.com/", ssl_degraded_days=30)
    client.monitors.create(
        name="Orders DB",
        type="postgres",
        host="orders-db.example.com",
        username="probe",
        password=SECRETS["STATUSAPP_MONITOR_ORDERS_DB_PASSWORD"],
        database="orders",
        tls=True,
    )
    nightly = client.monitors.create(name="Nightly backup", type="heartbeat", interval=86400, grace=600)
    client.monitors.pause(nightly.id)

    client.status_pages.create(
        name="Public status",
        slug=f"cli-public-{os.getpid()}-{time.monotonic_ns()}",
        description="How our services are doing",
        accent_color="#0f766e",
        password=SECRETS["STATUSAPP_PAGE_PUBLIC_STATUS_PASSWORD"],
        is_public=False,
        components=[website.id, {"id": api.id, "group": "Backend"}, {"id": database.id, "group": "Backend"}],
    )
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    client.maintenances.create(
        title="Database upgrade",
        description="PostgreSQL 17",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        monitors=[database.id, api.id],
    )


def snapshot(client: statusapp.Client) -> dict[str, dict[str, dict]]:
    """The organization's objects by kind and name, without what differs between two
    organizations holding the same configuration (ids, timestamps, statuses, tokens), and
    with references as names: two organizations made from one file compare equal."""
    channels = {c.id: c.name for c in client.alert_channels.iter()}
    monitors = {m.id: m.name for m in client.monitors.iter()}
    webhooks = {w.id: w.url for w in client.webhooks.iter()}
    volatile = {
        "id", "createdAt", "updatedAt", "lastCheck", "responseTime", "uptime", "lastError", "badgeUrl",
        "pingUrl", "acknowledgedAt", "acknowledgedBy", "url", "slug", "disabledReason", "active",
        "customDomainToken", "logoUrl",
    }  # fmt: skip

    def kept(raw: dict) -> dict:
        return {key: value for key, value in raw.items() if key not in volatile}

    result: dict[str, dict[str, dict]] = {"alertChannels": {}, "monitors": {}, "statusPages": {}, "maintenances": {}}
    for channel in client.alert_channels.iter():
        data = kept(channel.raw)
        if channel.type == "webhook":
            data["config"] = {"endpoint": webhooks[channel.raw["config"]["endpoint"]]}
        result["alertChannels"][channel.name] = data
    for monitor in client.monitors.iter():
        data = kept(monitor.raw)
        if monitor.type != "heartbeat":
            data["url"] = monitor.raw.get("url")  # a target; only heartbeats' and pages' URLs differ
        data["status"] = "PAUSED" if monitor.raw["status"] == "PAUSED" else "ACTIVE"
        data["alertChannels"] = sorted(channels[i] for i in data["alertChannels"])
        data["dependsOn"] = sorted(monitors[i] for i in data["dependsOn"])
        data["escalation"] = [
            {**step, "channels": sorted(channels[i] for i in step["channels"])} for step in data["escalation"]
        ]
        result["monitors"][monitor.name] = data
    for page in client.status_pages.iter():
        data = kept(page.raw)
        data["components"] = [monitors[i] for i in data["components"]]
        data["groups"] = [{**g, "components": [monitors[i] for i in g["components"]]} for g in data["groups"]]
        result["statusPages"][page.name] = data
    for maintenance in client.maintenances.iter():
        data = kept(maintenance.raw)
        data["monitors"] = sorted(monitors[i] for i in data["monitors"])
        result["maintenances"][maintenance.title] = data
    return result


def updated_at(client: statusapp.Client) -> dict[str, str]:
    """Every object's id and its updatedAt: unchanged when nothing was written."""
    stamps = {}
    for resource in (client.alert_channels, client.monitors, client.status_pages, client.maintenances):
        stamps.update({item.id: item.raw["updatedAt"] for item in resource.iter()})
    return stamps

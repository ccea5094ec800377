"""Alerts as a queue of the webhooks' delivery machinery: each row's Message is rendered
for its channel when it is sent, with the channel's config as it is then (a token fixed
after a failure is used by the retries).

A channel whose config (or whose webhook endpoint's secret) the current
STATUSAPP_ENCRYPTION_KEY cannot open (the key was changed) has its alerts cancelled,
each with an attempt saying why; the rest of the batch is sent."""

import dataclasses
import functools
import logging
import time
from collections.abc import Sequence
from datetime import datetime

import orjson
from django.conf import settings

from accounts.encryption import Undecryptable
from statusapp.api.fields import isoformat
from webhooks.channels import Hosts, Message, Request, render
from webhooks.channels.apprise_notice import render_apprise
from webhooks.models import WebhookEndpoint
from webhooks.queues import Queue
from webhooks.sender import Job
from webhooks.signing import signature_headers, signing_secrets
from webhooks.webhook_queue import UNDECRYPTABLE, log_undecryptable

from . import messages
from .models import Alert, AlertAttempt, AlertChannel

logger = logging.getLogger(__name__)


def hosts() -> Hosts:
    return Hosts(
        pagerduty_events_url=settings.STATUSAPP_PAGERDUTY_EVENTS_URL,
        opsgenie_api_url=settings.STATUSAPP_OPSGENIE_API_URL,
        telegram_api_url=settings.STATUSAPP_TELEGRAM_API_URL,
        pushover_api_url=settings.STATUSAPP_PUSHOVER_API_URL,
        twilio_api_url=settings.STATUSAPP_TWILIO_API_URL,
    )


def signed_webhook(alert_id: str, message: Message, endpoint: WebhookEndpoint, now: datetime) -> Request:
    """An alert to one of the organization's signed webhook endpoints, signed as its events are."""
    payload = {"id": alert_id, "event": f"alert.{message.kind}", "timestamp": isoformat(now)}
    body = orjson.dumps({**payload, "alert": dataclasses.asdict(message)})
    secrets = signing_secrets(endpoint.secret, endpoint.previous_secret, endpoint.previous_secret_expires_at, now)
    headers = {
        "Content-Type": "application/json",
        "X-StatusApp-Event": payload["event"],
        "X-StatusApp-Delivery": alert_id,
        **signature_headers(
            secrets=secrets,
            message_id=alert_id,
            timestamp=int(time.time()),
            body=body,
        ),
    }
    return Request("POST", endpoint.url, headers, body)


def jobs(alert_ids: Sequence[str], sending: str, now: datetime) -> tuple[list[Job], list[str]]:
    rows = list(
        Alert.objects.filter(id__in=alert_ids, lease_token=sending).values_list(  # by primary key
            "id", "attempts", "message", "channel_id"
        )
    )
    # Each channel's config decrypted once, each message parsed once (one goes to every
    # channel of its monitor), however many alerts of a burst share them.
    channels = AlertChannel.objects.in_bulk({channel_id for *_, channel_id in rows})
    configs = {channel_id: channel.config for channel_id, channel in channels.items()}
    parsed = functools.lru_cache(maxsize=None)(messages.loads)
    endpoint_ids = {configs[c.id].get("endpoint") for c in channels.values() if c.type == AlertChannel.Type.WEBHOOK}
    endpoints = WebhookEndpoint.objects.in_bulk(endpoint_ids - {None}) if endpoint_ids else {}
    service_hosts = hosts()
    found, cancelled = [], []
    unreadable: dict[str, list[str]] = {}  # what cannot be read (a channel, its endpoint) -> its alerts
    for alert_id, attempts, text, channel_id in rows:
        channel = channels.get(channel_id)
        if channel is None or not channel.enabled:
            cancelled.append(alert_id)
            continue
        if not channel.config_readable:
            unreadable.setdefault(f"alert channel {channel_id}", []).append(alert_id)
            continue
        message = parsed(text)
        try:
            if channel.type == AlertChannel.Type.APPRISE:
                if not settings.STATUSAPP_APPRISE:  # turned off since the channel was made
                    cancelled.append(alert_id)
                    continue
                request = render_apprise(configs[channel_id], message)
            elif channel.type == AlertChannel.Type.WEBHOOK:
                endpoint = endpoints.get(configs[channel_id].get("endpoint"))
                if endpoint is None or endpoint.organization_id != channel.organization_id:
                    cancelled.append(alert_id)
                    continue
                if isinstance(endpoint.secret, Undecryptable):
                    unreadable.setdefault(f"alert channel {channel_id} (webhook endpoint {endpoint.id})", []).append(
                        alert_id
                    )
                    continue
                request = signed_webhook(alert_id, message, endpoint, now)
            else:
                request = render(channel.type, configs[channel_id], message, service_hosts)
        except (KeyError, ValueError):
            # Logged without the config: it holds the channel's secrets.
            logger.error("alert %s: channel %s (%s) cannot be rendered", alert_id, channel.id, channel.type)
            cancelled.append(alert_id)
            continue
        found.append(
            Job(
                queue=ALERTS.name,
                delivery_id=alert_id,
                lease_token=sending,
                attempt=attempts + 1,
                target_id=channel.id,
                request=request,
            )
        )
    for what, unsent in unreadable.items():
        # Never with the secret, not even its ciphertext.
        logger.error("%s: %s", what, UNDECRYPTABLE)
        log_undecryptable(AlertAttempt, unsent, now)
        cancelled.extend(unsent)
    return found, cancelled


ALERTS = Queue(
    name="alerts",
    delivery=Alert,
    attempt=AlertAttempt,
    target=AlertChannel,
    target_field="channel",
    concurrency=lambda: settings.ALERT_CHANNEL_CONCURRENCY,
    jobs=jobs,
)

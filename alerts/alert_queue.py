"""Alerts as a queue of the webhooks' delivery machinery: each row's Message is rendered
for its channel when it is sent, with the channel's config as it is then (a token fixed
after a failure is used by the retries)."""

import dataclasses
import logging
import time
from collections.abc import Sequence
from datetime import datetime

import orjson
from django.conf import settings

from accounts.encryption import DecryptionError
from statusapp.api.fields import isoformat
from webhooks.channels import Hosts, Message, Request, render
from webhooks.channels.apprise_notice import render_apprise
from webhooks.models import WebhookEndpoint
from webhooks.queues import Queue
from webhooks.sender import Job
from webhooks.signing import signature_headers

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
    in_overlap = (
        endpoint.previous_secret and endpoint.previous_secret_expires_at and (endpoint.previous_secret_expires_at > now)
    )
    headers = {
        "Content-Type": "application/json",
        "X-StatusApp-Event": payload["event"],
        "X-StatusApp-Delivery": alert_id,
        **signature_headers(
            secrets=(endpoint.secret, endpoint.previous_secret) if in_overlap else (endpoint.secret,),
            message_id=alert_id,
            timestamp=int(time.time()),
            body=body,
        ),
    }
    return Request("POST", endpoint.url, headers, body)


def jobs(alert_ids: Sequence[str], sending: str, now: datetime) -> tuple[list[Job], list[str]]:
    rows = Alert.objects.filter(id__in=alert_ids, lease_token=sending).select_related("channel")  # by primary key
    rows = list(
        rows.only(
            "id",
            "attempts",
            "message",
            "channel__id",
            "channel__type",
            "channel__enabled",
            "channel__config_json",
            "channel__organization_id",
        )
    )
    endpoint_ids = {row.channel.config.get("endpoint") for row in rows if row.channel.type == AlertChannel.Type.WEBHOOK}
    endpoints = WebhookEndpoint.objects.in_bulk(endpoint_ids - {None}) if endpoint_ids else {}
    service_hosts = hosts()
    found, cancelled = [], []
    for alert in rows:
        channel = alert.channel
        if not channel.enabled:
            cancelled.append(alert.id)
            continue
        message = messages.loads(alert.message)
        try:
            if channel.type == AlertChannel.Type.APPRISE:
                if not settings.STATUSAPP_APPRISE:  # turned off since the channel was made
                    cancelled.append(alert.id)
                    continue
                request = render_apprise(channel.config, message)
            elif channel.type == AlertChannel.Type.WEBHOOK:
                endpoint = endpoints.get(channel.config.get("endpoint"))
                if endpoint is None or endpoint.organization_id != channel.organization_id:
                    cancelled.append(alert.id)
                    continue
                request = signed_webhook(alert.id, message, endpoint, now)
            else:
                request = render(channel.type, channel.config, message, service_hosts)
        except (DecryptionError, KeyError, ValueError):
            # Logged without the config: it holds the channel's secrets.
            logger.error("alert %s: channel %s (%s) cannot be rendered", alert.id, channel.id, channel.type)
            cancelled.append(alert.id)
            continue
        found.append(
            Job(
                queue=ALERTS.name,
                delivery_id=alert.id,
                lease_token=sending,
                attempt=alert.attempts + 1,
                target_id=channel.id,
                request=request,
            )
        )
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

"""Test alerts, sent on request to one channel."""

from django.db import transaction
from django.utils import timezone

from webhooks.tasks import insert_and_send_on_commit

from . import messages
from .alert_queue import ALERTS
from .models import Alert, AlertChannel
from .routing import alerts_for


@transaction.atomic
def send_test(channel: AlertChannel) -> Alert:
    now = timezone.now()
    (alert,) = alerts_for([channel.id], messages.test(channel.name, now), None, now)
    insert_and_send_on_commit(ALERTS, [alert])
    return alert

"""Sending subscriber emails: confirmations, and incident updates.

Incident updates go out at most once. `send_notifications` claims unsent notifications
by setting their `sent_at` in a transaction that commits *before* any email is sent
(`FOR UPDATE SKIP LOCKED` where the database has it; SQLite's IMMEDIATE transactions
make the claim a single writer), so two workers, a repeated message or a re-run never
send one notification twice. A send that fails keeps its `sent_at` and records a short
`error` (the exception's class and SMTP code, never the server's text): it is not
retried, since an SMTP error after the message was accepted would otherwise send it
twice; a worker killed between claim and send loses those emails the same way. The
task is enqueued when an update commits and runs every minute from beat as the sweeper
for what a lost message left unsent.

`statuspages.subscriptions` enqueues these tasks, so this module imports none of it.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from incidents.models import IncidentStatus

from .models import Subscriber, SubscriberNotification

logger = logging.getLogger(__name__)

BATCH_SIZE = 100  # notifications claimed (and sent over one SMTP connection) at a time
BATCHES_PER_RUN = 10  # then the task hands the rest to a new run, on any worker
SMTP_TIMEOUT = 30  # seconds, unless settings.EMAIL_TIMEOUT says otherwise
NOT_SENT_INACTIVE = "Not sent: the subscriber unsubscribed before it went out."


def absolute_url(path: str) -> str:
    return settings.STATUSAPP_BASE_URL + path


def one_line(text: str) -> str:
    """A header value: newlines in a page name or an incident title would be refused."""
    return " ".join(text.split())


def describe_error(exc: BaseException) -> str:
    """Short and free of secrets: the class and SMTP code, never the server's text."""
    code = getattr(exc, "smtp_code", None)
    if code is None and isinstance(getattr(exc, "recipients", None), dict):  # SMTPRecipientsRefused
        codes = {value[0] for value in exc.recipients.values() if isinstance(value, tuple) and value}
        code = ",".join(str(value) for value in sorted(codes)) or None
    text = type(exc).__name__ + (f" {code}" if code is not None else "")
    return text[:200]


def _mail_connection():
    return get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT)


def _email(*, to: str, subject: str, template: str, context: dict, headers: dict, mail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=render_to_string(f"statuspages/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", **headers},
        connection=mail,
    )
    message.attach_alternative(render_to_string(f"statuspages/email/{template}.html", context), "text/html")
    return message


# --- confirmations ---------------------------------------------------------------------


def confirmation_email(subscriber: Subscriber, mail=None) -> EmailMultiAlternatives:
    page = subscriber.page
    confirm_url = absolute_url(reverse("statuspages:subscribe-confirm", args=[page.slug, subscriber.token]))
    return _email(
        to=subscriber.email,
        subject=f"Confirm your subscription to {page.name}",
        template="confirm",
        context={"page": page, "confirm_url": confirm_url},
        headers={},
        mail=mail,
    )


@shared_task(ignore_result=True)
def send_confirmation(subscriber_id: str) -> bool:
    """Email the confirmation link, if the subscriber is still waiting for one.

    A failure is logged, not retried: the person can ask again from the page.
    """
    subscriber = (
        Subscriber.objects.select_related("page")
        .filter(pk=subscriber_id, confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        .first()
    )
    if subscriber is None:
        return False
    try:
        confirmation_email(subscriber, _mail_connection()).send()
    except Exception as exc:
        logger.warning("confirmation for subscriber %s not sent: %s", subscriber_id, describe_error(exc))
        return False
    return True


# --- incident updates ------------------------------------------------------------------


def claim_notifications(*, limit: int = BATCH_SIZE, now: datetime | None = None) -> list[int]:
    """Mark up to `limit` unsent notifications as sent, oldest first, and return their ids.

    Committed before anything is sent: what one caller claims, no other will.
    """
    now = now or timezone.now()
    with transaction.atomic():
        unsent = SubscriberNotification.objects.filter(sent_at__isnull=True).order_by("created_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            unsent = unsent.select_for_update(skip_locked=True)
        ids = list(unsent.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        claimed = SubscriberNotification.objects.filter(id__in=ids, sent_at__isnull=True).update(sent_at=now)
        if claimed != len(ids):
            # Only on a database with neither row locks nor a single writer: keep what
            # this call's timestamp marks.
            ids = list(SubscriberNotification.objects.filter(id__in=ids, sent_at=now).values_list("id", flat=True))
    return ids


def update_email(notification: SubscriberNotification, mail=None) -> EmailMultiAlternatives:
    subscriber = notification.subscriber
    page = subscriber.page
    update = notification.update
    incident = update.incident
    status = IncidentStatus(update.status).label
    unsubscribe_url = absolute_url(reverse("statuspages:unsubscribe", args=[page.slug, subscriber.token]))
    context = {
        "page": page,
        "page_url": absolute_url(f"/status/{page.slug}/"),
        "incident": incident,
        "update": update,
        "status": status,
        "posted": update.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        "unsubscribe_url": unsubscribe_url,
    }
    return _email(
        to=subscriber.email,
        subject=f"[{page.name}] {incident.title} ({status})",
        template="incident_update",
        context=context,
        headers={
            # RFC 2369 and RFC 8058: mail clients offer (and may POST) a one-click unsubscribe.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        mail=mail,
    )


def deliver_notifications(ids: Sequence[int]) -> int:
    """Send the claimed notifications over one connection; record what failed. Returns
    how many were sent."""
    notifications = list(
        SubscriberNotification.objects.filter(id__in=ids)
        .select_related("subscriber__page", "update__incident")
        .order_by("created_at", "id")
    )
    errors: dict[int, str] = {}
    sent: set[int] = set()
    try:
        with _mail_connection() as mail:
            for notification in notifications:
                subscriber = notification.subscriber
                if subscriber.unsubscribed_at is not None or subscriber.confirmed_at is None:
                    errors[notification.id] = NOT_SENT_INACTIVE
                    continue
                try:
                    update_email(notification, mail).send()
                except Exception as exc:
                    errors[notification.id] = describe_error(exc)
                else:
                    sent.add(notification.id)
    except Exception as exc:  # opening (or closing) the connection
        for notification in notifications:
            if notification.id not in sent:
                errors.setdefault(notification.id, describe_error(exc))
    by_error: dict[str, list[int]] = defaultdict(list)
    for notification_id, error in errors.items():
        by_error[error].append(notification_id)
    for error, failed in by_error.items():
        if error != NOT_SENT_INACTIVE:
            logger.warning("%d subscriber notifications not sent: %s", len(failed), error)
        SubscriberNotification.objects.filter(pk__in=failed).update(error=error)
    return len(sent)


@shared_task(ignore_result=True)
def send_notifications() -> int:
    """Claim and send unsent notifications; returns how many were sent.

    At most BATCHES_PER_RUN batches per run, so one big update does not hold a worker for
    long: when there may be more, another run is enqueued and any worker can take it.
    """
    sent = 0
    for _ in range(BATCHES_PER_RUN):
        ids = claim_notifications(limit=BATCH_SIZE)
        if ids:
            sent += deliver_notifications(ids)
        if len(ids) < BATCH_SIZE:
            return sent
    send_notifications.delay()
    return sent

"""Email subscribers of status pages: subscribing, confirming, unsubscribing, and the
fan-out of an incident update to the subscribers who should hear of it.

The sending side (claiming notifications, building and sending the emails) lives in
`statuspages.tasks`: this module enqueues those tasks after commit, so the import goes
one way.

An address is stored stripped and lowercased, so `Ann@Example.com` and `ann@example.com`
are one subscriber. `token` is the secret in the confirm and unsubscribe links; a new
subscription (or a renewed one) gets a fresh token, which voids the links of any earlier
confirmation email. An address gets incident emails only once confirmed and until it
unsubscribes; an unsubscribed address can come back only by confirming again.
"""

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.models import AffectedComponent, IncidentUpdate
from statusapp.celery import delay_on_commit

from .models import StatusPage, Subscriber, SubscriberNotification
from .tasks import send_confirmation, send_notifications

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path, and EmailField's default


class InvalidEmail(ValueError):
    """The submitted address cannot be used; the message says why, for the person."""


class AddressUnsubscribed(Exception):
    """The address unsubscribed from this page: only its owner can subscribe it again."""


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 43 characters, 256 bits


def normalize_email(raw: object) -> str:
    """The address as stored (stripped, lowercased), or InvalidEmail."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidEmail("Enter an email address.")
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidEmail(f"An email address has at most {MAX_EMAIL_LENGTH} characters.")
    if any(ord(char) < 32 or ord(char) == 127 for char in email):
        raise InvalidEmail("Enter a valid email address.")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidEmail("Enter a valid email address.") from None
    return email


@transaction.atomic
def subscribe(*, page: StatusPage, email: str, confirmed: bool = False) -> Subscriber:
    """Subscribe `email` to `page`'s incident updates.

    A new address, a pending one, or one that had unsubscribed gets a fresh token and a
    confirmation email (sent after commit); an address that is already confirmed and
    active is left as it is, with no second row and no email. `confirmed=True` (the API,
    importing a list that opted in elsewhere) skips the confirmation, except for an
    address that unsubscribed, which raises AddressUnsubscribed.
    """
    email = normalize_email(email)
    now = timezone.now()
    subscriber = Subscriber.objects.select_for_update().filter(page=page, email=email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    page=page, email=email, token=new_token(), confirmed_at=now if confirmed else None
                )
        except IntegrityError:  # the same address, subscribed at the same moment
            subscriber = Subscriber.objects.select_for_update().get(page=page, email=email)
        else:
            if not confirmed:
                _send_confirmation_on_commit(subscriber)
            return subscriber

    if subscriber.unsubscribed_at is None and subscriber.confirmed_at is not None:
        return subscriber  # already getting updates: nothing to do, nothing to say
    if confirmed and subscriber.unsubscribed_at is not None:
        raise AddressUnsubscribed("This address unsubscribed from the page; only its owner can subscribe it again.")
    subscriber.token = new_token()
    subscriber.unsubscribed_at = None
    subscriber.confirmed_at = now if confirmed else None
    subscriber.save(update_fields=["token", "unsubscribed_at", "confirmed_at"])
    if not confirmed:
        _send_confirmation_on_commit(subscriber)
    return subscriber


def _send_confirmation_on_commit(subscriber: Subscriber) -> None:
    delay_on_commit(send_confirmation, subscriber.id)


def subscriber_by_token(token: str, page_slug: str | None = None) -> Subscriber | None:
    found = Subscriber.objects.select_related("page").filter(token=token)
    if page_slug is not None:
        found = found.filter(page__slug=page_slug)
    return found.first()


def confirm(*, token: str, page_slug: str | None = None) -> Subscriber | None:
    """Confirm the subscriber with this token (of the page with this slug, if given).

    None when the token is unknown, or when its subscriber has unsubscribed since: an old
    confirmation link (or a mail scanner fetching it again) must not undo an unsubscribe.
    Confirming twice is harmless and keeps the first time.
    """
    subscriber = subscriber_by_token(token, page_slug)
    if subscriber is None or subscriber.unsubscribed_at is not None:
        return None
    if subscriber.confirmed_at is None:
        now = timezone.now()
        confirmed = Subscriber.objects.filter(
            pk=subscriber.pk, confirmed_at__isnull=True, unsubscribed_at__isnull=True
        ).update(confirmed_at=now)
        if not confirmed:  # confirmed or unsubscribed meanwhile
            subscriber.refresh_from_db(fields=["confirmed_at", "unsubscribed_at"])
            return subscriber if subscriber.unsubscribed_at is None else None
        subscriber.confirmed_at = now
    return subscriber


def unsubscribe(*, token: str, page_slug: str | None = None) -> Subscriber | None:
    """Stop the updates for the subscriber with this token; None when the token is unknown.

    Idempotent (a second one-click POST keeps the first time). The row stays, so the
    notifications already queued for it are skipped rather than sent.
    """
    subscriber = subscriber_by_token(token, page_slug)
    if subscriber is None:
        return None
    if subscriber.unsubscribed_at is None:
        now = timezone.now()
        Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=now)
        subscriber.refresh_from_db(fields=["unsubscribed_at"])
    return subscriber


def subscriber_delete(*, subscriber: Subscriber) -> None:
    """Erase the address (and its notification log); it may subscribe again later."""
    subscriber.delete()


def notify_subscribers_of_updates(sender, *, updates: list[IncidentUpdate], automatic: bool = False, **kwargs) -> int:
    """Receiver of `incidents.signals.incident_updates_published`, inside its transaction:
    queue the notifications of each update (see _notify_of_update). Returns how many."""
    if automatic:
        # Most organizations have no page asking for automatic incidents: one query for
        # the whole burst settles that.
        wanted = set(
            StatusPage.objects.filter(
                organization_id__in={update.incident.organization_id for update in updates},
                notify_automatic_incidents=True,
            ).values_list("organization_id", flat=True)
        )
        updates = [u for u in updates if u.notify_subscribers or u.incident.organization_id in wanted]
    return sum(_notify_of_update(update, automatic) for update in updates)


def _notify_of_update(update: IncidentUpdate, automatic: bool) -> int:
    """For an update with notify_subscribers, queue one notification per address among the
    confirmed, active subscribers of the organization's pages that show one of the
    incident's affected monitors (all of its pages when the incident names none), and
    enqueue the sending once the transaction commits.

    The entries incidents writes by itself (`automatic`: an auto-opened incident opened, a
    monitor back up, resolved) go the same way to the pages among those that ask for
    automatic incidents (notify_automatic_incidents).

    An address subscribed to two of those pages gets one email, through its oldest
    subscription: deduplicating here, once, rather than at sending time means no race
    between two workers can send it twice or not at all.
    """
    incident = update.incident
    pages = StatusPage.objects.filter(organization_id=incident.organization_id)
    if not update.notify_subscribers:
        if not automatic:
            return 0
        pages = pages.filter(notify_automatic_incidents=True)
    affected = AffectedComponent.objects.filter(incident_id=incident.pk).values("monitor_id")
    if affected.exists():
        pages = pages.filter(components__monitor_id__in=affected)
    subscribers = (
        Subscriber.objects.filter(page__in=pages, confirmed_at__isnull=False, unsubscribed_at__isnull=True)
        .order_by("created_at", "id")
        .values_list("id", "email")
    )
    seen: set[str] = set()
    rows = []
    for subscriber_id, email in subscribers.iterator(chunk_size=2000):
        if email not in seen:
            seen.add(email)
            rows.append(SubscriberNotification(update=update, subscriber_id=subscriber_id))
    if not rows:
        return 0
    SubscriberNotification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    delay_on_commit(send_notifications)
    return len(rows)

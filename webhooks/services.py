import base64
import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts.encryption import Undecryptable
from accounts.models import Organization
from accounts.plans import has_room
from statusapp.api.exceptions import PlanLimitReached

from . import publishing, recording, tasks
from .models import Delivery, WebhookEndpoint
from .webhook_queue import WEBHOOKS

ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    """`whsec_` + base64 of 32 random bytes, the Standard Webhooks form."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@transaction.atomic
def webhook_endpoint_create(
    *, organization: Organization, url: str, events: Sequence[str], description: str = "", enabled: bool = True
) -> WebhookEndpoint:
    limit = organization.limits.webhooks
    if not has_room(organization, limit, WebhookEndpoint.objects.filter(organization=organization)):
        raise PlanLimitReached(f"The {organization.plan} plan allows {limit} webhook endpoints.")
    return WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        events=list(events),
        description=description,
        enabled=enabled,
        secret=new_secret(),
    )


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    """Change an endpoint; disabling it cancels what it still had to receive."""
    was_enabled = endpoint.enabled
    for name, value in fields.items():
        setattr(endpoint, name, value)
    if endpoint.enabled != was_enabled:
        endpoint.disabled_reason = "" if endpoint.enabled else WebhookEndpoint.DisabledReason.USER
        endpoint.failing_since = None
    endpoint.save()
    if was_enabled and not endpoint.enabled:
        recording.cancel_pending(WEBHOOKS, [endpoint.id])
    return endpoint


@transaction.atomic
def webhook_secret_rotate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one goes on signing alongside it for ROTATION_OVERLAP, unless
    the current key cannot read it (then there is nothing to sign with: no overlap)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)  # one rotation at a time
    if isinstance(endpoint.secret, Undecryptable):
        endpoint.previous_secret, endpoint.previous_secret_expires_at = "", None
    else:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return endpoint


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Send a delivery again now, whatever became of it; its attempts stay in the log."""
    if not delivery.endpoint.enabled:
        raise ValidationError({"endpoint": ["The endpoint is disabled: enable it before redelivering."]})
    now = timezone.now()
    Delivery.objects.filter(id=delivery.id).update(
        status=Delivery.Status.PENDING, next_attempt_at=now, finished_at=None, lease_token="", lease_until=None
    )
    tasks.send_on_commit(WEBHOOKS, [(delivery.id, delivery.endpoint_id)])
    delivery.refresh_from_db()
    return delivery


def webhook_send_test(*, endpoint: WebhookEndpoint) -> Delivery:
    if not endpoint.enabled:
        raise ValidationError({"endpoint": ["The endpoint is disabled: enable it before sending a test."]})
    return publishing.publish_test(endpoint)


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()

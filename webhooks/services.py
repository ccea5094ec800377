import base64
import secrets
from collections.abc import Sequence

from accounts.models import Organization
from statusapp.api.exceptions import PlanLimitReached

from .models import WebhookEndpoint


def new_secret() -> str:
    """`whsec_` + base64 of 32 random bytes, the Standard Webhooks form."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_endpoint_create(
    *, organization: Organization, url: str, events: Sequence[str], description: str = "", enabled: bool = True
) -> WebhookEndpoint:
    limit = organization.limits.webhooks
    if limit is not None and WebhookEndpoint.objects.filter(organization=organization).count() >= limit:
        raise PlanLimitReached(f"The {organization.plan} plan allows {limit} webhook endpoints.")
    return WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        events=list(events),
        description=description,
        enabled=enabled,
        secret=new_secret(),
    )


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    for name, value in fields.items():
        setattr(endpoint, name, value)
    endpoint.save()
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()

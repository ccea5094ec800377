from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from ..models import Delivery, Page, WebhookEndpoint
from ._base import Resource, iterate_pages, request_body


class Webhooks(Resource):
    """Webhook endpoints (admin keys only). Verify what they receive with `statusapp.Webhook`."""

    def list(self, page: int | None = None, limit: int | None = None, **filters: Any) -> Page[WebhookEndpoint]:
        return self._page(WebhookEndpoint, "GET", "/api/webhooks", page, limit, filters)

    def iter(self, **filters: Any) -> Iterator[WebhookEndpoint]:
        return iterate_pages(self.list, filters)

    def get(self, id: str) -> WebhookEndpoint:
        return self._one(WebhookEndpoint, "GET", "/api/webhooks/{id}", id=id)

    def create(self, data: dict[str, Any] | None = None, **fields: Any) -> WebhookEndpoint:
        """The answer carries the endpoint's `secret`: the only time it is shown."""
        return self._one(WebhookEndpoint, "POST", "/api/webhooks", json=request_body(data, fields))

    def update(self, id: str, data: dict[str, Any] | None = None, **fields: Any) -> WebhookEndpoint:
        """Changes only the fields sent."""
        return self._one(WebhookEndpoint, "PUT", "/api/webhooks/{id}", id=id, json=request_body(data, fields))

    def delete(self, id: str) -> None:
        self._client._call("DELETE", "/api/webhooks/{id}", id=id)

    def test(self, id: str) -> Delivery:
        """Sends a signed `webhook.test` event to the endpoint now."""
        return self._one(Delivery, "POST", "/api/webhooks/{id}/test", id=id)

    def rotate_secret(self, id: str) -> WebhookEndpoint:
        """A new `secret`; the previous one keeps signing too until `previous_secret_expires_at`."""
        return self._one(WebhookEndpoint, "POST", "/api/webhooks/{id}/rotate-secret", id=id)

    def deliveries(self, id: str, page: int | None = None, limit: int | None = None, **filters: Any) -> Page[Delivery]:
        """One page of the endpoint's deliveries, newest first; filter: `status`."""
        return self._page(Delivery, "GET", "/api/webhooks/{id}/deliveries", page, limit, filters, id=id)

    def iter_deliveries(self, id: str, **filters: Any) -> Iterator[Delivery]:
        return iterate_pages(partial(self.deliveries, id), filters)

    def get_delivery(self, id: str, delivery_id: str) -> Delivery:
        """The delivery with its `payload` and every attempt."""
        return self._one(Delivery, "GET", "/api/webhooks/{id}/deliveries/{deliveryId}", id=id, deliveryId=delivery_id)

    def redeliver(self, id: str, delivery_id: str) -> Delivery:
        """Sends the same event (same body and webhook-id) again now."""
        return self._one(
            Delivery, "POST", "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver", id=id, deliveryId=delivery_id
        )

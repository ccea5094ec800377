from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from ..models import AlertChannel, AlertDelivery, Page
from ._base import Resource, iterate_pages, request_body


class AlertChannels(Resource):
    def list(self, page: int | None = None, limit: int | None = None, **filters: Any) -> Page[AlertChannel]:
        """One page of alert channels; filters: `type`, `enabled`, `search`."""
        return self._page(AlertChannel, "GET", "/api/alert-channels", page, limit, filters)

    def iter(self, **filters: Any) -> Iterator[AlertChannel]:
        return iterate_pages(self.list, filters)

    def get(self, id: str) -> AlertChannel:
        return self._one(AlertChannel, "GET", "/api/alert-channels/{id}", id=id)

    def create(self, data: dict[str, Any] | None = None, **fields: Any) -> AlertChannel:
        """`name`, `type` and the type's `config`; the answer is the only one showing its secrets."""
        return self._one(AlertChannel, "POST", "/api/alert-channels", json=request_body(data, fields))

    def update(self, id: str, data: dict[str, Any] | None = None, **fields: Any) -> AlertChannel:
        """Changes only the fields sent; secrets left out of `config` (or sent masked) are kept."""
        return self._one(AlertChannel, "PUT", "/api/alert-channels/{id}", id=id, json=request_body(data, fields))

    def delete(self, id: str) -> None:
        self._client._call("DELETE", "/api/alert-channels/{id}", id=id)

    def test(self, id: str) -> AlertDelivery:
        """Queues a test alert to the channel; follow it under `deliveries`."""
        return self._one(AlertDelivery, "POST", "/api/alert-channels/{id}/test", id=id)

    def deliveries(
        self, id: str, page: int | None = None, limit: int | None = None, **filters: Any
    ) -> Page[AlertDelivery]:
        """One page of the channel's alerts, newest first; filter: `status`."""
        return self._page(AlertDelivery, "GET", "/api/alert-channels/{id}/deliveries", page, limit, filters, id=id)

    def iter_deliveries(self, id: str, **filters: Any) -> Iterator[AlertDelivery]:
        return iterate_pages(partial(self.deliveries, id), filters)

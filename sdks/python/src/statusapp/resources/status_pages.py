from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from ..models import CustomDomainCheck, Page, StatusPage, Subscriber
from ._base import Resource, iterate_pages, request_body


class StatusPages(Resource):
    def list(self, page: int | None = None, limit: int | None = None, **filters: Any) -> Page[StatusPage]:
        """One page of status pages; filter: `search`."""
        return self._page(StatusPage, "GET", "/api/status-pages", page, limit, filters)

    def iter(self, **filters: Any) -> Iterator[StatusPage]:
        return iterate_pages(self.list, filters)

    def get(self, id: str) -> StatusPage:
        return self._one(StatusPage, "GET", "/api/status-pages/{id}", id=id)

    def create(self, data: dict[str, Any] | None = None, **fields: Any) -> StatusPage:
        return self._one(StatusPage, "POST", "/api/status-pages", json=request_body(data, fields))

    def update(self, id: str, data: dict[str, Any] | None = None, **fields: Any) -> StatusPage:
        """Changes only the fields sent."""
        return self._one(StatusPage, "PUT", "/api/status-pages/{id}", id=id, json=request_body(data, fields))

    def delete(self, id: str) -> None:
        self._client._call("DELETE", "/api/status-pages/{id}", id=id)

    def verify_domain(self, id: str) -> CustomDomainCheck:
        """Checks the page's custom domain for its customDomainToken now."""
        return self._one(CustomDomainCheck, "POST", "/api/status-pages/{id}/verify-domain", id=id)

    def subscribers(
        self, id: str, page: int | None = None, limit: int | None = None, **filters: Any
    ) -> Page[Subscriber]:
        return self._page(Subscriber, "GET", "/api/status-pages/{id}/subscribers", page, limit, filters, id=id)

    def iter_subscribers(self, id: str, **filters: Any) -> Iterator[Subscriber]:
        return iterate_pages(partial(self.subscribers, id), filters)

    def add_subscriber(self, id: str, data: dict[str, Any] | None = None, **fields: Any) -> Subscriber:
        """`email`; `confirmed=True` for an address that already opted in (no confirmation email)."""
        body = request_body(data, fields)
        return self._one(Subscriber, "POST", "/api/status-pages/{id}/subscribers", id=id, json=body)

    def get_subscriber(self, id: str, subscriber_id: str) -> Subscriber:
        return self._one(
            Subscriber, "GET", "/api/status-pages/{id}/subscribers/{subscriberId}", id=id, subscriberId=subscriber_id
        )

    def remove_subscriber(self, id: str, subscriber_id: str) -> None:
        self._client._call(
            "DELETE", "/api/status-pages/{id}/subscribers/{subscriberId}", id=id, subscriberId=subscriber_id
        )

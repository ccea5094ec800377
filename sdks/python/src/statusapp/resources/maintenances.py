from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..models import Maintenance, Page
from ._base import Resource, iterate_pages, request_body


class Maintenances(Resource):
    """Scheduled maintenance windows: alerts about their monitors are held while one is active."""

    def list(self, page: int | None = None, limit: int | None = None, **filters: Any) -> Page[Maintenance]:
        """One page of maintenance windows; filters: `status`, `search`."""
        return self._page(Maintenance, "GET", "/api/maintenances", page, limit, filters)

    def iter(self, **filters: Any) -> Iterator[Maintenance]:
        return iterate_pages(self.list, filters)

    def get(self, id: str) -> Maintenance:
        return self._one(Maintenance, "GET", "/api/maintenances/{id}", id=id)

    def create(self, data: dict[str, Any] | None = None, **fields: Any) -> Maintenance:
        """`title`, `starts_at`, `ends_at` (aware datetimes or ISO strings), `monitors`."""
        return self._one(Maintenance, "POST", "/api/maintenances", json=request_body(data, fields))

    def update(self, id: str, data: dict[str, Any] | None = None, **fields: Any) -> Maintenance:
        """Changes only the fields sent."""
        return self._one(Maintenance, "PUT", "/api/maintenances/{id}", id=id, json=request_body(data, fields))

    def delete(self, id: str) -> None:
        self._client._call("DELETE", "/api/maintenances/{id}", id=id)

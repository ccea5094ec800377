from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..models import Incident, IncidentUpdate, Page
from ._base import Resource, iterate_pages, request_body


class Incidents(Resource):
    def list(self, page: int | None = None, limit: int | None = None, **filters: Any) -> Page[Incident]:
        """One page of incidents; filters: `status`, `search`."""
        return self._page(Incident, "GET", "/api/incidents", page, limit, filters)

    def iter(self, **filters: Any) -> Iterator[Incident]:
        return iterate_pages(self.list, filters)

    def get(self, id: str) -> Incident:
        return self._one(Incident, "GET", "/api/incidents/{id}", id=id)

    def create(self, data: dict[str, Any] | None = None, **fields: Any) -> Incident:
        return self._one(Incident, "POST", "/api/incidents", json=request_body(data, fields))

    def update(self, id: str, data: dict[str, Any] | None = None, **fields: Any) -> Incident:
        """Changes only the fields sent; `update="..."` also posts a timeline entry."""
        return self._one(Incident, "PUT", "/api/incidents/{id}", id=id, json=request_body(data, fields))

    def delete(self, id: str) -> None:
        self._client._call("DELETE", "/api/incidents/{id}", id=id)

    def add_update(self, id: str, data: dict[str, Any] | None = None, **fields: Any) -> IncidentUpdate:
        """A timeline entry: `message`, optional `status` and `notify_subscribers`."""
        return self._one(IncidentUpdate, "POST", "/api/incidents/{id}/updates", id=id, json=request_body(data, fields))

    def get_update(self, id: str, update_id: str) -> IncidentUpdate:
        return self._one(IncidentUpdate, "GET", "/api/incidents/{id}/updates/{updateId}", id=id, updateId=update_id)

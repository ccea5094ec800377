from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..models import Event, Page
from ._base import Resource, to_page


class Events(Resource):
    """The organization's events, newest first, as their receivers got them.

    The list is cursor-paginated: a page's `pagination.next_cursor` fetches the next (older)
    one, and events published meanwhile never shift the walk.
    """

    def list(self, cursor: str | None = None, limit: int | None = None, **filters: Any) -> Page[Event]:
        """One page of events; filter: `type` (monitor.down, incident.created...)."""
        params = {"cursor": cursor, "limit": limit, **filters}
        return to_page(Event, self._client._call("GET", "/api/events", params=params))

    def iter(self, **filters: Any) -> Iterator[Event]:
        cursor = None
        while True:
            page = self.list(cursor=cursor, limit=100, **filters)
            yield from page.data
            cursor = page.pagination.next_cursor
            if not cursor:
                return

    def get(self, id: str) -> Event:
        return self._one(Event, "GET", "/api/events/{id}", id=id)

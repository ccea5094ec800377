from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from ..models import Acknowledgement, CheckResult, Monitor, MonitorUptime, Page
from ._base import Resource, iterate_pages, request_body


class Monitors(Resource):
    def list(self, page: int | None = None, limit: int | None = None, **filters: Any) -> Page[Monitor]:
        """One page of monitors; filters: `status`, `type`, `category`, `search`."""
        return self._page(Monitor, "GET", "/api/monitors", page, limit, filters)

    def iter(self, **filters: Any) -> Iterator[Monitor]:
        """Every monitor matching the filters, a page at a time."""
        return iterate_pages(self.list, filters)

    def get(self, id: str) -> Monitor:
        return self._one(Monitor, "GET", "/api/monitors/{id}", id=id)

    def create(self, data: dict[str, Any] | None = None, **fields: Any) -> Monitor:
        return self._one(Monitor, "POST", "/api/monitors", json=request_body(data, fields))

    def update(self, id: str, data: dict[str, Any] | None = None, **fields: Any) -> Monitor:
        """Changes only the fields sent."""
        return self._one(Monitor, "PUT", "/api/monitors/{id}", id=id, json=request_body(data, fields))

    def delete(self, id: str) -> None:
        self._client._call("DELETE", "/api/monitors/{id}", id=id)

    def pause(self, id: str) -> Monitor:
        return self.update(id, status="PAUSED")

    def resume(self, id: str) -> Monitor:
        """Back to checking: PENDING until the next check."""
        return self.update(id, status="ACTIVE")

    def acknowledge(self, id: str) -> Acknowledgement:
        """Stops reminders and escalation of a DOWN monitor until it recovers."""
        return self._one(Acknowledgement, "POST", "/api/monitors/{id}/acknowledge", id=id)

    def checks(self, id: str, page: int | None = None, limit: int | None = None, **filters: Any) -> Page[CheckResult]:
        """One page of the monitor's check results, newest first; filter: `status`."""
        return self._page(CheckResult, "GET", "/api/monitors/{id}/checks", page, limit, filters, id=id)

    def iter_checks(self, id: str, **filters: Any) -> Iterator[CheckResult]:
        return iterate_pages(partial(self.checks, id), filters)

    def uptime(self, id: str) -> MonitorUptime:
        return self._one(MonitorUptime, "GET", "/api/monitors/{id}/uptime", id=id)

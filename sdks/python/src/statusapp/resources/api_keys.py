from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..models import ApiKey, Page
from ._base import Resource, iterate_pages, request_body


class ApiKeys(Resource):
    """The organization's API keys (admin keys only). A key cannot be changed: revoke and create."""

    def list(self, page: int | None = None, limit: int | None = None, **filters: Any) -> Page[ApiKey]:
        """One page of keys; filter: `search`."""
        return self._page(ApiKey, "GET", "/api/api-keys", page, limit, filters)

    def iter(self, **filters: Any) -> Iterator[ApiKey]:
        return iterate_pages(self.list, filters)

    def get(self, id: str) -> ApiKey:
        return self._one(ApiKey, "GET", "/api/api-keys/{id}", id=id)

    def create(self, data: dict[str, Any] | None = None, **fields: Any) -> ApiKey:
        """`name`, `permission` (read, write, admin), optional `expires_at`; the answer's `key` is shown once."""
        return self._one(ApiKey, "POST", "/api/api-keys", json=request_body(data, fields))

    def delete(self, id: str) -> None:
        """Revokes the key: it is refused from then on."""
        self._client._call("DELETE", "/api/api-keys/{id}", id=id)

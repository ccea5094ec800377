"""What every resource shares: calling the client, shaping answers into models, pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ..models import Model, Page, Pagination, camel_case

if TYPE_CHECKING:
    from ..client import Client

M = TypeVar("M", bound=Model)
T = TypeVar("T")

ITER_PAGE_SIZE = 100  # the API's largest page


def request_body(data: dict[str, Any] | None, fields: dict[str, Any]) -> dict[str, Any]:
    """`data` as the API's JSON, sent as is, plus snake_case keyword fields as camelCase keys."""
    body = dict(data or {})
    body.update({camel_case(name): value for name, value in fields.items()})
    return body


def iterate_pages(list_page: Callable[..., Page[T]], filters: dict[str, Any]) -> Iterator[T]:
    """Every object of a page-numbered list, fetching the next page only when needed."""
    page = 1
    while True:
        result = list_page(page=page, limit=ITER_PAGE_SIZE, **filters)
        yield from result.data
        if not result.data or page >= (result.pagination.pages or 0):
            return
        page += 1


class Resource:
    def __init__(self, client: Client) -> None:
        self._client = client

    def _page(
        self,
        model: type[M],
        method: str,
        path: str,
        page: int | None,
        limit: int | None,
        filters: dict[str, Any],
        **path_params: str,
    ) -> Page[M]:
        params = {"page": page, "limit": limit, **{camel_case(name): value for name, value in filters.items()}}
        return to_page(model, self._client._call(method, path, params=params, **path_params))

    def _one(self, model: type[M], method: str, path: str, *, json: Any = None, **path_params: str) -> M:
        return model.from_dict(self._client._call(method, path, json=json, **path_params))


def to_page(model: type[M], body: dict[str, Any]) -> Page[M]:
    return Page([model.from_dict(item) for item in body["data"]], Pagination.from_dict(body["pagination"]))

"""`{"data": [...], "pagination": {"page", "limit", "total", "pages"}}` for every list."""

import math
import re

from django.db.models import Func, IntegerField, Subquery
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

_DIGITS = re.compile(r"[0-9]{1,18}")
# The largest `page` or `limit` positive_int accepts (18 digits); the schema says so.
LARGEST = 10**18 - 1
# OFFSET is a signed 64-bit integer in PostgreSQL and SQLite: a page further on than that
# is past the end of any list, and is not asked for.
_MAX_OFFSET = 2**63 - 1


def positive_int(params, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or int(raw) < 1:
        raise ValidationError({name: [f"{name} must be a positive integer."]})
    return int(raw)


class PagePagination(BasePagination):
    default_limit = 20
    max_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.page = positive_int(request.query_params, "page", 1)
        self.limit = min(positive_int(request.query_params, "limit", self.default_limit), self.max_limit)
        offset = (self.page - 1) * self.limit
        # The total rides along with the page as an uncorrelated subquery, which the
        # database evaluates once: one round trip instead of a COUNT and a SELECT.
        count = Func(template="COUNT(*)", output_field=IntegerField())
        total = Subquery(queryset.order_by().values(total_count=count))
        page = queryset.annotate(total_count=total)
        columns = getattr(view, "list_columns", None)
        if columns:
            # Light named rows instead of model instances, when the view's serializer
            # reads just these attributes.
            page = page.values_list(*columns, "total_count", named=True)
        rows = list(page[offset : offset + self.limit]) if offset <= _MAX_OFFSET else []
        self.total = rows[0].total_count if rows else queryset.count()
        return rows

    def get_paginated_response(self, data):
        return Response(
            {
                "data": data,
                "pagination": {
                    "page": self.page,
                    "limit": self.limit,
                    "total": self.total,
                    "pages": math.ceil(self.total / self.limit),
                },
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["data", "pagination"],
            "properties": {
                "data": schema,
                "pagination": {
                    "type": "object",
                    "required": ["page", "limit", "total", "pages"],
                    "properties": {
                        "page": {"type": "integer", "minimum": 1},
                        "limit": {"type": "integer", "minimum": 1, "maximum": self.max_limit},
                        "total": {"type": "integer", "minimum": 0},
                        "pages": {"type": "integer", "minimum": 0},
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number (default 1).",
                "schema": {"type": "integer", "minimum": 1, "maximum": LARGEST},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Results per page (default 20; values above 100 are served as 100).",
                "schema": {"type": "integer", "minimum": 1, "maximum": LARGEST},
            },
        ]

"""`{"data": [...], "pagination": {"limit", "nextCursor"}}`: keyset pages over (created_at, id), newest first.

A receiver that was down walks back through the events with `nextCursor` until it is
null. Page numbers would shift under it as new events arrive; a key does not: the
cursor names the last event served, and the next page starts strictly after it in the
order (-created_at, -id), whatever was added since.

The cursor is opaque: the key, signed (with the organization in the salt) and
base64url-encoded. Anything that does not decode and verify is a 400, never a 500.
"""

import base64
import binascii
import re
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from statusapp.api.ids import ID_URL_PATTERN
from statusapp.api.pagination import LARGEST, positive_int

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,200}")
_KEY = re.compile(rf"(-?[0-9]{{1,18}})\.({ID_URL_PATTERN})")


class CursorPagination(BasePagination):
    """Keyset pagination over a queryset's (created_at, id), newest first."""

    default_limit = 20
    max_limit = 100
    salt = "statusapp.cursor"

    def _signer(self, request) -> signing.Signer:
        return signing.Signer(salt=f"{self.salt}:{request.auth.organization.pk}")

    def encode_cursor(self, request, created_at: datetime, pk: str) -> str:
        delta = created_at - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        signed = self._signer(request).sign(f"{micros}.{pk}")
        return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")

    def decode_cursor(self, request, raw: str) -> tuple[datetime, str]:
        def invalid() -> ValidationError:
            return ValidationError({"cursor": ["Invalid cursor: pass a nextCursor value unchanged."]})

        if not _CURSOR.fullmatch(raw):
            raise invalid()
        try:
            decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            # Only the one canonical spelling: stray padding bits would make a changed cursor decode the same.
            if base64.urlsafe_b64encode(decoded).decode().rstrip("=") != raw:
                raise invalid()
            signed = decoded.decode("ascii")
            key = _KEY.fullmatch(self._signer(request).unsign(signed))
            if key is None:
                raise invalid()
            return _EPOCH + timedelta(microseconds=int(key[1])), key[2]
        except (binascii.Error, UnicodeDecodeError, signing.BadSignature, OverflowError, ValueError):
            raise invalid() from None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = min(positive_int(request.query_params, "limit", self.default_limit), self.max_limit)
        raw = request.query_params.get("cursor")
        if raw is not None:
            created_at, pk = self.decode_cursor(request, raw)
            queryset = queryset.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
        rows = list(queryset.order_by("-created_at", "-pk")[: self.limit + 1])
        self.next_cursor = None
        if len(rows) > self.limit:
            rows = rows[: self.limit]
            self.next_cursor = self.encode_cursor(request, rows[-1].created_at, rows[-1].pk)
        return rows

    def get_paginated_response(self, data):
        return Response({"data": data, "pagination": {"limit": self.limit, "nextCursor": self.next_cursor}})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["data", "pagination"],
            "properties": {
                "data": schema,
                "pagination": {
                    "type": "object",
                    "required": ["limit", "nextCursor"],
                    "properties": {
                        "limit": {"type": "integer", "minimum": 1, "maximum": self.max_limit},
                        "nextCursor": {
                            "type": "string",
                            "nullable": True,
                            "description": "Pass as `cursor` for the next (older) page; null on the last page.",
                        },
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Opaque: the previous page's `nextCursor`. Omit for the newest page.",
                "schema": {"type": "string"},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Results per page (default 20; values above 100 are served as 100).",
                "schema": {"type": "integer", "minimum": 1, "maximum": LARGEST},
            },
        ]

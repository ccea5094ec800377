"""The OpenAPI schema's AutoSchema: drf-spectacular's, saying what the API does.

Every operation documents the error envelope for each status it can answer with (README,
"API conventions"); request bodies are JSON and refuse unknown keys; a PUT, which changes
only the fields sent, requires none; read-only fields a representation may leave out are
not required. tests/test_schema_fuzz.py holds the API to it.
"""

import copy

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import force_instance, is_serializer
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from .errors import CODES
from .serializers import StrictSerializer
from .viewsets import OrganizationScopedViewSet


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=sorted(set(CODES.values())))
    message = serializers.CharField()
    details = serializers.CharField(allow_blank=True)
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Validation errors (400 only): each field, dotted when nested, with its messages; "nonFieldErrors" '
        "for the request as a whole.",
    )


class ErrorSerializer(serializers.Serializer):
    """Every API error: `{"error": {"code", "message", "details"}}`, plus `fields` for validation errors."""

    error = ErrorDetailSerializer()


ERRORS = {
    400: "Invalid request: a malformed or invalid body or query parameter (see `fields`), or a change the "
    "object's state does not allow.",
    401: "No API key, or one that is invalid, expired or revoked.",
    403: "The key's permission is too low for this request, or a plan limit is reached (the message says which).",
    404: "No such object in the caller's organization.",
    413: "The request body is larger than 256 KiB.",
    429: "The plan's hourly request limit is reached, or too many invalid keys came from this address "
    "(see `Retry-After`).",
}


# What each error looks like, for the docs' example responses: the code its status always carries.
ERROR_EXAMPLES = {
    400: {
        "message": "Invalid monitor URL",
        "details": "Enter a valid URL.",
        "fields": {"url": ["Enter a valid URL."]},
    },
    401: {"message": "Invalid, expired or revoked API key.", "details": ""},
    403: {"message": "This request needs an API key with 'write' permission.", "details": ""},
    404: {"message": "Not found.", "details": ""},
    413: {"message": "Request body is larger than 262144 bytes.", "details": ""},
    429: {"message": "Rate limit exceeded", "details": "Hourly request limit for your plan reached"},
}


def error_response(status_code: int) -> OpenApiResponse:
    example = {"error": {"code": CODES[status_code], **ERROR_EXAMPLES[status_code]}}
    return OpenApiResponse(
        ErrorSerializer,
        description=ERRORS[status_code],
        examples=[
            OpenApiExample(f"{status_code} {CODES[status_code]}", value=example, status_codes=[str(status_code)])
        ],
    )


class AutoSchema(SpectacularAutoSchema):
    def map_parsers(self):
        # AnyTypeJSONParser reads a body as JSON whatever its declared type (`*/*`), so
        # that `curl -d` works; what a client sends is JSON.
        return ["application/json" if media_type == "*/*" else media_type for media_type in super().map_parsers()]

    def _get_request_for_media_type(self, serializer, direction="request"):
        if self.method == "PUT" and isinstance(self.view, OrganizationScopedViewSet) and is_serializer(serializer):
            # Its PUT changes only the fields sent: the body is PATCH's, nothing required.
            serializer = copy.copy(force_instance(serializer))
            serializer.partial = True
        return super()._get_request_for_media_type(serializer, direction)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, serializers.ListField) and not field.allow_empty:
            schema.setdefault("minItems", 1)  # drf-spectacular leaves allow_empty=False out
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False  # an unknown or read-only key is a 400
        # drf-spectacular lists every read-only field as required; a serializer names in
        # `optional_read_only_fields` those its representation leaves out for some objects.
        optional = set(getattr(serializer, "optional_read_only_fields", ()))
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status_code in self._error_statuses():
            responses.setdefault(
                str(status_code), self._get_response_for_code(error_response(status_code), str(status_code))
            )
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if str(status_code) == "201":  # viewsets.CreatedLocationMixin
            headers["Location"] = {
                "schema": {"type": "string"},
                "description": "The new object's path: this path, then `/` and its id.",
            }
        return headers

    def _error_statuses(self) -> list[int]:
        statuses = [401, 403, 429]  # every operation needs a key and counts against the plan
        # A change may be refused for its body, its query or the object's state (a disabled
        # webhook endpoint cannot be sent a test).
        has_query = any(parameter["in"] == "query" for parameter in self._get_parameters())
        if self.method in ("POST", "PUT", "PATCH") or has_query:
            statuses.append(400)
        if "{" in self.path:
            statuses.append(404)
        if self._get_request_body() is not None:
            statuses.append(413)
        return sorted(statuses)

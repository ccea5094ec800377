"""Request bodies are JSON whatever their declared type, so `curl -d '{…}'` works."""

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from .exceptions import PayloadTooLarge


class AnyTypeJSONParser(BaseParser):
    # Matches every content type: the API reference guide's curl examples send JSON with curl's default form type.
    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(f"Request body is larger than {limit} bytes.")
        if not raw.strip():
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise ParseError("Request body must be valid JSON.") from None
        if not isinstance(data, dict):
            raise ParseError("Request body must be a JSON object.")
        return data

"""Validating a page's look and access settings: logo, custom domain and password."""

import base64
import binascii
import re

from django.conf import settings
from django.contrib.auth.hashers import make_password

MAX_LOGO_BYTES = 128 * 1024  # its data URL stays under the API's 256 KiB body limit
# Raster images only, known by their first bytes whatever the data URL claims: an SVG
# could carry script.
LOGO_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
_DATA_URL = re.compile(r"data:image/[a-z+.-]{1,20};base64,(?P<data>[A-Za-z0-9+/=\s]+)\Z")
_HOSTNAME = re.compile(r"(?=.{4,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")


class Invalid(ValueError):
    pass


def logo_from_data_url(value: str) -> tuple[bytes, str]:
    """(image bytes, content type) from a `data:image/...;base64,...` URL; "" removes the logo."""
    if value == "":
        return b"", ""
    match = _DATA_URL.match(value)
    if match is None:
        raise Invalid("Must be a data URL: data:image/png;base64,...")
    if len(match["data"]) > MAX_LOGO_BYTES * 4 // 3 + 8:
        raise Invalid(f"Must be at most {MAX_LOGO_BYTES // 1024} KB.")
    try:
        data = base64.b64decode("".join(match["data"].split()), validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("Must be valid base64.") from None
    if len(data) > MAX_LOGO_BYTES:
        raise Invalid(f"Must be at most {MAX_LOGO_BYTES // 1024} KB.")
    if data[:12].startswith(b"RIFF") and data[8:12] == b"WEBP":
        return data, "image/webp"
    for signature, content_type in LOGO_SIGNATURES.items():
        if data.startswith(signature):
            return data, content_type
    raise Invalid("Must be a PNG, JPEG, GIF or WebP image.")


def custom_domain(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower().rstrip(".")
    if not _HOSTNAME.match(value):
        raise Invalid("Must be a host name like status.example.com.")
    if value in {host.lower() for host in settings.STATUSAPP_APP_HOSTS}:
        raise Invalid("This host serves StatusApp itself.")
    return value


def password_hash(value: str) -> str:
    """The stored hash of a page password; "" removes it."""
    if value == "":
        return ""
    if len(value) < 8:
        raise Invalid("Must be at least 8 characters.")
    return make_password(value)

"""The signature headers on every delivery.

`X-StatusApp-Signature` is the bare hex HMAC-SHA256 of the body keyed with the whole
secret string: what the API guide's `verify_signature` computes. The Standard Webhooks
headers sign `id.timestamp.body` with the base64-decoded secret, so receivers can also
refuse replays. During a rotation's overlap the previous secret signs too: a second
`v1,` signature, and `X-StatusApp-Signature-Previous`.
"""

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

from accounts.encryption import Undecryptable

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def hex_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def standard_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signing_secrets(current: str, previous, previous_expires_at: datetime | None, now: datetime) -> tuple[str, ...]:
    """The secrets that sign now: the current one, then the previous one while its rotation
    overlap lasts, unless the current STATUSAPP_ENCRYPTION_KEY cannot read it."""
    if previous and not isinstance(previous, Undecryptable) and previous_expires_at and previous_expires_at > now:
        return (current, previous)
    return (current,)


def signature_headers(*, secrets: Sequence[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Headers signing `body`; `secrets` is the current secret, then a previous one still in its overlap."""
    current, *previous = secrets
    headers = {
        "X-StatusApp-Signature": hex_signature(current, body),
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(standard_signature(s, message_id, timestamp, body) for s in secrets),
    }
    if previous:
        headers["X-StatusApp-Signature-Previous"] = hex_signature(previous[0], body)
    return headers

"""Checking that a webhook really comes from StatusApp.

Every delivery carries two signatures; check either:

- `X-StatusApp-Signature`: the hex HMAC-SHA256 of the raw body keyed with the whole secret
  string, as the API guide's `verify_signature` computes it;
- the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`),
  which also sign the time of sending, so `Webhook.verify` can refuse a replayed delivery.

Verify the body exactly as received, before any JSON parsing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from .errors import WebhookVerificationError

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
DEFAULT_TOLERANCE = 300  # seconds a delivery's timestamp may be off from now


def _bytes(body: str | bytes) -> bytes:
    return body.encode() if isinstance(body, str) else body


def verify_signature(body: str | bytes, signature: str | None, secret: str) -> bool:
    """True when `signature` (the X-StatusApp-Signature header) signs `body` with `secret`."""
    if not signature or not isinstance(signature, str):
        return False
    expected = hmac.new(secret.encode(), _bytes(body), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.strip().lower().encode(), expected.encode())


class Webhook:
    """Standard Webhooks verification: `Webhook(secret).verify(body, headers)` returns the event.

    `secret` is the endpoint's `whsec_...` secret. A delivery whose timestamp is more than
    `tolerance` seconds from now is refused, so a captured delivery cannot be replayed later.
    """

    def __init__(self, secret: str, *, tolerance: int = DEFAULT_TOLERANCE) -> None:
        encoded = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
        try:
            self._key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("not a webhook secret: expected whsec_ and base64") from exc
        self.tolerance = tolerance

    def sign(self, message_id: str, timestamp: int, body: str | bytes) -> str:
        """The `webhook-signature` value for this message (`v1,<base64>`)."""
        signed = f"{message_id}.{timestamp}.".encode() + _bytes(body)
        digest = hmac.new(self._key, signed, hashlib.sha256).digest()
        return "v1," + base64.b64encode(digest).decode()

    def verify(self, body: str | bytes, headers: Mapping[str, str]) -> Any:
        """The delivery's JSON once its signature and timestamp check out; otherwise raises
        WebhookVerificationError. `headers` is any mapping of the request's headers."""
        lowered = {name.lower(): value for name, value in headers.items()}
        try:
            message_id = lowered["webhook-id"]
            sent_at = lowered["webhook-timestamp"]
            signatures = lowered["webhook-signature"]
        except KeyError as exc:
            raise WebhookVerificationError(f"missing header {exc.args[0]}") from exc
        try:
            timestamp = int(sent_at)
        except ValueError as exc:
            raise WebhookVerificationError("invalid webhook-timestamp") from exc
        now = time.time()
        if timestamp < now - self.tolerance:
            raise WebhookVerificationError("webhook-timestamp too old: a replay, or a clock far off")
        if timestamp > now + self.tolerance:
            raise WebhookVerificationError("webhook-timestamp too far in the future")

        expected = self.sign(message_id, timestamp, body).encode()
        # Several space-separated signatures while a rotated secret's predecessor still signs.
        if not any(hmac.compare_digest(expected, given.encode()) for given in signatures.split()):
            raise WebhookVerificationError("no matching signature")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise WebhookVerificationError("the body is not JSON") from exc

"""What can go wrong: one class per kind of failure, carrying what the server said."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class StatusAppError(Exception):
    """Base of every error this package raises."""


class APIConnectionError(StatusAppError):
    """The server could not be reached, or did not answer in time.

    A write that fails this way may or may not have been applied: it is never retried.
    """


class APIError(StatusAppError):
    """The server answered with an error: `{"error": {"code", "message", "details", "fields"}}`."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str,
        details: str = "",
        fields: dict[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.fields = fields or {}
        self.headers = headers or {}
        self.body = body

    def __str__(self) -> str:
        text = f"{self.status} {self.code}: {self.message}"
        if self.details and self.details != self.message:
            text += f" ({self.details})"
        return text


class ValidationError(APIError):
    """400: invalid parameters or body; `fields` maps each invalid field to its messages."""


class AuthenticationError(APIError):
    """401: no API key, or one that is invalid, expired or revoked."""


class PermissionDeniedError(APIError):
    """403: the key's permission is too low for this request."""


class NotFoundError(APIError):
    """404: no such object in this organization."""


class RateLimitError(APIError):
    """429: the organization's rate limit is spent; `retry_after` is the wait in seconds."""

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class WebhookVerificationError(StatusAppError):
    """A webhook's signature, timestamp or headers did not verify."""


ERROR_CLASSES: dict[int, type[APIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}

"""Exit codes: each says what failed, so a script can tell a bad key from a missing object
from a server that is down. CLI.md lists them."""

from __future__ import annotations

import statusapp

OK = 0
FAILED = 1  # the API refused the request (400, 409, 500...), or anything else went wrong
USAGE = 2  # bad command line, or a file that cannot be applied (nothing was changed)
AUTH = 3  # 401: no key, or a wrong one; 403: the key's permission is too low
NOT_FOUND = 4  # 404: no such object in the organization
UNAVAILABLE = 5  # 429 rate limited or 503 unavailable, after the client's retries
CONNECTION = 6  # the server could not be reached, or did not answer in time


class CLIError(Exception):
    """A failure the CLI reports in its own words."""

    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code


def exit_code(error: Exception) -> int:
    if isinstance(error, CLIError):
        return error.code
    if isinstance(error, statusapp.APIConnectionError):
        return CONNECTION
    if isinstance(error, (statusapp.AuthenticationError, statusapp.PermissionDeniedError)):
        return AUTH
    if isinstance(error, statusapp.NotFoundError):
        return NOT_FOUND
    if isinstance(error, statusapp.RateLimitError) or (
        isinstance(error, statusapp.APIError) and error.status in (502, 503, 504)
    ):
        return UNAVAILABLE
    return FAILED


def describe(error: Exception) -> str:
    """The error as the user reads it: the server's message, its status and code, each field's complaint."""
    if not isinstance(error, statusapp.APIError):
        return str(error)
    text = f"{error.message} ({error.status} {error.code})"
    if error.details and error.details != error.message and not error.fields:  # the fields say it better
        text += f"\n  {error.details}"
    for field, messages in _flat_fields(error.fields or {}):
        text += f"\n  {field}: {messages}"
    if isinstance(error, statusapp.RateLimitError) and error.retry_after:
        text += f"\n  retry after {error.retry_after} s"
    return text


def _flat_fields(fields: dict, prefix: str = "") -> list[tuple[str, str]]:
    pairs = []
    for name, messages in fields.items():
        if isinstance(messages, dict):
            pairs += _flat_fields(messages, f"{prefix}{name}.")
        elif isinstance(messages, list) and all(isinstance(message, str) for message in messages):
            pairs.append((f"{prefix}{name}", " ".join(messages)))
        else:
            pairs.append((f"{prefix}{name}", str(messages)))
    return pairs

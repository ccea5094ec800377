"""The transport: one requests session, a timeout on every call, retries, and errors decoded
from the server's `{"error": {...}}` answers."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Mapping
from typing import Any

import requests

from ._version import __version__
from .errors import ERROR_CLASSES, APIConnectionError, APIError, RateLimitError

# The server answers 429 and 503 before doing anything, so any request, a write too, can
# be sent again once the wait its Retry-After asks for is over.
RETRY_STATUSES = (429, 503)
# Only these are sent again after a connection failure: a write may have been applied.
IDEMPOTENT_METHODS = ("GET", "HEAD")
TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
# A longer Retry-After (an hourly limit spent) is raised to the caller instead of slept.
MAX_RETRY_WAIT = 60.0
BACKOFF_START = 0.5  # seconds before the first retry when the server gave no Retry-After
BACKOFF_MAX = 8.0


class Transport:
    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str,
        timeout: float,
        max_retries: int,
        session: requests.Session | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.session = session if session is not None else requests.Session()
        self._owns_session = session is None

    def close(self) -> None:
        """Closes the session this transport made (a session given to it stays open)."""
        if self._owns_session:
            self.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Sends one API call (retried as the module says) and returns its decoded JSON, None for 204."""
        method = method.upper()
        headers = {"Accept": "application/json", "User-Agent": f"statusapp-python/{__version__}"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = None
        if json is not None:
            headers["Content-Type"] = "application/json"
            data = _encode_json(json)
        response = self._send(method, self.base_url + path, headers, _query(params), data)
        return _decode(response)

    def _send(
        self, method: str, url: str, headers: dict[str, str], params: dict[str, str], data: bytes | None
    ) -> requests.Response:
        attempt = 0
        while True:
            retries_left = attempt < self.max_retries
            try:
                response = self.session.request(
                    method, url, params=params, data=data, headers=headers, timeout=self.timeout
                )
            except TRANSIENT_ERRORS as exc:
                if not (retries_left and method in IDEMPOTENT_METHODS):
                    raise APIConnectionError(f"{method} {url} failed: {exc}") from exc
                time.sleep(_backoff(attempt))
            except requests.RequestException as exc:
                raise APIConnectionError(f"{method} {url} failed: {exc}") from exc
            else:
                if not (retries_left and response.status_code in RETRY_STATUSES):
                    return response
                wait = _retry_after(response)
                if wait is None:
                    wait = _backoff(attempt)
                if wait > MAX_RETRY_WAIT:
                    return response
                response.close()
                time.sleep(wait)
            attempt += 1


def _encode_json(value: Any) -> bytes:
    return json.dumps(value, default=_json_default, separators=(",", ":")).encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetime: give it a timezone (the API's times are UTC)")
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _query(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query parameters as the API reads them: booleans as true/false, None left out."""
    query = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        query[key] = str(value)
    return query


def _backoff(attempt: int) -> float:
    return min(BACKOFF_START * 2**attempt, BACKOFF_MAX)


def _retry_after(response: requests.Response) -> float | None:
    """The Retry-After header in seconds (the form StatusApp sends), or None."""
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None


def _decode(response: requests.Response) -> Any:
    try:
        payload = response.json() if response.content else None
    except ValueError:
        payload = None
    if response.ok:
        if payload is None and response.content:
            raise APIError(
                "The server's answer is not JSON",
                status=response.status_code,
                code="invalid_response",
                headers=response.headers,
                body=response.text[:1000],
            )
        return payload
    raise _error(response, payload)


def _error(response: requests.Response, payload: Any) -> APIError:
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        error = {}
    status = response.status_code
    kwargs: dict[str, Any] = {
        "status": status,
        "code": error.get("code") or f"http_{status}",
        "details": error.get("details") or "",
        "fields": error.get("fields") or {},
        "headers": response.headers,
        "body": payload if payload is not None else response.text[:1000],
    }
    message = error.get("message") or response.reason or f"HTTP {status}"
    error_class = ERROR_CLASSES.get(status, APIError)
    if error_class is RateLimitError:
        wait = _retry_after(response)
        return RateLimitError(message, retry_after=None if wait is None else int(wait), **kwargs)
    return error_class(message, **kwargs)

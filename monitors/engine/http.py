"""HTTP(S) and keyword checks.

Run through ``run_check``, which puts the whole check (every redirect hop, the body read) under one wall-clock
deadline. Redirects are followed by hand so each hop is judged by the guard: literal IP hosts here, names by the
session's GuardedResolver at connect time. The body is read only when a keyword or JSON assertion needs it, and
never more than ``context.max_body_bytes``.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from yarl import URL

from outbound import guard
from outbound.errors import describe_oserror

from .context import EngineContext
from .http_client import InvalidRequest, InvalidResponse, Response, open_response
from .types import CheckResult, CheckSpec, down, up_or_degraded

__all__ = [
    "MAX_REDIRECTS",
    "check_http",
    "evaluate_json_path",
    "parse_json_path",
    "parse_status_codes",
]

MAX_REDIRECTS = 5
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# Dropped when a redirect leaves the origin: credentials meant for the monitored site only.
SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
VALUE_CHARS = 50  # at most this much of the user's JSON path / expected value goes into an error


class _CheckFailed(Exception):
    def __init__(self, error: str, status_code: int | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status_code = status_code


# --- expected status codes ---------------------------------------------------------------------------------------


def parse_status_codes(text: str) -> tuple[tuple[int, int], ...]:
    """ "200-299,301" -> ((200, 299), (301, 301)). ValueError if malformed. Empty means 200-299."""
    text = (text or "").strip() or "200-299"
    ranges = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        low, sep, high = part.partition("-")
        lo = int(low.strip())
        hi = int(high.strip()) if sep else lo
        if not (100 <= lo <= hi <= 599):
            raise ValueError(f"bad status range {part!r}")
        ranges.append((lo, hi))
    if not ranges:
        raise ValueError("no status codes")
    return tuple(ranges)


def _status_ok(status: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= status <= hi for lo, hi in ranges)


# --- JSON path ---------------------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(
    r"""\.?(?P<name>[^.\[\]'"]+)"""  # .name or name
    r"""|\[\s*(?P<index>-?\d+)\s*\]"""  # [0]
    r"""|\[\s*'(?P<sq>[^']*)'\s*\]"""  # ['key']
    r"""|\[\s*"(?P<dq>[^"]*)"\s*\]"""  # ["key"]
)


def parse_json_path(path: str) -> list[str | int]:
    """ "$.data.items[0].state" -> ["data", "items", 0, "state"]. ValueError if malformed."""
    text = path.strip()
    if text.startswith("$"):
        text = text[1:]
    steps: list[str | int] = []
    pos = 0
    while pos < len(text):
        match = _JSON_TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"bad JSON path at {pos}")
        if match["index"] is not None:
            steps.append(int(match["index"]))
        elif match["name"] is not None:
            steps.append(match["name"].strip())
        else:
            steps.append(match["sq"] if match["sq"] is not None else match["dq"])
        pos = match.end()
    return steps


_MISSING = object()


def evaluate_json_path(document: Any, steps: list[str | int]) -> Any:
    """The value at ``steps`` or ``_MISSING``."""
    value = document
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return _MISSING
            value = value[step]
        elif isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.lstrip("-").isdigit():
            return evaluate_json_path(value, [int(step)])
        else:
            return _MISSING
    return value


def json_text(value: Any) -> str:
    """How a JSON value compares with the monitor's expected text."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _clip(text: str) -> str:
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 3] + "..."


# --- the check ---------------------------------------------------------------------------------------------------


def _validate_url(url: URL) -> None:
    if url.scheme not in ("http", "https"):
        raise _CheckFailed(f"unsupported URL scheme {url.scheme[:20]!r}" if url.scheme else "invalid URL")
    if not url.raw_host:
        raise _CheckFailed("invalid URL: no host")


def _origin(url: URL) -> tuple[str, str, int | None]:
    return (url.scheme, (url.raw_host or "").lower(), url.port)


async def _read_capped(resp: Response, cap: int, stop_at: bytes | None) -> tuple[bytes, bool]:
    """Read at most ``cap`` bytes; returns (body, truncated). Stops early once ``stop_at`` has been seen."""
    buf = bytearray()
    while len(buf) <= cap:
        chunk = await resp.read()
        if not chunk:
            return bytes(buf), False
        start = max(0, len(buf) - len(stop_at) + 1) if stop_at else 0
        buf += chunk
        if stop_at and buf.find(stop_at, start) != -1:
            return bytes(buf[:cap]), len(buf) > cap
    return bytes(buf[:cap]), True


def _keyword_bytes(keyword: str, charset: str | None) -> bytes:
    try:
        return keyword.encode(charset or "utf-8")
    except (LookupError, UnicodeError):
        return keyword.encode("utf-8")


def _assert_body(spec: CheckSpec, body: bytes, truncated: bool, keyword: bytes | None, cap: int) -> None:
    cap_text = f"{cap // 1024 // 1024} MiB" if cap >= 1024 * 1024 else f"{cap} bytes"
    if keyword is not None:
        found = keyword in body
        if spec.keyword_absent and found:
            raise _CheckFailed("keyword found")
        if not spec.keyword_absent and not found:
            raise _CheckFailed(f"keyword not found in first {cap_text}" if truncated else "keyword not found")
    if spec.json_path:
        path = spec.json_path.strip()
        try:
            steps = parse_json_path(path)
        except ValueError:
            raise _CheckFailed("invalid JSON path") from None
        if truncated:
            raise _CheckFailed(f"JSON body larger than {cap_text}")
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            raise _CheckFailed("response is not valid JSON") from None
        value = evaluate_json_path(document, steps)
        shown_path = _clip(path)
        if value is _MISSING:
            raise _CheckFailed(f"JSON path {shown_path}: not found")
        # An empty json_expected only asks that the path exists.
        if spec.json_expected != "":
            got = json_text(value)
            if got != spec.json_expected:
                # The expected text is the user's own; what the target returned is never echoed.
                raise _CheckFailed(
                    f"JSON path {shown_path}: expected {_clip(spec.json_expected)!r}, got a different value"
                )


async def check_http(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """An ``http`` or ``keyword`` check. Call it through ``run_check`` (which applies the deadline)."""
    try:
        ranges = parse_status_codes(spec.expected_status_codes)
    except ValueError:
        return down("invalid expected status codes")
    if spec.type == "keyword" and not spec.keyword:
        return down("no keyword configured")
    try:
        url = URL(spec.url.strip())
    except (ValueError, TypeError):
        return down("invalid URL")

    method = (spec.method or "GET").strip().upper()
    data: bytes | None = spec.body.encode() if spec.body else None
    headers = list(spec.headers)
    needs_body = bool(spec.keyword or spec.json_path)
    started = time.perf_counter()
    elapsed_ms: int | None = None
    status: int | None = None
    hops = 0
    try:
        while True:
            _validate_url(url)
            resp = await open_response(
                method,
                url,
                headers,
                data,
                allow_private=spec.allow_private,
                ssl_context=context.ssl_context,
                user_agent=context.user_agent,
            )
            try:
                elapsed_ms = round((time.perf_counter() - started) * 1000)
                status = resp.status
                location = resp.headers.get("location")
                if spec.follow_redirects and status in REDIRECT_CODES and location:
                    hops += 1
                    if hops > MAX_REDIRECTS:
                        return down("too many redirects", elapsed_ms, status)
                    try:
                        next_url = url.join(URL(location))
                    except (ValueError, TypeError):
                        return down("invalid redirect location", elapsed_ms, status)
                    if next_url.scheme not in ("http", "https"):
                        return down("redirect to unsupported scheme", elapsed_ms, status)
                    if _origin(next_url) != _origin(url):
                        headers = [(k, v) for k, v in headers if k.lower() not in SENSITIVE_HEADERS]
                    if status == 303 or (status in (301, 302) and method == "POST"):
                        method, data = ("HEAD" if method == "HEAD" else "GET"), None
                        headers = [(k, v) for k, v in headers if k.lower() not in ("content-type", "content-length")]
                    url = next_url
                    continue

                if not _status_ok(status, ranges):
                    return down(f"HTTP {status}", elapsed_ms, status)
                if needs_body:
                    cap = context.max_body_bytes
                    keyword = _keyword_bytes(spec.keyword, resp.charset) if spec.keyword else None
                    # Without a JSON assertion we may stop reading as soon as the keyword shows up.
                    stop_at = keyword if keyword and not spec.json_path else None
                    body, truncated = await _read_capped(resp, cap, stop_at)
                    _assert_body(spec, body, truncated, keyword, cap)
                return up_or_degraded(spec, elapsed_ms, status)
            finally:
                resp.close()  # never drains the rest: one request per connection
    except _CheckFailed as exc:
        return down(exc.error, elapsed_ms, exc.status_code or status)
    except guard.AddressNotAllowed as exc:
        return down(f"address not allowed: {exc}", elapsed_ms, status)
    except InvalidRequest as exc:
        return down(f"{exc} in the monitor's request", elapsed_ms, status)
    except InvalidResponse:
        return down("invalid HTTP response" if status is None else "invalid response body", elapsed_ms, status)
    except ConnectionResetError:
        return down("server disconnected" if status is None else "invalid response body", elapsed_ms, status)
    except OSError as exc:
        return down(describe_oserror(exc), elapsed_ms, status)
    except ValueError:
        return down("invalid URL", elapsed_ms, status)

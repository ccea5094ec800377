"""What a check is asked to do (CheckSpec) and what it found (CheckResult). Plain data, no Django."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEGRADED", "DOWN", "MAX_ERROR_CHARS", "UP", "CheckResult", "CheckSpec"]

UP = "UP"
DEGRADED = "DEGRADED"
DOWN = "DOWN"
MAX_ERROR_CHARS = 200


@dataclass(frozen=True, slots=True)
class CheckSpec:
    type: str  # "http" | "keyword" | "tcp" | "dns" | "ssl" | "ping" | "postgres" | "mysql" | "redis" | "grpc" | "smtp"
    timeout: float  # seconds: a wall-clock deadline for the whole check
    url: str = ""
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    expected_status_codes: str = "200-299"  # e.g. "200-299,301"
    follow_redirects: bool = True
    keyword: str = ""
    keyword_absent: bool = False  # keyword must NOT appear
    json_path: str = ""  # e.g. "$.status" or "data.items[0].state"
    json_expected: str = ""  # compared as text with the value found (JSON true/false/null as those words)
    host: str = ""
    port: int | None = None
    record_type: str = ""  # A, AAAA, CNAME, MX, NS, TXT
    expected_values: tuple[str, ...] = ()  # DNS: every expected value must be in the answer (empty = any answer)
    resolver: str = ""  # DNS resolver IP; "" = system resolver
    resolver_port: int = 53  # for tests
    ssl_degraded_days: int = 14
    ssl_down_days: int = 3
    degraded_threshold_ms: int | None = None  # response time above this -> DEGRADED
    username: str = ""  # postgres, mysql, redis (ACL user)
    password: str = ""  # postgres, mysql, redis; decrypted for the check, never logged or echoed
    database: str = ""  # postgres, mysql: the database to connect to
    tls: bool = False  # postgres, mysql, redis, grpc: TLS; smtp: STARTTLS (certificate expiry as ssl_*_days)
    service: str = ""  # grpc: the service name asked of grpc.health.v1.Health/Check ("" = the server)
    ping_count: int = 3  # ping: echo requests per check
    allow_private: bool = False


@dataclass(frozen=True, slots=True)
class CheckResult:
    status: str  # "UP" | "DEGRADED" | "DOWN"
    response_time_ms: int | None
    error: str = ""  # short (<= 200 chars), never containing response body bytes
    status_code: int | None = None


def short(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """One line, at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def down(error: str, response_time_ms: int | None = None, status_code: int | None = None) -> CheckResult:
    return CheckResult(DOWN, response_time_ms, short(error), status_code)


def up_or_degraded(spec: CheckSpec, response_time_ms: int | None, status_code: int | None = None) -> CheckResult:
    """UP, or DEGRADED when the response time is above the monitor's threshold."""
    threshold = spec.degraded_threshold_ms
    if threshold is not None and response_time_ms is not None and response_time_ms > threshold:
        return CheckResult(DEGRADED, response_time_ms, f"slow: {response_time_ms} ms > {threshold} ms", status_code)
    return CheckResult(UP, response_time_ms, "", status_code)


def timeout_error(spec: CheckSpec) -> str:
    return f"timeout after {spec.timeout:.1f}s"

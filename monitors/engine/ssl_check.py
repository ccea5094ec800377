"""SSL certificate checks: a verifying TLS handshake with the target, then the days left before expiry."""

from __future__ import annotations

import asyncio
import math
import ssl
import time

from yarl import URL

from outbound import guard
from outbound.errors import describe_oserror, describe_ssl_error

from .context import EngineContext
from .tcp import connect_guarded
from .types import DEGRADED, DOWN, UP, CheckResult, CheckSpec, down, up_or_degraded

__all__ = ["check_ssl", "days_left", "judge_certificate"]

SECONDS_PER_DAY = 86400


def _target(spec: CheckSpec) -> tuple[str, int]:
    """(host, port) from the URL (https://host[:port]/...) or from host/port."""
    if spec.url.strip():
        try:
            url = URL(spec.url.strip())
        except (ValueError, TypeError):
            raise ValueError("invalid URL") from None
        if url.scheme not in ("https", "") or not url.raw_host:
            raise ValueError("SSL check needs an https:// URL")
        return url.raw_host, url.explicit_port or 443
    if not spec.host.strip():
        raise ValueError("no host configured")
    port = spec.port or 443
    if not 0 < port < 65536:
        raise ValueError("invalid port")
    return spec.host.strip(), port


def days_left(not_after: str, now: float | None = None) -> int:
    """Whole days until ``notAfter`` (as ssl.getpeercert() spells it), rounded down; negative once expired."""
    expires = ssl.cert_time_to_seconds(not_after)
    return math.floor((expires - (time.time() if now is None else now)) / SECONDS_PER_DAY)


def _plural(days: int) -> str:
    return f"{days} day" if days == 1 else f"{days} days"


def judge_certificate(spec: CheckSpec, cert: dict | None, elapsed_ms: int) -> CheckResult:
    """Expired or within ssl_down_days -> DOWN, within ssl_degraded_days -> DEGRADED, else UP (or DEGRADED when
    slower than the threshold); the text always says how many days are left. For ssl and STARTTLS checks."""
    if not cert or "notAfter" not in cert:
        return down("no certificate presented", elapsed_ms)
    try:
        left = days_left(cert["notAfter"])
    except ValueError:
        return down("unreadable certificate expiry", elapsed_ms)
    if left < 0:
        return CheckResult(DOWN, elapsed_ms, "certificate has expired")
    text = f"certificate expires in {_plural(left)}"
    if left <= spec.ssl_down_days:
        return CheckResult(DOWN, elapsed_ms, text)
    if left <= spec.ssl_degraded_days:
        return CheckResult(DEGRADED, elapsed_ms, text)
    result = up_or_degraded(spec, elapsed_ms)
    return CheckResult(UP, elapsed_ms, text) if result.status == UP else result


async def check_ssl(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """Call it through ``run_check`` (which applies the deadline).

    Every outcome's text says how many days are left (UP too, as information), or why the certificate is invalid.
    """
    try:
        host, port = _target(spec)
    except ValueError as exc:
        return down(str(exc))
    server_hostname = host.strip("[]")
    started = time.perf_counter()
    writer = None
    try:
        sock = await connect_guarded(server_hostname, port, allow_private=spec.allow_private)
        try:
            _reader, writer = await asyncio.open_connection(
                sock=sock, ssl=context.ssl_context, server_hostname=server_hostname
            )
        except BaseException:
            sock.close()
            raise
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        ssl_object = writer.get_extra_info("ssl_object")
        cert = ssl_object.getpeercert() if ssl_object is not None else None
    except guard.AddressNotAllowed as exc:
        return down(f"address not allowed: {exc}")
    except ssl.SSLError as exc:
        return down(describe_ssl_error(exc))
    except OSError as exc:
        return down(describe_oserror(exc))
    finally:
        if writer is not None:
            writer.transport.abort()  # no close_notify dance with a target that may not answer

    return judge_certificate(spec, cert, elapsed_ms)

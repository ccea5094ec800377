"""StatusApp's check engine: runs one monitor check against a target and says UP, DEGRADED or DOWN.

Plain Python + httptools + dnspython, no Django: the Celery tasks turn Monitor rows into CheckSpecs, run them on one
event loop with one EngineContext, and write the CheckResults back.

    context = EngineContext()  # once per process
    results = await asyncio.gather(*(run_check(spec, context) for spec in specs))
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from outbound import guard

from .context import EngineContext
from .databases import check_mysql, check_postgres, check_redis
from .dns import check_dns
from .grpc_health import check_grpc
from .http import check_http
from .ping import check_ping
from .smtp import check_smtp
from .ssl_check import check_ssl
from .tcp import check_tcp
from .types import CheckResult, CheckSpec, down, timeout_error

__all__ = ["CheckResult", "CheckSpec", "EngineContext", "run_check"]

logger = logging.getLogger(__name__)

_CHECKS: dict[str, Callable[[CheckSpec, EngineContext], Awaitable[CheckResult]]] = {
    "http": check_http,
    "keyword": check_http,
    "tcp": check_tcp,
    "dns": check_dns,
    "ssl": check_ssl,
    "ping": check_ping,
    "postgres": check_postgres,
    "mysql": check_mysql,
    "redis": check_redis,
    "grpc": check_grpc,
    "smtp": check_smtp,
}


async def run_check(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """Run one check under its wall-clock deadline (``spec.timeout`` seconds for everything: lookups, connects,
    handshakes, every redirect hop, the body read). Never raises for a target's failure: that is a DOWN result.
    Only cancellation from outside propagates."""
    check = _CHECKS.get(spec.type)
    if check is None:
        return down(f"unsupported check type {str(spec.type)[:20]!r}")
    if not spec.timeout or spec.timeout <= 0:
        return down("invalid timeout")
    try:
        async with asyncio.timeout(spec.timeout):
            return await check(spec, context)
    except TimeoutError:
        return down(timeout_error(spec))
    except guard.AddressNotAllowed as exc:
        return down(f"address not allowed: {exc}")
    except Exception as exc:
        # A bug or an unexpected library error must not take the batch down; log it, report the monitor DOWN.
        logger.exception("check of type %s failed unexpectedly", spec.type)
        return down(f"check failed: {type(exc).__name__}")

"""TCP port checks: UP when a connection to host:port is accepted (through the guard, under the deadline)."""

from __future__ import annotations

import asyncio
import socket
import time

from outbound import guard
from outbound.errors import describe_oserror

from .context import EngineContext
from .types import CheckResult, CheckSpec, down, up_or_degraded

__all__ = ["check_tcp", "connect_guarded"]


async def connect_guarded(host: str, port: int, *, allow_private: bool) -> socket.socket:
    """A connected non-blocking socket to the first address of ``host`` that accepts, every address guarded.

    Raises AddressNotAllowed, socket.gaierror or the last connection OSError.
    """
    loop = asyncio.get_running_loop()
    addresses = await guard.resolve(host, port, allow_private=allow_private)
    last_error: OSError | None = None
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            # connect to exactly the sockaddr the guard judged (no second lookup)
            await loop.sock_connect(sock, sockaddr)
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    assert last_error is not None  # noqa: S101 - resolve() never returns an empty list
    raise last_error


def _port(spec: CheckSpec) -> int | None:
    port = spec.port
    return port if isinstance(port, int) and 0 < port < 65536 else None


async def check_tcp(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """Call it through ``run_check`` (which applies the deadline)."""
    host = spec.host.strip()
    port = _port(spec)
    if not host:
        return down("no host configured")
    if port is None:
        return down("invalid port")
    started = time.perf_counter()
    try:
        sock = await connect_guarded(host, port, allow_private=spec.allow_private)
    except guard.AddressNotAllowed as exc:
        return down(f"address not allowed: {exc}")
    except OSError as exc:
        return down(describe_oserror(exc))
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    sock.close()
    return up_or_degraded(spec, elapsed_ms)

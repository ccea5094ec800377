"""EngineContext: what the checks of a worker process share (the TLS context, the user agent, the body cap)."""

from __future__ import annotations

import ssl

from outbound.tls import default_ssl_context

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DEFAULT_USER_AGENT", "EngineContext"]

DEFAULT_USER_AGENT = "StatusApp-Monitor/1.0"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # 1 MiB read at most from any response body


class EngineContext:
    """Settings every check reads, made once per process: building an SSLContext (the system's CA store) for
    each check would cost more than the check. Checks open one connection each and close it (we measure the
    target, not a pooled socket); the guard judges every address as it is connected to."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext | None = None,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        system_nameserver: tuple[str, int] | None = None,
    ) -> None:
        self.ssl_context = ssl_context if ssl_context is not None else default_ssl_context()
        self.user_agent = user_agent
        self.max_body_bytes = max_body_bytes
        # (address, port) that stands for the system resolver of DNS checks naming no resolver of their own;
        # None reads /etc/resolv.conf. Only tests set it, to put their own server where the system's would be.
        self.system_nameserver = system_nameserver

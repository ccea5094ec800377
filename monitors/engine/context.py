"""EngineContext: what the checks of one event loop share (TLS context, HTTP sessions)."""

from __future__ import annotations

import asyncio
import ssl

import aiohttp

from outbound.guard import GuardedResolver
from outbound.tls import default_ssl_context

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DEFAULT_USER_AGENT", "EngineContext"]

DEFAULT_USER_AGENT = "StatusApp-Monitor/1.0"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # 1 MiB read at most from any response body


class EngineContext:
    """One per event loop (e.g. one per ``asyncio.run`` in a worker task); close it with ``await ctx.aclose()``
    or use ``async with EngineContext() as ctx``.

    Design for the per-monitor ``allow_private`` flag: two lazily created ClientSessions, one whose connector's
    GuardedResolver is strict and one that allows private targets. The flag is a property of the connector's
    resolver, which cannot see the request, so one connector per policy is the simplest design that is correct
    by construction (no shared state to switch per request). Most processes only ever create the strict one.

    Connectors use ``force_close=True`` (a fresh connection per check: we measure the target, not a pooled socket),
    ``use_dns_cache=False`` (every check resolves and guards afresh), ``limit=0`` (the batch size bounds
    concurrency), one shared SSLContext, no cookie jar (cookies must not travel between monitors) and
    ``trust_env=False`` (no proxy from the environment, which would bypass the guard). No aiohttp timeouts are
    set: each check runs under its own wall-clock ``asyncio.timeout``.
    """

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
        self._sessions: dict[bool, aiohttp.ClientSession] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    def session(self, *, allow_private: bool) -> aiohttp.ClientSession:
        """The HTTP session for this guard policy, created on first use (must be called inside the loop)."""
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("EngineContext is bound to another event loop; create one per loop")
        if self._closed:
            raise RuntimeError("EngineContext is closed")
        session = self._sessions.get(allow_private)
        if session is None:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(allow_private=allow_private),
                ssl=self.ssl_context,
                limit=0,
                limit_per_host=0,
                force_close=True,
                use_dns_cache=False,
            )
            session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.user_agent},
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None, connect=None, sock_read=None, sock_connect=None),
                trust_env=False,
                raise_for_status=False,
            )
            self._sessions[allow_private] = session
        return session

    async def aclose(self) -> None:
        self._closed = True
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()

    async def __aenter__(self) -> EngineContext:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

"""Real SMTP servers (aiosmtpd) on 127.0.0.1 for the SMTP check tests, in the tests' background loop."""

from __future__ import annotations

import asyncio
import ssl

from aiosmtpd.smtp import SMTP

from .servers import BackgroundLoop


class _NoMail:
    """The checks never send mail; a handler that would refuse it anyway."""

    async def handle_DATA(self, server: SMTP, session: object, envelope: object) -> str:
        return "554 no mail accepted here"


async def start_smtp(bg: BackgroundLoop, tls_context: ssl.SSLContext | None = None) -> int:
    """An aiosmtpd server (STARTTLS offered when ``tls_context`` is given); returns its port."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(_NoMail(), hostname="mx.example.test", tls_context=tls_context), "127.0.0.1", 0
    )

    async def stop() -> None:
        server.close()

    bg.add_cleanup(stop)
    return server.sockets[0].getsockname()[1]

"""A TCP server on 127.0.0.1 that follows a fixed line script: for targets that misbehave in exact ways (an SMTP
server that refuses, garbles or never finishes a reply; an HTTP/1.1 server where HTTP/2 is expected)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, field

from .servers import BackgroundLoop

HANG = None  # a reply that never comes


@dataclass
class ScriptedServer:
    """Writes ``greeting`` on accept, then answers each line it receives with the next of ``replies`` (``HANG``:
    answer nothing more). With ``close`` it hangs up once its script is done; otherwise it goes on reading (and
    recording) lines until the client closes. Records the lines received and when the last client went away."""

    greeting: bytes = b""
    replies: tuple[bytes | None, ...] = ()
    close: bool = False
    port: int = 0
    lines: list[bytes] = field(default_factory=list)
    client_gone: threading.Event = field(default_factory=threading.Event)
    server: asyncio.Server | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.client_gone.clear()
        try:
            writer.write(self.greeting)
            await writer.drain()
            answering = True
            for reply in self.replies:
                line = await reader.readline()
                if not line:
                    return
                self.lines.append(line.rstrip(b"\r\n"))
                if reply is HANG:
                    answering = False
                    break
                writer.write(reply)
                await writer.drain()
            if self.close and answering:
                return
            while line := await reader.readline():
                self.lines.append(line.rstrip(b"\r\n"))
        except ConnectionError:
            pass
        finally:
            writer.close()
            self.client_gone.set()

    async def start(self, bg: BackgroundLoop) -> ScriptedServer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

        async def stop() -> None:
            assert self.server is not None
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 1)

        bg.add_cleanup(stop)
        return self

"""One HTTP/1.1 request per connection, for checks: the guard, h11 and an asyncio protocol.

A check opens a connection, sends one request, reads the response head (and the body only
when an assertion needs it) and closes. aiohttp's client machinery (connector, sessions,
happy eyeballs, tracing, decompression) cost four times the exchange itself at thousands
of checks a second; this is the exchange alone. The address is judged by the guard when it
is resolved and connected to (``connect_guarded``), h11 parses what the target sends, and
no more than ``READ_AHEAD`` unread bytes are ever buffered from it. No ``Accept-Encoding``
is sent, so bodies come as they are (keywords are looked for in what the user would read).
"""

from __future__ import annotations

import asyncio
import ssl

import h11
from yarl import URL

from .tcp import connect_guarded

__all__ = ["Response", "open_response"]

MAX_HEAD_BYTES = 64 * 1024  # status line and headers
READ_AHEAD = 256 * 1024  # received but not yet read: reading pauses beyond this


class Response:
    """The head of a response; its body is read on demand with ``read``."""

    def __init__(self, exchange: _Exchange, head: h11.Response) -> None:
        self._exchange = exchange
        self.status = head.status_code
        self.headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in head.headers}
        self._ended = False

    @property
    def charset(self) -> str | None:
        for parameter in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"') or None
        return None

    async def read(self) -> bytes:
        """The next part of the body; b"" at its end."""
        while not self._ended:
            event = await self._exchange.next_event()
            if isinstance(event, h11.Data):
                return bytes(event.data)
            if isinstance(event, h11.EndOfMessage):
                self._ended = True
        return b""

    def close(self) -> None:
        self._exchange.close()


class _Exchange(asyncio.Protocol):
    """The connection's side of one exchange: feeds h11 what arrives, wakes the reader."""

    def __init__(self) -> None:
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
        self.transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future | None = None
        self._unread = 0
        self._paused = False
        self._lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.h11.receive_data(data)
        self._unread += len(data)
        if self._unread > READ_AHEAD and not self._paused:
            self.transport.pause_reading()
            self._paused = True
        self._wake()

    def eof_received(self) -> bool:
        self.h11.receive_data(b"")
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def send(self, *events: h11.Event) -> None:
        self.transport.write(b"".join(self.h11.send(event) or b"" for event in events))

    async def next_event(self) -> h11.Event:
        """The next response event; raises h11.RemoteProtocolError for a malformed response and
        ConnectionResetError when the server goes away before its response is complete."""
        while True:
            event = self.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            if self._lost:
                raise ConnectionResetError("server disconnected")
            self._unread = 0
            if self._paused:
                self._paused = False
                self.transport.resume_reading()
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()  # nothing more is wanted from the target: no graceful TLS close either


async def open_response(
    method: str,
    url: URL,
    headers: list[tuple[str, str]],
    body: bytes | None,
    *,
    allow_private: bool,
    ssl_context: ssl.SSLContext,
    user_agent: str,
) -> Response:
    """Send one request to ``url`` and return once its response head has arrived; the caller
    closes the response. Raises AddressNotAllowed, OSError (ssl.SSLError included),
    h11.ProtocolError (a request h11 will not send, a response it cannot parse)."""
    host = (url.raw_host or "").strip("[]")
    sock = await connect_guarded(host, url.port, allow_private=allow_private)
    exchange = _Exchange()
    try:
        loop = asyncio.get_running_loop()
        tls = {"ssl": ssl_context, "server_hostname": host} if url.scheme == "https" else {}
        await loop.create_connection(lambda: exchange, sock=sock, **tls)
        names = {name.lower() for name, _ in headers}
        request_headers = [
            *([("Host", url.host_port_subcomponent)] if "host" not in names else []),
            *([("User-Agent", user_agent)] if "user-agent" not in names else []),
            *([("Content-Length", str(len(body)))] if body is not None else []),
            *[(name, value) for name, value in headers if name.lower() not in ("connection", "content-length")],
            ("Connection", "close"),
        ]
        events: list[h11.Event] = [h11.Request(method=method, target=url.raw_path_qs, headers=request_headers)]
        if body is not None:
            events.append(h11.Data(data=body))
        exchange.send(*events, h11.EndOfMessage())
        while True:
            event = await exchange.next_event()
            if isinstance(event, h11.Response):
                return Response(exchange, event)
            # 1xx interim responses (100 Continue, 103 Early Hints) come before the real one
    except BaseException:
        if exchange.transport is None:
            sock.close()
        exchange.close()
        raise

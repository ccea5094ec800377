"""One HTTP/1.1 request per connection, for checks: the guard, llhttp and an asyncio protocol.

A check opens a connection, sends one request, reads the response head (and the body only
when an assertion needs it) and closes. aiohttp's client machinery (connector, sessions,
happy eyeballs, tracing, decompression) cost four times the exchange itself at thousands
of checks a second; this is the exchange alone. The address is judged by the guard when it
is resolved and connected to (``connect_guarded``); the request is written here from parts
checked first (no CR, LF or NUL can reach the wire from a header); the response is parsed by
llhttp (Node.js's parser, through httptools), with the head capped at ``MAX_HEAD_BYTES`` and
no more than ``READ_AHEAD`` unread body bytes ever buffered from the target. No
``Accept-Encoding`` is sent, so bodies come as they are (keywords are looked for in what the
user would read).
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections import deque

import httptools
from yarl import URL

from .tcp import connect_guarded

__all__ = ["InvalidRequest", "InvalidResponse", "Response", "open_response"]

MAX_HEAD_BYTES = 64 * 1024  # status line and headers
READ_AHEAD = 256 * 1024  # received but not yet read: reading pauses beyond this
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # a method or header name (RFC 9110)
_FORBIDDEN_IN_VALUE = re.compile(r"[\x00\r\n]")


class InvalidRequest(ValueError):
    """A method or header that cannot be sent as it is."""


class InvalidResponse(Exception):
    """What the target sent is not an HTTP/1.x response (or its body breaks its own framing)."""


def _request_head(method: str, url: URL, headers: list[tuple[str, str]]) -> bytes:
    if not _TOKEN.fullmatch(method):
        raise InvalidRequest("invalid method")
    lines = [f"{method} {url.raw_path_qs} HTTP/1.1"]
    for name, value in headers:
        if not _TOKEN.fullmatch(name) or _FORBIDDEN_IN_VALUE.search(value):
            raise InvalidRequest("invalid header")
        lines.append(f"{name}: {value.strip()}")
    try:
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    except UnicodeEncodeError:
        raise InvalidRequest("invalid header") from None


class Response:
    """The head of a response; its body is read on demand with ``read``."""

    def __init__(self, exchange: _Exchange) -> None:
        self._exchange = exchange
        self.status: int = exchange.status
        self.headers = exchange.headers  # names in lower case; a repeated header's last value

    @property
    def charset(self) -> str | None:
        for parameter in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"') or None
        return None

    async def read(self) -> bytes:
        """The next part of the body; b"" at its end."""
        return await self._exchange.next_chunk()

    def close(self) -> None:
        self._exchange.close()


class _Exchange(asyncio.Protocol):
    """The connection's side of one exchange: feeds llhttp what arrives and keeps what it finds."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, bodyless: bool) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.status = 0
        self.headers: dict[str, str] = {}
        self.head = loop.create_future()  # set when the final (non-1xx) head is in
        self._loop = loop
        self._bodyless = bodyless  # a HEAD request: whatever the head says, no body follows
        self._head_bytes = 0  # received before the head was complete
        self._header_bytes = 0  # in the header lines parsed
        self._chunks: deque[bytes] = deque()
        self._unread = 0
        self._paused = False
        self._complete = False
        self._failure: Exception | None = None
        self._waiter: asyncio.Future | None = None

    # --- the connection ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if not self.head.done():
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(InvalidResponse("protocol switch"))
        except httptools.HttpParserError:
            self._fail(InvalidResponse("malformed"))
        if not self.head.done() and self._head_bytes > MAX_HEAD_BYTES:
            self._fail(InvalidResponse("head too large"))

    def eof_received(self) -> bool:
        self._ended()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended()

    def _ended(self) -> None:
        framed = "content-length" in self.headers or "chunked" in self.headers.get("transfer-encoding", "").lower()
        if self.head.done() and not framed:
            self._complete = True  # a body delimited by the connection's end has ended
        else:
            self._fail(ConnectionResetError("server disconnected"))

    # --- llhttp's callbacks -------------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value)
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        if self._header_bytes > MAX_HEAD_BYTES:  # it came whole, in one read
            self._fail(InvalidResponse("head too large"))
            return
        status = self.parser.get_status_code()
        if 100 <= status < 200:  # an interim response (100 Continue, 103 Early Hints): the real one follows
            self.headers = {}
            return
        self.status = status
        if self._bodyless:
            self._complete = True
        if not self.head.done():
            self.head.set_result(None)

    def on_body(self, body: bytes) -> None:
        if self._bodyless:
            return
        self._chunks.append(bytes(body))
        self._unread += len(body)
        if self._unread > READ_AHEAD and not self._paused:
            self.transport.pause_reading()
            self._paused = True
        self._wake()

    def on_message_complete(self) -> None:
        if self.status:  # not an interim response's end
            self._complete = True
            self._wake()

    # --- the reader ---------------------------------------------------------------------------

    def _fail(self, failure: Exception) -> None:
        if self._failure is None and not self._complete:
            self._failure = failure
        if not self.head.done():
            self.head.set_exception(failure)
            self.head.exception()  # seen: after a deadline nobody awaits the head any more
        self._wake()
        self.close()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next_chunk(self) -> bytes:
        while True:
            if self._chunks:
                chunk = self._chunks.popleft()
                self._unread -= len(chunk)
                if self._paused and self._unread <= READ_AHEAD:
                    self._paused = False
                    self.transport.resume_reading()
                return chunk
            if self._complete:
                return b""
            if self._failure is not None:
                raise self._failure
            self._waiter = self._loop.create_future()
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
    closes the response. Raises InvalidRequest before connecting, then AddressNotAllowed,
    OSError (ssl.SSLError included) or InvalidResponse."""
    names = {name.lower() for name, _ in headers}
    request = _request_head(
        method,
        url,
        [
            *([("Host", url.host_port_subcomponent)] if "host" not in names else []),
            *([("User-Agent", user_agent)] if "user-agent" not in names else []),
            *([("Content-Length", str(len(body)))] if body is not None else []),
            *[(name, value) for name, value in headers if name.lower() not in ("connection", "content-length")],
            ("Connection", "close"),
        ],
    )
    host = (url.raw_host or "").strip("[]")
    sock = await connect_guarded(host, url.port, allow_private=allow_private)
    loop = asyncio.get_running_loop()
    exchange = _Exchange(loop, bodyless=method == "HEAD")
    try:
        tls = {"ssl": ssl_context, "server_hostname": host} if url.scheme == "https" else {}
        await loop.create_connection(lambda: exchange, sock=sock, **tls)
        exchange.transport.write(request + body if body is not None else request)
        await exchange.head
        return Response(exchange)
    except BaseException:
        if exchange.transport is None:
            sock.close()
        exchange.close()
        raise

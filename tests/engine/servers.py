"""Real target servers for the engine tests, run on 127.0.0.1 in a background event loop (one thread).

Tests drive the engine with ``asyncio.run`` on their own loop; the servers live in another thread so a hanging
handler (slow, drip, never) never blocks a test or its teardown.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
from aiohttp import web


class BackgroundLoop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(self._on_error)
        self._thread = threading.Thread(target=self.loop.run_forever, name="engine-test-servers", daemon=True)
        self._thread.start()
        self._cleanups: list[Any] = []

    @staticmethod
    def _on_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # The engine drops connections mid-request and mid-handshake on purpose (deadlines, caps, aborts):
        # the servers' resulting connection errors are expected. Anything else is reported as usual.
        if isinstance(context.get("exception"), ConnectionError | ssl.SSLError):
            return
        loop.default_exception_handler(context)

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def add_cleanup(self, coro_fn: Any) -> None:
        self._cleanups.append(coro_fn)

    def close(self) -> None:
        async def shutdown() -> None:
            for cleanup in reversed(self._cleanups):
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(cleanup(), 2)
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            self.call(shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


# --- HTTP -------------------------------------------------------------------------------------------------------

JSON_DOC = {"status": "ok", "data": {"items": [{"state": "bad"}, {"state": "fine"}]}, "flag": True, "none": None}


def build_http_app() -> web.Application:
    routes = web.RouteTableDef()

    @routes.get("/ok")
    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="hello world, all systems operational")

    @routes.post("/ok")
    async def ok_post(request: web.Request) -> web.Response:
        return web.Response(text=f"posted {len(await request.read())} bytes")

    @routes.get("/500")
    async def error(request: web.Request) -> web.Response:
        return web.Response(status=500, text="secret stack trace SENSITIVE")

    @routes.get("/slow")
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.Response(text="too late")

    @routes.get("/drip")
    async def drip(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.content_length = 1000
        await resp.prepare(request)
        with contextlib.suppress(ConnectionError):  # the client gives up: expected
            for _ in range(1000):
                await resp.write(b"x")
                await asyncio.sleep(1)
        return resp

    @routes.get("/endless")
    async def endless(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        chunk = b"a" * 65536
        with contextlib.suppress(ConnectionError):  # the client stops at its cap: expected
            while True:
                await resp.write(chunk)
        return resp

    @routes.get("/endless-keyword")
    async def endless_keyword(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        chunk = b"a" * 65536
        with contextlib.suppress(ConnectionError):
            await resp.write(b"<html>status: HEALTHY</html>")
            while True:
                await resp.write(chunk)
        return resp

    @routes.get("/loop")
    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    @routes.get("/hops/{n}")
    async def hops(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n <= 0:
            return web.Response(text="arrived")
        raise web.HTTPFound(f"/hops/{n - 1}")

    @routes.get("/to-metadata")
    async def to_metadata(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")

    @routes.get("/to-metadata-v6")
    async def to_metadata_v6(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://[::ffff:169.254.169.254]/latest/meta-data/")

    @routes.get("/to-ftp")
    async def to_ftp(request: web.Request) -> web.Response:
        raise web.HTTPFound("ftp://example.com/file")

    @routes.get("/moved")
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/ok")

    @routes.get("/to-localhost/{port}")
    async def to_localhost(request: web.Request) -> web.Response:
        # same server, other origin (127.0.0.1 -> localhost): credentials must not follow
        raise web.HTTPFound(f"http://localhost:{request.match_info['port']}/auth")

    @routes.get("/auth")
    async def auth(request: web.Request) -> web.Response:
        if "Authorization" in request.headers:
            return web.Response(status=400, text="credentials leaked")
        return web.Response(text="no credentials")

    @routes.get("/json")
    async def json_doc(request: web.Request) -> web.Response:
        return web.json_response(JSON_DOC)

    @routes.get("/not-json")
    async def not_json(request: web.Request) -> web.Response:
        return web.Response(text="{secret: not json", content_type="application/json")

    @routes.get("/headers")
    async def headers(request: web.Request) -> web.Response:
        return web.Response(text=json.dumps(dict(request.headers)))

    app = web.Application()
    app.add_routes(routes)
    return app


async def start_http(bg: BackgroundLoop, ssl_context: ssl.SSLContext | None = None) -> int:
    runner = web.AppRunner(build_http_app(), shutdown_timeout=0.1, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    bg.add_cleanup(runner.cleanup)
    return runner.addresses[0][1]


# --- raw TCP ----------------------------------------------------------------------------------------------------


@dataclass
class CountingServer:
    """Counts accepted connections; ``hang`` keeps them open without a byte, else closes at once."""

    hang: bool = False
    port: int = 0
    count: int = 0
    probes: int = 0
    server: asyncio.Server | None = None
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.count += 1
        if self.hang:
            self.writers.append(writer)
            return
        # a minimal HTTP answer, so an HTTP client that got through sees a clean response
        writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        with contextlib.suppress(OSError):
            await writer.drain()
        writer.close()

    def settled_count(self) -> int:
        """Connections so far, not counting probes: a probe connection is answered only after every earlier
        connection was accepted and counted (the server handles them in order), so the number is final."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            while sock.recv(1024):
                pass
        self.probes += 1
        return self.count - self.probes

    async def start(self, bg: BackgroundLoop, ssl_context: ssl.SSLContext | None = None) -> CountingServer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=ssl_context)
        self.port = self.server.sockets[0].getsockname()[1]
        bg.add_cleanup(self.stop)
        return self

    async def stop(self) -> None:
        for writer in self.writers:
            writer.transport.abort()
        if self.server is not None:
            self.server.close()


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- DNS --------------------------------------------------------------------------------------------------------


class DNSServer(asyncio.DatagramProtocol):
    """A tiny authoritative UDP server: answers from ``records`` {(name, type): [values]}, NXDOMAIN otherwise.
    Names listed in ``silent`` get no answer at all (to test timeouts)."""

    def __init__(self, records: dict[tuple[str, str], list[str]], silent: tuple[str, ...] = ()) -> None:
        self.records = {(name.lower().rstrip("."), rtype): values for (name, rtype), values in records.items()}
        self.silent = {name.lower().rstrip(".") for name in silent}
        self.transport: asyncio.DatagramTransport | None = None
        self.queries = 0
        self.port = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queries += 1
        query = dns.message.from_wire(data)
        question = query.question[0]
        name = question.name.to_text().lower().rstrip(".")
        if name in self.silent:
            return
        rtype = dns.rdatatype.to_text(question.rdtype)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        values = self.records.get((name, rtype))
        if values:
            response.answer.append(dns.rrset.from_text(question.name, 300, "IN", rtype, *values))
        elif not any(n == name for n, _ in self.records):
            response.set_rcode(dns.rcode.NXDOMAIN)
        assert self.transport is not None
        self.transport.sendto(response.to_wire(), addr)

    async def start(self, bg: BackgroundLoop) -> DNSServer:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", 0))
        self.port = transport.get_extra_info("sockname")[1]

        async def stop() -> None:
            transport.close()

        bg.add_cleanup(stop)
        return self

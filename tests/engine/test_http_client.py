"""The check's own HTTP/1.1 exchange against raw servers on 127.0.0.1 that answer exact bytes: framing
(Content-Length, chunked, until close), interim responses, HEAD, malformed and oversized heads, bodies cut
short, and requests that must never be sent."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from monitors.engine import CheckSpec
from monitors.engine.http_client import MAX_HEAD_BYTES

from .conftest import check
from .servers import BackgroundLoop


class RawServer:
    """Reads a request head, records it, writes ``answer`` and hangs up (or, with ``hold``, keeps the
    connection open without a word more)."""

    def __init__(self, bg: BackgroundLoop, answer: bytes, *, hold: bool = False) -> None:
        self.answer, self.hold, self.requests = answer, hold, []
        server = bg.call(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/probe?q=1"

        async def stop() -> None:
            server.close()

        bg.add_cleanup(stop)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            self.requests.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(self.answer)
            await writer.drain()
            if self.hold:
                await reader.read()  # until the client goes
        writer.close()


def http(url: str, **kwargs) -> CheckSpec:
    return CheckSpec(type="http", url=url, timeout=kwargs.pop("timeout", 2.0), allow_private=True, **kwargs)


HEAD_OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"


@pytest.mark.parametrize(
    "answer",
    [
        HEAD_OK + b"Content-Length: 16\r\n\r\nall systems okay",
        HEAD_OK + b"Transfer-Encoding: chunked\r\n\r\n4\r\nall \r\nc\r\nsystems okay\r\n0\r\n\r\n",
        HEAD_OK + b"\r\nall systems okay",  # delimited by the connection's end
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
        + HEAD_OK
        + b"Content-Length: 16\r\n\r\nall systems okay",
    ],
    ids=["content-length", "chunked", "until-close", "interim-responses-first"],
)
def test_a_keyword_is_found_whatever_the_framing(bg: BackgroundLoop, answer: bytes) -> None:
    server = RawServer(bg, answer)
    result, _ = check(http(server.url, keyword="systems okay"))
    assert (result.status, result.status_code, result.error) == ("UP", 200, "")


def test_the_request_is_one_well_formed_head_with_the_users_headers(bg: BackgroundLoop) -> None:
    server = RawServer(bg, HEAD_OK + b"Content-Length: 0\r\n\r\n")
    result, _ = check(http(server.url, headers=(("X-Token", "t 1"), ("Connection", "keep-alive"))))
    assert result.status == "UP"
    [request] = server.requests
    lines = request.decode().split("\r\n")
    assert lines[0] == "GET /probe?q=1 HTTP/1.1"
    assert f"Host: {server.url.split('/')[2]}" in lines
    assert "X-Token: t 1" in lines and "Connection: close" in lines and "Connection: keep-alive" not in lines


def test_head_returns_without_waiting_for_the_body_its_head_announces(bg: BackgroundLoop) -> None:
    server = RawServer(bg, HEAD_OK + b"Content-Length: 5000\r\n\r\n", hold=True)
    result, elapsed = check(http(server.url, method="HEAD", keyword="x" * 0))
    assert (result.status, result.status_code) == ("UP", 200)
    assert elapsed < 1.0


@pytest.mark.parametrize(
    "answer",
    [
        b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
        b"HTTP/1.1 2x0 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Header Line\r\n\r\n",
        HEAD_OK + b"X-Filler: " + b"a" * MAX_HEAD_BYTES + b"\r\n\r\n",
    ],
    ids=["not-http", "bad-status", "bad-header", "head-too-large"],
)
def test_a_malformed_or_oversized_head_is_an_invalid_response(bg: BackgroundLoop, answer: bytes) -> None:
    server = RawServer(bg, answer, hold=True)
    result, elapsed = check(http(server.url))
    assert (result.status, result.error) == ("DOWN", "invalid HTTP response")
    assert elapsed < 1.0  # refused at once, not left to the deadline


@pytest.mark.parametrize(
    "answer",
    [
        HEAD_OK + b"Content-Length: 100\r\n\r\nall systems",  # then the server hangs up
        HEAD_OK + b"Transfer-Encoding: chunked\r\n\r\n4\r\nall \r\nzz\r\n",
    ],
    ids=["cut-short", "bad-chunk"],
)
def test_a_body_that_breaks_its_framing_is_an_invalid_body(bg: BackgroundLoop, answer: bytes) -> None:
    server = RawServer(bg, answer)
    result, _ = check(http(server.url, keyword="systems okay"))
    assert (result.status, result.status_code, result.error) == ("DOWN", 200, "invalid response body")


def test_a_server_that_hangs_up_before_answering_is_disconnected(bg: BackgroundLoop) -> None:
    server = RawServer(bg, b"")
    result, _ = check(http(server.url))
    assert (result.status, result.error) == ("DOWN", "server disconnected")


@pytest.mark.parametrize(
    ("spec_changes", "error"),
    [
        ({"headers": (("X-Evil", "a\r\nHost: other"),)}, "invalid header in the monitor's request"),
        ({"headers": (("Bad Name", "v"),)}, "invalid header in the monitor's request"),
        ({"headers": (("X-Name", "caf\u00e9 \u2603"),)}, "invalid header in the monitor's request"),
        ({"method": "GET /x HTTP/1.1\r\n"}, "invalid method in the monitor's request"),
    ],
)
def test_a_request_that_cannot_be_sent_as_it_is_is_never_sent(bg: BackgroundLoop, spec_changes, error) -> None:
    server = RawServer(bg, HEAD_OK + b"Content-Length: 0\r\n\r\n")
    result, _ = check(http(server.url, **spec_changes))
    assert (result.status, result.error) == ("DOWN", error)
    assert server.requests == []

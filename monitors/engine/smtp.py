"""SMTP checks: the server's 220 banner and its answer to EHLO; with ``tls``, STARTTLS (which it must offer) and the
certificate's expiry judged like an ``ssl`` check; then QUIT.

Only reply codes are ever reported: the text of a reply is the server's and is not echoed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time

from outbound import guard
from outbound.errors import describe_oserror, describe_ssl_error

from .context import EngineContext
from .ssl_check import judge_certificate
from .tcp import connect_guarded
from .types import CheckResult, CheckSpec, down, up_or_degraded

__all__ = ["check_smtp"]

DEFAULT_PORT = 25
MAX_LINE = 4096  # RFC 5321 allows 512 bytes per reply line; generous, but bounded
MAX_REPLY_LINES = 100


class _SMTPFailed(Exception):
    """A DOWN outcome found mid-conversation; ``str(exc)`` is the error text."""


async def _read_reply(reader: asyncio.StreamReader) -> tuple[int, list[str]]:
    """(code, lines) of one possibly multi-line reply ("250-..." lines up to a "250 ..." line)."""
    lines: list[str] = []
    code = None
    while True:
        try:
            raw = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError:
            raise _SMTPFailed("connection closed by server") from None
        except asyncio.LimitOverrunError:
            raise _SMTPFailed("invalid SMTP reply") from None
        line = raw.rstrip(b"\r\n").decode("ascii", errors="replace")
        if len(line) < 3 or not line[:3].isdigit() or (len(line) > 3 and line[3] not in " -"):
            raise _SMTPFailed("invalid SMTP reply")
        if code is None:
            code = int(line[:3])
        elif int(line[:3]) != code:
            raise _SMTPFailed("invalid SMTP reply")
        lines.append(line[4:])
        if len(line) == 3 or line[3] == " ":
            return code, lines
        if len(lines) >= MAX_REPLY_LINES:
            raise _SMTPFailed("SMTP reply too long")


async def _command(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, command: str) -> tuple[int, list[str]]:
    writer.write(command.encode("ascii") + b"\r\n")
    await writer.drain()
    return await _read_reply(reader)


def _ehlo_name(writer: asyncio.StreamWriter) -> str:
    """Our own address as an RFC 5321 address literal: says who we are without giving out a host name."""
    sockname = writer.get_extra_info("sockname")
    try:
        address = ipaddress.ip_address(str(sockname[0]).split("%", 1)[0])
    except (TypeError, ValueError, IndexError):
        return "[127.0.0.1]"
    return f"[IPv6:{address}]" if address.version == 6 else f"[{address}]"


async def _ehlo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> set[str]:
    """EHLO; the extension keywords the server offers (upper case)."""
    code, lines = await _command(reader, writer, f"EHLO {_ehlo_name(writer)}")
    if code != 250:
        raise _SMTPFailed(f"EHLO refused: SMTP {code}")
    return {line.split(" ", 1)[0].upper() for line in lines[1:] if line}


async def _converse(
    spec: CheckSpec, context: EngineContext, host: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> dict | None:
    """Banner, EHLO, and with ``spec.tls`` STARTTLS and a second EHLO; the server's certificate (None without TLS)."""
    code, _ = await _read_reply(reader)
    if code != 220:
        raise _SMTPFailed(f"SMTP banner {code}")
    extensions = await _ehlo(reader, writer)
    if not spec.tls:
        return None
    if "STARTTLS" not in extensions:
        raise _SMTPFailed("STARTTLS not offered")
    code, _ = await _command(reader, writer, "STARTTLS")
    if code != 220:
        raise _SMTPFailed(f"STARTTLS refused: SMTP {code}")
    await writer.start_tls(context.ssl_context, server_hostname=host)
    ssl_object = writer.get_extra_info("ssl_object")
    cert = ssl_object.getpeercert() if ssl_object is not None else None
    await _ehlo(reader, writer)  # RFC 3207: the session starts over; the server must answer again over TLS
    return cert or {}


async def check_smtp(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """Call it through ``run_check`` (which applies the deadline)."""
    host = spec.host.strip().strip("[]")
    if not host:
        return down("no host configured")
    port = DEFAULT_PORT if spec.port is None else spec.port
    if not isinstance(port, int) or not 0 < port < 65536:
        return down("invalid port")
    started = time.perf_counter()
    writer: asyncio.StreamWriter | None = None
    try:
        sock = await connect_guarded(host, port, allow_private=spec.allow_private)
        try:
            reader, writer = await asyncio.open_connection(sock=sock, limit=MAX_LINE)
        except BaseException:
            sock.close()
            raise
        cert = await _converse(spec, context, host, reader, writer)
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        # Say goodbye without waiting for the 221: the check has its answer, and the deadline is not ours to spend.
        writer.write(b"QUIT\r\n")
        await writer.drain()
    except _SMTPFailed as exc:
        return down(str(exc), round((time.perf_counter() - started) * 1000))
    except guard.AddressNotAllowed as exc:
        return down(f"address not allowed: {exc}")
    except ssl.SSLError as exc:
        return down(describe_ssl_error(exc))
    except OSError as exc:
        return down(describe_oserror(exc))
    finally:
        if writer is not None:
            writer.transport.abort()  # no close_notify dance with a server that may not answer

    if cert is None:
        return up_or_degraded(spec, elapsed_ms)
    return judge_certificate(spec, cert, elapsed_ms)

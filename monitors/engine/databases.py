"""Database checks: PostgreSQL, MySQL/MariaDB and Redis, each protocol spoken by hand over a guarded socket.

Why by hand rather than with a client library: the socket comes from ``connect_guarded``, so the address connected
to is exactly the one the guard judged (no library doing a second lookup of its own); nothing of the worker's
environment (libpq's PG* variables, ~/.pgpass, client certificates in ~/.postgresql) can travel to a target; and
the ``run_check`` deadline cancels the check at any await, with the socket closed in a ``finally``.

TLS (``spec.tls``) means encrypted, as libpq's ``sslmode=require`` and the MySQL client's ``--ssl-mode=REQUIRED``
do: the certificate is not verified. Database servers commonly present certificates of a private CA (RDS, Cloud
SQL, self-signed), and a monitor has nowhere to name one. So whoever can intercept the connection can read what
is sent in clear inside TLS: the password only when the server asks for it that way (PostgreSQL's cleartext
method, which is sent without TLS too, as libpq does; caching_sha2_password's full authentication, which is done
over TLS only, as the mysql client does).

Each check connects, switches to TLS when asked, authenticates, makes one round trip (``SELECT 1``, COM_PING,
``PING``), says goodbye and closes. The response time is all of that but the goodbye. Errors are our own phrases
plus the server's error code (SQLSTATE, MySQL error number, Redis error prefix): nothing else the server sent is
echoed, and never the password. Every byte read counts against the engine's read cap.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import re
import secrets
import socket
import ssl
import struct
import time
from collections.abc import Awaitable, Callable

from outbound import guard
from outbound.errors import describe_oserror

from .context import EngineContext
from .tcp import connect_guarded
from .types import CheckResult, CheckSpec, down, up_or_degraded

__all__ = ["check_mysql", "check_postgres", "check_redis"]

MAX_MESSAGE_BYTES = 64 * 1024  # the largest single message, packet or line accepted from a server


@functools.cache
def _encrypting_context() -> ssl.SSLContext:
    """TLS without certificate verification (see the module's docstring), one per process."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class _Failed(Exception):
    """Ends a check DOWN; the text is ours, safe to show."""


class _Connection:
    """One connection to the target.

    Until ``start`` it reads the raw socket exactly as far as asked, so bytes a server sends ahead of the TLS
    handshake stay in the socket and break the handshake instead of passing for encrypted data. ``start`` then wraps
    the socket in streams, with or without TLS.
    """

    def __init__(self, sock: socket.socket, budget: int) -> None:
        self.sock = sock
        self.budget = budget  # bytes still allowed to be read
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def start(self, *, tls: bool, server_hostname: str) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            sock=self.sock,
            ssl=_encrypting_context() if tls else None,
            server_hostname=server_hostname if tls else None,
            limit=MAX_MESSAGE_BYTES,
        )

    def _spend(self, n: int) -> None:
        self.budget -= n
        if self.budget < 0:
            raise _Failed("response too large")

    async def read(self, n: int) -> bytes:
        self._spend(n)
        if self.reader is not None:
            try:
                return await self.reader.readexactly(n)
            except asyncio.IncompleteReadError:
                raise _Failed("connection closed by server") from None
        loop = asyncio.get_running_loop()
        data = b""
        while len(data) < n:
            chunk = await loop.sock_recv(self.sock, n - len(data))
            if not chunk:
                raise _Failed("connection closed by server")
            data += chunk
        return data

    async def read_line(self) -> bytes:
        """One CRLF-terminated line, without the CRLF (after ``start``)."""
        assert self.reader is not None  # noqa: S101 - callers start the streams first
        try:
            line = await self.reader.readuntil(b"\r\n")
        except asyncio.IncompleteReadError:
            raise _Failed("connection closed by server") from None
        except asyncio.LimitOverrunError:
            raise _Failed("invalid response") from None
        self._spend(len(line))
        return line[:-2]

    async def write(self, data: bytes) -> None:
        if self.writer is None:
            await asyncio.get_running_loop().sock_sendall(self.sock, data)
        else:
            self.writer.write(data)
            await self.writer.drain()

    def close(self) -> None:
        # abort rather than close: no waiting for a TLS close_notify from a server that may never answer
        if self.writer is not None:
            self.writer.transport.abort()
        self.sock.close()


# A protocol conversation on a fresh connection up to the server's answer; returns the goodbye to send.
_Talk = Callable[[_Connection, CheckSpec, str], Awaitable[bytes]]


def _target(spec: CheckSpec, default_port: int) -> tuple[str, int]:
    host = spec.host.strip().strip("[]")
    if not host:
        raise _Failed("no host configured")
    port = default_port if spec.port is None else spec.port
    if not isinstance(port, int) or not 0 < port < 65536:
        raise _Failed("invalid port")
    if "\0" in spec.username + spec.password + spec.database:
        raise _Failed("user, password and database must not contain NUL characters")
    return host, port


async def _check(spec: CheckSpec, context: EngineContext, default_port: int, talk: _Talk) -> CheckResult:
    try:
        host, port = _target(spec, default_port)
    except _Failed as exc:
        return down(str(exc))
    started = time.perf_counter()
    conn: _Connection | None = None
    try:
        sock = await connect_guarded(host, port, allow_private=spec.allow_private)
        conn = _Connection(sock, context.max_body_bytes)
        goodbye = await talk(conn, spec, host)
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        with contextlib.suppress(OSError):
            await conn.write(goodbye)
    except _Failed as exc:
        return down(str(exc))
    except guard.AddressNotAllowed as exc:
        return down(f"address not allowed: {exc}")
    except OSError as exc:  # connection and TLS errors (ssl.SSLError is an OSError)
        return down(describe_oserror(exc))
    finally:
        if conn is not None:
            conn.close()
    return up_or_degraded(spec, elapsed_ms)


# --- PostgreSQL -------------------------------------------------------------------------------------------------

PG_PROTOCOL_3_0 = 196608
PG_SSL_REQUEST = 80877103
MAX_SCRAM_ITERATIONS = 100_000  # PostgreSQL's default is 4096; more is a server making us burn CPU

# SQLSTATEs a failing check meets, with what they mean to the person reading the monitor.
PG_ERRORS = {
    "28P01": "password authentication failed",
    "28000": "connection not authorized (no such role, or pg_hba.conf rejects it)",
    "3D000": "database does not exist",
    "42501": "permission denied",
    "53300": "too many connections",
    "57P01": "server is shutting down",
    "57P03": "server is not accepting connections yet",
    "08P01": "protocol violation",
}


def _cstring(text: str) -> bytes:
    return text.encode() + b"\0"


def _pg_message(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("!i", len(payload) + 4) + payload


def _pg_error(payload: bytes) -> str:
    """'PostgreSQL error <SQLSTATE>: <our phrase>' from an ErrorResponse; the server's message text is not shown."""
    code = ""
    for field in payload.split(b"\0"):
        if field[:1] == b"C":
            code = field[1:].decode("ascii", "replace")
    if not re.fullmatch(r"[0-9A-Z]{5}", code):
        return "PostgreSQL error"
    meaning = PG_ERRORS.get(code)
    return f"PostgreSQL error {code}: {meaning}" if meaning else f"PostgreSQL error {code}"


async def _pg_read(conn: _Connection) -> tuple[bytes, bytes]:
    """(type, payload) of the next message; an ErrorResponse ends the check."""
    header = await conn.read(5)
    kind, length = header[:1], struct.unpack("!i", header[1:])[0]
    if not 4 <= length <= MAX_MESSAGE_BYTES:
        raise _Failed("invalid PostgreSQL response")
    payload = await conn.read(length - 4)
    if kind == b"E":
        raise _Failed(_pg_error(payload))
    return kind, payload


class _Scram:
    """The client side of SCRAM-SHA-256 (RFC 5802/7677) without channel binding, as libpq does over plain TCP.

    The password is used as UTF-8 without SASLprep: the same for every ASCII password (and most others).
    """

    def __init__(self, password: str) -> None:
        self.password = password.encode()
        self.nonce = base64.b64encode(secrets.token_bytes(18)).decode()
        self.first_bare = f"n=,r={self.nonce}"  # PostgreSQL takes the user from the startup message
        self.server_signature = b""
        self.verified = False

    def client_first(self) -> bytes:
        return f"n,,{self.first_bare}".encode()

    async def client_final(self, server_first: bytes) -> bytes:
        try:
            text = server_first.decode("ascii")
            attrs = dict(part.split("=", 1) for part in text.split(","))
            nonce, iterations = attrs["r"], int(attrs["i"])
            salt = base64.b64decode(attrs["s"], validate=True)
        except (ValueError, KeyError, binascii.Error):
            raise _Failed("invalid SCRAM exchange") from None
        if not nonce.startswith(self.nonce) or not 0 < iterations <= MAX_SCRAM_ITERATIONS:
            raise _Failed("invalid SCRAM exchange")
        # off the event loop: the other checks of the batch keep running meanwhile
        salted = await asyncio.to_thread(hashlib.pbkdf2_hmac, "sha256", self.password, salt, iterations)
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        final_bare = f"c=biws,r={nonce}"
        auth_message = f"{self.first_bare},{text},{final_bare}".encode()
        signature = hmac.digest(hashlib.sha256(client_key).digest(), auth_message, "sha256")
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        self.server_signature = hmac.digest(hmac.digest(salted, b"Server Key", "sha256"), auth_message, "sha256")
        return f"{final_bare},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final: bytes) -> None:
        """The server proves it knows the password too."""
        text = server_final.decode("ascii", "replace")
        try:
            signature = base64.b64decode(text.removeprefix("v="), validate=True) if text.startswith("v=") else b""
        except binascii.Error:
            signature = b""
        if not signature or not hmac.compare_digest(signature, self.server_signature):
            raise _Failed("SCRAM server signature mismatch")
        self.verified = True


async def _pg_authenticate(conn: _Connection, user: str, password: str) -> None:
    """Answers the server's authentication requests until AuthenticationOk."""
    scram: _Scram | None = None
    while True:
        kind, payload = await _pg_read(conn)
        if kind in (b"N", b"v"):  # a notice, NegotiateProtocolVersion: nothing to do
            continue
        if kind != b"R" or len(payload) < 4:
            raise _Failed("invalid PostgreSQL response")
        code, data = struct.unpack("!i", payload[:4])[0], payload[4:]
        if code == 0:  # AuthenticationOk
            if scram is not None and not scram.verified:
                raise _Failed("SCRAM exchange not completed by the server")
            return
        if code in (3, 5, 10) and not password:
            raise _Failed("the server asks for a password and none is set")
        if code == 3:  # cleartext password (what libpq sends too; TLS protects it when set)
            await conn.write(_pg_message(b"p", _cstring(password)))
        elif code == 5 and len(data) == 4:  # MD5 with a 4-byte salt
            inner = hashlib.md5(password.encode() + user.encode(), usedforsecurity=False).hexdigest()
            outer = hashlib.md5(inner.encode() + data, usedforsecurity=False).hexdigest()
            await conn.write(_pg_message(b"p", _cstring("md5" + outer)))
        elif code == 10 and scram is None:  # SASL: the mechanisms offered
            if b"SCRAM-SHA-256" not in data.split(b"\0"):
                raise _Failed("no supported SASL mechanism offered (SCRAM-SHA-256 needed)")
            scram = _Scram(password)
            first = scram.client_first()
            await conn.write(_pg_message(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first))
        elif code == 11 and scram is not None and not scram.server_signature:  # SASLContinue
            await conn.write(_pg_message(b"p", await scram.client_final(data)))
        elif code == 12 and scram is not None and scram.server_signature:  # SASLFinal
            scram.verify(data)
        else:
            raise _Failed("unsupported PostgreSQL authentication method")


async def _pg_until_ready(conn: _Connection) -> set[bytes]:
    """Reads up to ReadyForQuery; returns the message types seen on the way."""
    seen: set[bytes] = set()
    while True:
        kind, _payload = await _pg_read(conn)
        if kind == b"Z":
            return seen
        seen.add(kind)


async def _postgres(conn: _Connection, spec: CheckSpec, host: str) -> bytes:
    if spec.tls:
        await conn.write(struct.pack("!ii", 8, PG_SSL_REQUEST))
        answer = await conn.read(1)
        if answer == b"N":
            raise _Failed("server does not support TLS")
        if answer != b"S":
            raise _Failed("invalid PostgreSQL response")
    await conn.start(tls=spec.tls, server_hostname=host)
    user = spec.username or "postgres"
    params = {"user": user, "database": spec.database or "postgres", "application_name": "StatusApp"}
    body = struct.pack("!i", PG_PROTOCOL_3_0) + b"".join(_cstring(k) + _cstring(v) for k, v in params.items()) + b"\0"
    await conn.write(struct.pack("!i", len(body) + 4) + body)
    await _pg_authenticate(conn, user, spec.password)
    await _pg_until_ready(conn)  # parameter status, backend key
    await conn.write(_pg_message(b"Q", _cstring("SELECT 1")))
    if b"D" not in await _pg_until_ready(conn):
        raise _Failed("no answer to SELECT 1")
    return _pg_message(b"X", b"")  # Terminate


async def check_postgres(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """Connect, authenticate (trust, password, MD5 or SCRAM-SHA-256), ``SELECT 1``. Port 5432 unless set; user
    ``postgres`` and database ``postgres`` unless set. Call it through ``run_check`` (which applies the deadline)."""
    return await _check(spec, context, 5432, _postgres)


# --- MySQL / MariaDB --------------------------------------------------------------------------------------------

CLIENT_CONNECT_WITH_DB = 0x8
CLIENT_PROTOCOL_41 = 0x200
CLIENT_SSL = 0x800
CLIENT_SECURE_CONNECTION = 0x8000
CLIENT_PLUGIN_AUTH = 0x80000
MYSQL_MAX_PACKET = 1 << 24
MYSQL_UTF8MB4 = 45  # utf8mb4_general_ci
MYSQL_PLUGINS = ("mysql_native_password", "caching_sha2_password")

MYSQL_ERRORS = {
    1040: "too many connections",
    1044: "access denied to the database",
    1045: "access denied (wrong user or password)",
    1049: "unknown database",
    1129: "host blocked after too many connection errors",
    1130: "host not allowed to connect",
    1251: "authentication method not supported by the client",
    3159: "the server requires TLS",
}


def _my_packet(seq: int, payload: bytes) -> bytes:
    return len(payload).to_bytes(3, "little") + bytes([seq & 0xFF]) + payload


async def _my_read(conn: _Connection) -> tuple[int, bytes]:
    """(sequence id, payload) of the next packet; an ERR packet ends the check."""
    header = await conn.read(4)
    length = int.from_bytes(header[:3], "little")
    if length > MAX_MESSAGE_BYTES:
        raise _Failed("invalid MySQL response")
    payload = await conn.read(length)
    if payload[:1] == b"\xff":
        raise _Failed(_my_error(payload))
    return header[3], payload


def _my_error(packet: bytes) -> str:
    """'MySQL error <number>: <our phrase>' from an ERR packet; the server's message text is not shown."""
    if len(packet) < 3:
        return "MySQL error"
    code = struct.unpack_from("<H", packet, 1)[0]
    meaning = MYSQL_ERRORS.get(code)
    return f"MySQL error {code}: {meaning}" if meaning else f"MySQL error {code}"


def _my_handshake(payload: bytes) -> tuple[int, bytes, str]:
    """(capabilities, 20-byte scramble, auth plugin name) from the server's initial handshake (protocol 10)."""
    try:
        if payload[0] != 10:
            raise _Failed("unsupported MySQL protocol version")
        pos = payload.index(b"\0", 1) + 1 + 4  # server version, connection id
        scramble = payload[pos : pos + 8]
        pos += 9  # and a filler byte
        capabilities = struct.unpack_from("<H", payload, pos)[0]
        pos += 2
        plugin = ""
        if len(payload) > pos:
            # character set (1), status (2), upper capabilities (2), scramble length (1), reserved (10)
            capabilities |= struct.unpack_from("<H", payload, pos + 3)[0] << 16
            scramble_length = payload[pos + 5]
            pos += 16
            if capabilities & CLIENT_SECURE_CONNECTION:
                part_length = max(13, scramble_length - 8)
                scramble += payload[pos : pos + part_length]
                pos += part_length
            if capabilities & CLIENT_PLUGIN_AUTH:
                end = payload.find(b"\0", pos)
                plugin = payload[pos : end if end >= 0 else len(payload)].decode("ascii", "replace")
    except (IndexError, ValueError, struct.error):
        raise _Failed("invalid MySQL handshake") from None
    if not capabilities & CLIENT_PROTOCOL_41 or not capabilities & CLIENT_SECURE_CONNECTION:
        raise _Failed("MySQL server too old (protocol 4.1 needed)")
    return capabilities, scramble[:20], plugin


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _my_auth_response(plugin: str, password: str, scramble: bytes) -> bytes:
    if not password:
        return b""
    secret = password.encode()
    if plugin == "mysql_native_password":  # SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw)))
        stage1 = hashlib.sha1(secret, usedforsecurity=False).digest()
        stage2 = hashlib.sha1(stage1, usedforsecurity=False).digest()
        return _xor(stage1, hashlib.sha1(scramble + stage2, usedforsecurity=False).digest())
    # caching_sha2_password: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + scramble)
    stage1 = hashlib.sha256(secret).digest()
    return _xor(stage1, hashlib.sha256(hashlib.sha256(stage1).digest() + scramble).digest())


def _plugin_name(raw: bytes) -> str:
    name = raw.decode("ascii", "replace")
    return name if re.fullmatch(r"[A-Za-z0-9_]{1,40}", name) else "(unnamed)"


async def _my_authenticate(conn: _Connection, spec: CheckSpec, plugin: str) -> None:
    """Answers auth switches and caching_sha2_password's extra rounds until the OK packet."""
    while True:
        seq, packet = await _my_read(conn)
        head = packet[:1]
        if head == b"\x00":  # OK
            return
        if head == b"\xfe":  # AuthSwitchRequest: plugin name, then its scramble
            end = packet.find(b"\0", 1)
            plugin = _plugin_name(packet[1:end]) if end > 0 else "mysql_old_password"
            if plugin not in MYSQL_PLUGINS:
                raise _Failed(f"unsupported authentication plugin {plugin}")
            scramble = packet[end + 1 :].removesuffix(b"\0")[:20]
            await conn.write(_my_packet(seq + 1, _my_auth_response(plugin, spec.password, scramble)))
        elif head == b"\x01" and plugin == "caching_sha2_password" and packet[1:] == b"\x03":
            continue  # fast authentication succeeded: the OK follows
        elif head == b"\x01" and plugin == "caching_sha2_password" and packet[1:] == b"\x04":
            # full authentication sends the password itself: over TLS only (no RSA key exchange here)
            if not spec.tls:
                raise _Failed("caching_sha2_password needs full authentication, which is only done over TLS")
            await conn.write(_my_packet(seq + 1, _cstring(spec.password)))
        else:
            raise _Failed("invalid MySQL response")


async def _mysql(conn: _Connection, spec: CheckSpec, host: str) -> bytes:
    _seq, handshake = await _my_read(conn)
    server_capabilities, scramble, server_plugin = _my_handshake(handshake)
    capabilities = CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH
    if spec.database:
        capabilities |= CLIENT_CONNECT_WITH_DB
    seq = 1
    if spec.tls:
        if not server_capabilities & CLIENT_SSL:
            raise _Failed("server does not support TLS")
        capabilities |= CLIENT_SSL
        await conn.write(_my_packet(seq, struct.pack("<IIB23x", capabilities, MYSQL_MAX_PACKET, MYSQL_UTF8MB4)))
        seq += 1
    await conn.start(tls=spec.tls, server_hostname=host)
    plugin = server_plugin if server_plugin in MYSQL_PLUGINS else "mysql_native_password"
    auth = _my_auth_response(plugin, spec.password, scramble)
    response = struct.pack("<IIB23x", capabilities, MYSQL_MAX_PACKET, MYSQL_UTF8MB4)
    response += _cstring(spec.username or "root") + bytes([len(auth)]) + auth
    if spec.database:
        response += _cstring(spec.database)
    response += _cstring(plugin)
    await conn.write(_my_packet(seq, response))
    await _my_authenticate(conn, spec, plugin)
    await conn.write(_my_packet(0, b"\x0e"))  # COM_PING
    _seq, answer = await _my_read(conn)
    if answer[:1] != b"\x00":
        raise _Failed("invalid MySQL response")
    return _my_packet(0, b"\x01")  # COM_QUIT


async def check_mysql(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """Connect, authenticate (mysql_native_password, or caching_sha2_password: fast auth, full auth over TLS
    only), COM_PING. Port 3306 unless set; user ``root`` unless set. Call it through ``run_check``."""
    return await _check(spec, context, 3306, _mysql)


# --- Redis ------------------------------------------------------------------------------------------------------

REDIS_ERRORS = {
    "NOAUTH": "authentication required",
    "WRONGPASS": "wrong password or user",
    "NOPERM": "no permission",
    "LOADING": "loading its dataset",
    "BUSY": "busy running a script",
    "MASTERDOWN": "link to the primary is down",
}


def _resp(*args: str) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def _redis_error(line: bytes, command: str) -> str:
    """'Redis <command> failed: <error prefix> (<our phrase>)'; the rest of the server's text is not shown."""
    word = line[1:].split(b" ", 1)[0].decode("ascii", "replace")
    if not re.fullmatch(r"[A-Z][A-Z_]{0,31}", word):
        return f"Redis {command} failed"
    meaning = REDIS_ERRORS.get(word)
    if command == "AUTH" and word == "ERR" and b"without any password configured" in line:
        meaning = "no password is set on the server"
    return f"Redis {command} failed: {word} ({meaning})" if meaning else f"Redis {command} failed: {word}"


async def _redis_reply(conn: _Connection, command: str, expected: bytes) -> None:
    line = await conn.read_line()
    if line[:1] == b"-":
        raise _Failed(_redis_error(line, command))
    if line != expected:
        raise _Failed(f"unexpected reply to {command}")


async def _redis(conn: _Connection, spec: CheckSpec, host: str) -> bytes:
    await conn.start(tls=spec.tls, server_hostname=host)
    if spec.password:
        auth = ("AUTH", spec.username, spec.password) if spec.username else ("AUTH", spec.password)
        await conn.write(_resp(*auth) + _resp("PING"))  # pipelined: one round trip
        await _redis_reply(conn, "AUTH", b"+OK")
    else:
        await conn.write(_resp("PING"))
    await _redis_reply(conn, "PING", b"+PONG")
    return _resp("QUIT")


async def check_redis(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """Connect, ``AUTH [username] password`` when a password is set, ``PING``. Port 6379 unless set. Call it
    through ``run_check`` (which applies the deadline)."""
    return await _check(spec, context, 6379, _redis)

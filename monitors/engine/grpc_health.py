"""gRPC checks: the standard health-checking protocol, ``/grpc.health.v1.Health/Check`` with
``HealthCheckRequest{service: spec.service}``; SERVING is UP, any other serving status or a non-zero grpc-status
is DOWN naming it.

HTTP/2 is spoken with the pure-Python ``h2`` state machine over the socket ``connect_guarded`` hands out, so the
address guard judges exactly the address used (a gRPC channel library would resolve and connect on its own). The
two protobuf messages are one optional field each and are encoded by hand. Only codes and status names are
reported, never the server's grpc-message or any other text it sent.
"""

from __future__ import annotations

import asyncio
import ssl
import struct
import time
import weakref

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

from outbound import guard
from outbound.errors import describe_oserror, describe_ssl_error
from outbound.tls import default_ssl_context

from .context import EngineContext
from .tcp import connect_guarded
from .types import CheckResult, CheckSpec, down, up_or_degraded

__all__ = ["GRPC_STATUS_NAMES", "SERVING_STATUS_NAMES", "check_grpc", "decode_health_response", "encode_health_request"]

HEALTH_CHECK_PATH = "/grpc.health.v1.Health/Check"
MAX_READ_BYTES = 1024 * 1024  # everything the server may send on the connection, frames of any kind included
MAX_MESSAGE_BYTES = 64 * 1024

GRPC_STATUS_NAMES = (
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
)
# grpc.health.v1.HealthCheckResponse.ServingStatus
SERVING_STATUS_NAMES = ("UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN")
SERVING = 1


class _GRPCFailed(Exception):
    """A DOWN outcome; ``str(exc)`` is the error text."""


# --- protobuf, by hand ------------------------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated varint")


def encode_health_request(service: str) -> bytes:
    """HealthCheckRequest{string service = 1}; proto3 leaves the empty string out."""
    if not service:
        return b""
    name = service.encode("utf-8")
    return b"\x0a" + _varint(len(name)) + name


def decode_health_response(message: bytes) -> int:
    """HealthCheckResponse{ServingStatus status = 1}: the status number (0, UNKNOWN, when absent). Unknown fields
    are skipped as protobuf says; a malformed message raises ValueError."""
    status = 0
    pos = 0
    while pos < len(message):
        key, pos = _read_varint(message, pos)
        field, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = _read_varint(message, pos)
            if field == 1:
                status = value
        elif wire_type == 1:
            pos += 8
        elif wire_type == 2:
            length, pos = _read_varint(message, pos)
            pos += length
        elif wire_type == 5:
            pos += 4
        else:
            raise ValueError("unsupported wire type")
        if pos > len(message):
            raise ValueError("truncated field")
    return status


def _grpc_frame(message: bytes) -> bytes:
    return b"\x00" + struct.pack("!I", len(message)) + message  # not compressed, length, message


def _single_message(body: bytes) -> bytes:
    if len(body) < 5:
        raise _GRPCFailed("empty gRPC response")
    compressed, length = body[0], struct.unpack("!I", body[1:5])[0]
    if compressed:
        raise _GRPCFailed("compressed gRPC response (not asked for)")
    if len(body) != 5 + length:
        raise _GRPCFailed("invalid gRPC response")
    return body[5:]


# --- TLS --------------------------------------------------------------------------------------------------------

_H2_CONTEXTS: weakref.WeakKeyDictionary[ssl.SSLContext, ssl.SSLContext] = weakref.WeakKeyDictionary()


def h2_ssl_context(base: ssl.SSLContext) -> ssl.SSLContext:
    """A client context that trusts what ``base`` trusts and offers ALPN "h2" (gRPC servers insist on it).

    ALPN is set per context, and the engine's shared context must go on offering HTTP/1.1 to HTTP checks, so gRPC
    gets a sibling: a fresh default context for the process's default one (system CA store), otherwise one loaded
    with ``base``'s CA certificates and verification settings (e.g. a test CA).
    """
    derived = _H2_CONTEXTS.get(base)
    if derived is not None:
        return derived
    if base is default_ssl_context():
        derived = ssl.create_default_context()
    else:
        derived = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ca_certs = base.get_ca_certs(binary_form=True)
        if ca_certs:
            derived.load_verify_locations(cadata=b"".join(ca_certs))
        derived.check_hostname = base.check_hostname
        derived.verify_mode = base.verify_mode
        derived.verify_flags = base.verify_flags
        derived.minimum_version = base.minimum_version
        derived.maximum_version = base.maximum_version
    derived.set_alpn_protocols(["h2"])
    _H2_CONTEXTS[base] = derived
    return derived


# --- the call ---------------------------------------------------------------------------------------------------


def _grpc_status(headers: dict[bytes, bytes]) -> int:
    try:
        return int(headers[b"grpc-status"])
    except (KeyError, ValueError):
        raise _GRPCFailed("no valid grpc-status in the response") from None


def _status_error(code: int) -> str:
    name = GRPC_STATUS_NAMES[code] if 0 <= code < len(GRPC_STATUS_NAMES) else "unknown code"
    return f"gRPC status {code} {name}"


async def _call(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, authority: str, scheme: str, spec: CheckSpec, ua: str
) -> int:
    """One unary Health/Check call; returns the serving status number or raises _GRPCFailed."""
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
    conn.initiate_connection()
    stream_id = conn.get_next_available_stream_id()
    conn.send_headers(
        stream_id,
        [
            (":method", "POST"),
            (":scheme", scheme),
            (":path", HEALTH_CHECK_PATH),
            (":authority", authority),
            ("content-type", "application/grpc"),
            ("te", "trailers"),
            ("grpc-accept-encoding", "identity"),
            ("grpc-timeout", f"{max(1, int(spec.timeout * 1000))}m"),
            ("user-agent", ua),
        ],
    )
    conn.send_data(stream_id, _grpc_frame(encode_health_request(spec.service)), end_stream=True)
    writer.write(conn.data_to_send())
    await writer.drain()

    headers: dict[bytes, bytes] | None = None
    trailers: dict[bytes, bytes] = {}
    body = bytearray()
    total = 0
    preface: bytearray | None = bytearray()  # until the first frame header is in: an HTTP/2 server starts with SETTINGS
    while True:
        data = await reader.read(65536)
        if not data:
            raise _GRPCFailed("connection closed by server")
        total += len(data)
        if total > MAX_READ_BYTES:
            raise _GRPCFailed("response too large")
        if preface is not None:
            # h2 waits for a whole frame before judging it, and an HTTP/1.1 answer reads as a frame of megabytes
            preface += data
            if len(preface) < 9:
                continue
            if preface[3] != 0x04:
                raise _GRPCFailed("not an HTTP/2 server")
            data, preface = bytes(preface), None
        ended = False
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
                headers = dict(event.headers)
                status = headers.get(b":status", b"")
                if status != b"200":
                    raise _GRPCFailed(f"HTTP {int(status) if status.isdigit() else 'status invalid'}")
                if not headers.get(b"content-type", b"").startswith(b"application/grpc"):
                    raise _GRPCFailed("not a gRPC response")
            elif isinstance(event, h2.events.DataReceived) and event.stream_id == stream_id:
                body += event.data
                if len(body) > MAX_MESSAGE_BYTES:
                    raise _GRPCFailed("gRPC response too large")
                conn.acknowledge_received_data(event.flow_controlled_length, stream_id)
            elif isinstance(event, h2.events.TrailersReceived) and event.stream_id == stream_id:
                trailers = dict(event.headers)
            elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream_id:
                ended = True
            elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream_id:
                raise _GRPCFailed(f"stream reset by server ({_h2_error_name(event.error_code)})")
            elif isinstance(event, h2.events.ConnectionTerminated) and not ended:
                # h2 takes no frame after a GOAWAY, so even a graceful one (a server shutting down) ends the call
                raise _GRPCFailed(f"connection closed by server (GOAWAY {_h2_error_name(event.error_code)})")
        pending = conn.data_to_send()  # SETTINGS and PING acks, window updates
        if pending:
            writer.write(pending)
            await writer.drain()
        if ended:
            break

    if headers is None:
        raise _GRPCFailed("no response headers")
    # A "trailers-only" response (the usual form of an error) carries grpc-status in its headers.
    code = _grpc_status(trailers or headers)
    if code != 0:
        raise _GRPCFailed(_status_error(code))
    try:
        return decode_health_response(_single_message(bytes(body)))
    except ValueError:
        raise _GRPCFailed("invalid gRPC response") from None


def _h2_error_name(code: object) -> str:
    try:
        return h2.errors.ErrorCodes(int(code)).name  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "unknown error"


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def check_grpc(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """Call it through ``run_check`` (which applies the deadline)."""
    host = spec.host.strip().strip("[]")
    if not host:
        return down("no host configured")
    port = spec.port
    if not isinstance(port, int) or not 0 < port < 65536:
        return down("invalid port")
    started = time.perf_counter()
    writer: asyncio.StreamWriter | None = None
    try:
        sock = await connect_guarded(host, port, allow_private=spec.allow_private)
        try:
            if spec.tls:
                reader, writer = await asyncio.open_connection(
                    sock=sock, ssl=h2_ssl_context(context.ssl_context), server_hostname=host
                )
                ssl_object = writer.get_extra_info("ssl_object")
                alpn = ssl_object.selected_alpn_protocol() if ssl_object is not None else None
                if alpn not in (None, "h2"):
                    raise _GRPCFailed("server did not agree to HTTP/2 (ALPN)")
            else:
                reader, writer = await asyncio.open_connection(sock=sock)
        except BaseException:
            if writer is None:
                sock.close()
            raise
        scheme = "https" if spec.tls else "http"
        serving = await _call(reader, writer, _authority(host, port), scheme, spec, context.user_agent)
        elapsed_ms = round((time.perf_counter() - started) * 1000)
    except _GRPCFailed as exc:
        return down(str(exc), round((time.perf_counter() - started) * 1000))
    except h2.exceptions.H2Error:
        return down("invalid HTTP/2 response (not a gRPC server?)", round((time.perf_counter() - started) * 1000))
    except guard.AddressNotAllowed as exc:
        return down(f"address not allowed: {exc}")
    except ssl.SSLError as exc:
        return down(describe_ssl_error(exc))
    except OSError as exc:
        return down(describe_oserror(exc))
    finally:
        if writer is not None:
            writer.transport.abort()

    if serving != SERVING:
        name = SERVING_STATUS_NAMES[serving] if serving < len(SERVING_STATUS_NAMES) else f"{serving} (unknown)"
        return down(f"health status {name}", elapsed_ms)
    return up_or_degraded(spec, elapsed_ms)

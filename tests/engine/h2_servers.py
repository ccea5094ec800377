"""A scripted HTTP/2 server (the ``h2`` state machine, server side) that answers every request in one chosen odd
way, for the gRPC check's handling of answers a real gRPC server rarely gives."""

from __future__ import annotations

import asyncio
import struct

import h2.config
import h2.connection
import h2.errors
import h2.events

from .servers import BackgroundLoop

SECRET = b"SECRET-BODY"
GRPC_OK = [(":status", "200"), ("content-type", "application/grpc")]
SERVING_MESSAGE = b"\x00" + struct.pack("!I", 2) + b"\x08\x01"


def _respond(conn: h2.connection.H2Connection, stream_id: int, mode: str) -> None:
    if mode == "http-404":
        conn.send_headers(stream_id, [(":status", "404"), ("content-type", "text/plain")])
        conn.send_data(stream_id, SECRET, end_stream=True)
    elif mode == "not-grpc":
        conn.send_headers(stream_id, [(":status", "200"), ("content-type", "text/html")])
        conn.send_data(stream_id, SECRET, end_stream=True)
    elif mode == "no-grpc-status":
        conn.send_headers(stream_id, GRPC_OK)
        conn.send_data(stream_id, SERVING_MESSAGE)
        conn.send_headers(stream_id, [("x-note", "no status")], end_stream=True)
    elif mode == "compressed":
        conn.send_headers(stream_id, GRPC_OK)
        conn.send_data(stream_id, b"\x01" + SERVING_MESSAGE[1:])
        conn.send_headers(stream_id, [("grpc-status", "0")], end_stream=True)
    elif mode == "two-messages":
        conn.send_headers(stream_id, GRPC_OK)
        conn.send_data(stream_id, SERVING_MESSAGE + SERVING_MESSAGE)
        conn.send_headers(stream_id, [("grpc-status", "0")], end_stream=True)
    elif mode == "reset":
        conn.reset_stream(stream_id, error_code=h2.errors.ErrorCodes.REFUSED_STREAM)
    elif mode == "goaway":
        conn.close_connection(error_code=h2.errors.ErrorCodes.ENHANCE_YOUR_CALM, last_stream_id=0)
    elif mode in ("serving", "serving-then-goaway"):
        conn.send_headers(stream_id, GRPC_OK)
        conn.send_data(stream_id, SERVING_MESSAGE)
        conn.send_headers(stream_id, [("grpc-status", "0")], end_stream=True)
        if mode == "serving-then-goaway":
            conn.close_connection(error_code=h2.errors.ErrorCodes.NO_ERROR, last_stream_id=stream_id)
    else:
        raise ValueError(mode)


async def start_h2(bg: BackgroundLoop, mode: str) -> int:
    """An HTTP/2 (prior knowledge, no TLS) server answering every request as ``mode`` says; returns its port."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding=None))
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        try:
            while data := await reader.read(65536):
                for event in conn.receive_data(data):
                    if isinstance(event, h2.events.StreamEnded):
                        _respond(conn, event.stream_id, mode)
                writer.write(conn.data_to_send())
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)

    async def stop() -> None:
        server.close()

    bg.add_cleanup(stop)
    return server.sockets[0].getsockname()[1]

"""Real gRPC servers (grpcio) on loopback for the gRPC check tests.

The health service is a generic handler that gets and answers raw bytes, so the protobuf messages the engine
encodes by hand are read here by hand too, independently of the engine's code.
"""

from __future__ import annotations

import threading
import time
from concurrent import futures
from dataclasses import dataclass, field

import grpc

# service name -> grpc.health.v1 ServingStatus (0 UNKNOWN, 1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN)
SERVICES = {"": 1, "api": 1, "maintenance": 2, "unknown-state": 0, "gone": 3}
HANG_SERVICE = "hang"  # answers only when the client has gone (or after HANG_LIMIT seconds)
HANG_LIMIT = 10.0
SECRET_DETAIL = "SECRET-DETAIL-FROM-SERVER"


def decode_service(request: bytes) -> str:
    """HealthCheckRequest{string service = 1}, read by hand: one field, tag 0x0a, varint length."""
    if not request:
        return ""
    if request[0] != 0x0A:
        raise ValueError("unexpected field")
    length = shift = 0
    pos = 1
    while True:
        byte = request[pos]
        pos += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    name = request[pos : pos + length]
    if len(name) != length or pos + length != len(request):
        raise ValueError("bad length")
    return name.decode("utf-8")


@dataclass
class HealthServer:
    tls_credentials: grpc.ServerCredentials | None = None
    health: bool = True  # False: no handlers at all, every method is UNIMPLEMENTED
    port: int = 0
    port_v6: int = 0
    services_seen: list[str] = field(default_factory=list)
    hang_released: threading.Event = field(default_factory=threading.Event)
    server: grpc.Server | None = None

    def _check(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        service = decode_service(request)
        self.services_seen.append(service)
        if service == HANG_SERVICE:
            self.hang_released.clear()
            until = time.monotonic() + HANG_LIMIT
            while context.is_active() and time.monotonic() < until:
                time.sleep(0.02)
            if not context.is_active():
                self.hang_released.set()
            return b""
        if service not in SERVICES:
            context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {SECRET_DETAIL}")
        status = SERVICES[service]
        return b"\x08" + bytes([status]) if status else b""  # proto3 leaves 0 (UNKNOWN) out

    def start(self) -> HealthServer:
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        if self.health:
            handler = grpc.method_handlers_generic_handler(
                "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(self._check)}
            )
            self.server.add_generic_rpc_handlers((handler,))
        if self.tls_credentials is not None:
            self.port = self.server.add_secure_port("127.0.0.1:0", self.tls_credentials)
        else:
            self.port = self.server.add_insecure_port("127.0.0.1:0")
            self.port_v6 = self.server.add_insecure_port("[::1]:0")
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop(grace=0).wait(5)

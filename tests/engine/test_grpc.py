"""gRPC health checks against real grpcio servers on loopback (plain, TLS, without the health service)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import grpc
import pytest
import trustme

from monitors.engine import CheckSpec
from monitors.engine.grpc_health import decode_health_response, encode_health_request

from .conftest import SLOW_TIMEOUT, assert_within_deadline, check
from .grpc_servers import HANG_SERVICE, SECRET_DETAIL, HealthServer
from .h2_servers import start_h2
from .scripted_servers import ScriptedServer


def _credentials(cert: trustme.LeafCert) -> grpc.ServerCredentials:
    return grpc.ssl_server_credentials([(cert.private_key_pem.bytes(), cert.cert_chain_pems[0].bytes())])


@pytest.fixture(scope="module")
def health_server() -> Iterator[HealthServer]:
    server = HealthServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tls_health_server(ca: trustme.CA) -> Iterator[HealthServer]:
    server = HealthServer(_credentials(ca.issue_cert("localhost", "127.0.0.1"))).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def untrusted_health_server() -> Iterator[HealthServer]:
    server = HealthServer(_credentials(trustme.CA().issue_cert("localhost", "127.0.0.1"))).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bare_server() -> Iterator[HealthServer]:
    server = HealthServer(health=False).start()
    yield server
    server.stop()


def grpc_spec(port: int, host: str = "127.0.0.1", **kwargs) -> CheckSpec:
    kwargs.setdefault("timeout", 3.0)
    kwargs.setdefault("allow_private", True)
    return CheckSpec(type="grpc", host=host, port=port, **kwargs)


def test_serving_server_is_up(health_server: HealthServer) -> None:
    spec = grpc_spec(health_server.port)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("UP", "")
    assert result.response_time_ms is not None
    assert health_server.services_seen[-1] == ""
    assert_within_deadline(elapsed, spec)
    assert elapsed < 1


def test_named_service_by_host_name_and_over_ipv6(health_server: HealthServer) -> None:
    result, _ = check(grpc_spec(health_server.port, host="localhost", service="api"))
    assert (result.status, result.error) == ("UP", "")
    assert health_server.services_seen[-1] == "api"
    result, _ = check(grpc_spec(health_server.port_v6, host="::1", service="api"))
    assert (result.status, result.error) == ("UP", "")


@pytest.mark.parametrize(
    ("service", "error"),
    [
        ("maintenance", "health status NOT_SERVING"),
        ("unknown-state", "health status UNKNOWN"),  # the status field left out: proto3's default
        ("gone", "health status SERVICE_UNKNOWN"),
    ],
)
def test_not_serving_states_are_down(health_server: HealthServer, service: str, error: str) -> None:
    result, _ = check(grpc_spec(health_server.port, service=service))
    assert (result.status, result.error) == ("DOWN", error)
    assert result.response_time_ms is not None


def test_unknown_service_is_the_grpc_status_without_the_servers_message(health_server: HealthServer) -> None:
    result, _ = check(grpc_spec(health_server.port, service="no-such-service"))
    assert (result.status, result.error) == ("DOWN", "gRPC status 5 NOT_FOUND")
    assert SECRET_DETAIL not in result.error


def test_server_without_health_service_is_unimplemented(bare_server: HealthServer) -> None:
    result, elapsed = check(grpc_spec(bare_server.port))
    assert (result.status, result.error) == ("DOWN", "gRPC status 12 UNIMPLEMENTED")
    assert elapsed < 1


def test_service_names_reach_the_server_intact(health_server: HealthServer) -> None:
    # non-ASCII, and long enough for a two-byte length varint
    for name in ("dépôt.v1.Ledger", "svc." + "x" * 200):
        result, _ = check(grpc_spec(health_server.port, service=name))
        assert (result.status, result.error) == ("DOWN", "gRPC status 5 NOT_FOUND")
        assert health_server.services_seen[-1] == name


def test_tls_server_is_up(tls_health_server: HealthServer, client_ssl_context) -> None:
    result, _ = check(grpc_spec(tls_health_server.port, host="localhost", tls=True), client_ssl_context)
    assert (result.status, result.error) == ("UP", "")
    result, _ = check(grpc_spec(tls_health_server.port, tls=True, service="maintenance"), client_ssl_context)
    assert (result.status, result.error) == ("DOWN", "health status NOT_SERVING")


def test_tls_certificate_is_verified(untrusted_health_server: HealthServer, client_ssl_context) -> None:
    spec = grpc_spec(untrusted_health_server.port, host="localhost", tls=True)
    result, _ = check(spec, client_ssl_context)
    assert (result.status, result.error) == ("DOWN", "certificate issuer not trusted")


def test_tls_and_plaintext_mismatch(health_server: HealthServer, tls_health_server: HealthServer, client_ssl_context):
    result, elapsed = check(grpc_spec(health_server.port, tls=True), client_ssl_context)
    assert result.status == "DOWN"
    assert result.error.startswith("TLS handshake failed")
    assert elapsed < 1
    result, elapsed = check(grpc_spec(tls_health_server.port), client_ssl_context)
    assert result.status == "DOWN"
    assert len(result.error) < 80
    assert elapsed < 1


def test_http1_server_is_not_grpc(bg) -> None:
    server = bg.call(ScriptedServer(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").start(bg))
    result, elapsed = check(grpc_spec(server.port))
    assert (result.status, result.error) == ("DOWN", "not an HTTP/2 server")
    assert elapsed < 1


@pytest.mark.parametrize(
    ("mode", "status", "error"),
    [
        ("serving", "UP", ""),
        ("serving-then-goaway", "UP", ""),
        ("http-404", "DOWN", "HTTP 404"),
        ("not-grpc", "DOWN", "not a gRPC response"),
        ("no-grpc-status", "DOWN", "no valid grpc-status in the response"),
        ("compressed", "DOWN", "compressed gRPC response (not asked for)"),
        ("two-messages", "DOWN", "invalid gRPC response"),
        ("reset", "DOWN", "stream reset by server (REFUSED_STREAM)"),
        ("goaway", "DOWN", "connection closed by server (GOAWAY ENHANCE_YOUR_CALM)"),
    ],
)
def test_http2_answers_a_grpc_server_rarely_gives(bg, mode: str, status: str, error: str) -> None:
    port = bg.call(start_h2(bg, mode))
    result, elapsed = check(grpc_spec(port))
    assert (result.status, result.error) == (status, error)
    assert elapsed < 1


def test_silent_server_hits_the_deadline(hanging_server) -> None:
    spec = grpc_spec(hanging_server.port, timeout=SLOW_TIMEOUT)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DOWN", "timeout after 1.0s")
    assert_within_deadline(elapsed, spec)


def test_hanging_call_hits_the_deadline_and_the_connection_is_closed(health_server: HealthServer) -> None:
    spec = grpc_spec(health_server.port, timeout=SLOW_TIMEOUT, service=HANG_SERVICE)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DOWN", "timeout after 1.0s")
    assert_within_deadline(elapsed, spec)
    # the server learns the call is gone: the engine closed its connection on cancellation
    started = time.monotonic()
    assert health_server.hang_released.wait(3)
    assert time.monotonic() - started < 2


def test_private_address_refused(health_server: HealthServer) -> None:
    seen = len(health_server.services_seen)
    result, elapsed = check(grpc_spec(health_server.port, allow_private=False))
    assert result.status == "DOWN"
    assert result.error == (
        "address not allowed: 127.0.0.1 is loopback; set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses"
    )
    assert len(health_server.services_seen) == seen
    assert elapsed < 1


def test_closed_port_and_bad_configuration(free_port: int) -> None:
    result, _ = check(grpc_spec(free_port))
    assert (result.status, result.error) == ("DOWN", "connection refused")
    result, _ = check(CheckSpec(type="grpc", timeout=1.0, host="127.0.0.1", allow_private=True))
    assert (result.status, result.error) == ("DOWN", "invalid port")
    result, _ = check(CheckSpec(type="grpc", timeout=1.0, host=" ", port=50051))
    assert (result.status, result.error) == ("DOWN", "no host configured")


def test_protobuf_codec() -> None:
    assert encode_health_request("") == b""
    assert encode_health_request("api") == b"\x0a\x03api"
    assert encode_health_request("x" * 200)[:3] == b"\x0a\xc8\x01"
    assert decode_health_response(b"") == 0
    assert decode_health_response(b"\x08\x01") == 1
    # unknown fields of every wire type are skipped
    assert decode_health_response(b"\x12\x02hi\x08\x02\x1d\x00\x00\x00\x00\x21" + bytes(8) + b"\x28\x05") == 2
    for bad in (b"\x08", b"\x12\x05hi", b"\x0b", b"\x08\xff"):
        with pytest.raises(ValueError):
            decode_health_response(bad)

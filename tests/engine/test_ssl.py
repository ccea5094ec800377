"""SSL certificate checks against TLS listeners with trustme certificates."""

from __future__ import annotations

import pytest

from monitors.engine import CheckSpec

from .conftest import SLOW_TIMEOUT, assert_within_deadline, check


def ssl_spec(port: int, host: str = "localhost", **kwargs) -> CheckSpec:
    kwargs.setdefault("timeout", 3.0)
    kwargs.setdefault("allow_private", True)
    return CheckSpec(type="ssl", url=f"https://{host}:{port}/", **kwargs)


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("valid", "UP", "certificate expires in 90 days"),
        ("soon", "DEGRADED", "certificate expires in 10 days"),
        ("very-soon", "DOWN", "certificate expires in 2 days"),
        ("expired", "DOWN", "certificate has expired"),
        ("untrusted", "DOWN", "certificate issuer not trusted"),
        ("self-signed", "DOWN", "self-signed certificate"),
        ("wrong-host", "DOWN", "certificate hostname mismatch"),
    ],
)
def test_certificate_states(tls, client_ssl_context, kind: str, status: str, error: str) -> None:
    spec = ssl_spec(tls.port(kind))
    result, elapsed = check(spec, client_ssl_context)
    assert (result.status, result.error) == (status, error)
    if status != "DOWN" or "expires" in error:
        assert result.response_time_ms is not None
    assert_within_deadline(elapsed, spec)
    assert elapsed < 1


def test_thresholds_are_per_monitor(tls, client_ssl_context) -> None:
    port = tls.port("valid")
    result, _ = check(ssl_spec(port, ssl_degraded_days=100), client_ssl_context)
    assert (result.status, result.error) == ("DEGRADED", "certificate expires in 90 days")
    result, _ = check(ssl_spec(port, ssl_down_days=90), client_ssl_context)
    assert (result.status, result.error) == ("DOWN", "certificate expires in 90 days")


def test_ip_address_target_and_host_port_form(tls, client_ssl_context) -> None:
    port = tls.port("valid")
    result, _ = check(ssl_spec(port, host="127.0.0.1"), client_ssl_context)
    assert result.status == "UP"
    spec = CheckSpec(type="ssl", timeout=3.0, host="localhost", port=port, allow_private=True)
    result, _ = check(spec, client_ssl_context)
    assert result.status == "UP"


def test_no_tls_handshake_hits_the_deadline(hanging_server, client_ssl_context) -> None:
    spec = ssl_spec(hanging_server.port, timeout=SLOW_TIMEOUT)
    result, elapsed = check(spec, client_ssl_context)
    assert (result.status, result.error) == ("DOWN", "timeout after 1.0s")
    assert_within_deadline(elapsed, spec)


def test_plain_http_server_is_a_handshake_failure(base_url: str, http_port: int, client_ssl_context) -> None:
    result, elapsed = check(ssl_spec(http_port), client_ssl_context)
    assert result.status == "DOWN"
    assert result.error.startswith("TLS handshake failed")
    assert len(result.error) < 80
    assert elapsed < 1


def test_closed_port_and_guard(free_port: int, tls, client_ssl_context) -> None:
    result, _ = check(ssl_spec(free_port), client_ssl_context)
    assert (result.status, result.error) == ("DOWN", "connection refused")
    result, _ = check(ssl_spec(tls.port("valid"), allow_private=False), client_ssl_context)
    assert result.status == "DOWN"
    assert result.error.startswith("address not allowed: ")


def test_http_url_is_refused() -> None:
    result, _ = check(CheckSpec(type="ssl", timeout=1.0, url="http://example.com/"))
    assert (result.status, result.error) == ("DOWN", "SSL check needs an https:// URL")

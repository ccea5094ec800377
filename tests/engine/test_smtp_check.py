"""SMTP checks against aiosmtpd (plain and STARTTLS with trustme certificates) and scripted misbehaving servers."""

from __future__ import annotations

import datetime as dt

import pytest
import trustme

from monitors.engine import CheckSpec

from .conftest import SLOW_TIMEOUT, assert_within_deadline, check, server_context_for
from .scripted_servers import HANG, ScriptedServer
from .smtp_servers import start_smtp

SECRET = b"SECRET-SERVER-TEXT"


def _utc(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


@pytest.fixture(scope="module")
def smtp_port(bg) -> int:
    return bg.call(start_smtp(bg))


@pytest.fixture(scope="module")
def starttls_ports(bg, ca: trustme.CA) -> dict[str, int]:
    """aiosmtpd servers offering STARTTLS with certificates in various states."""
    certs = {
        "valid": ca.issue_cert("localhost", "127.0.0.1", not_after=_utc(90.5)),
        "soon": ca.issue_cert("localhost", "127.0.0.1", not_after=_utc(10.5)),
        "very-soon": ca.issue_cert("localhost", "127.0.0.1", not_after=_utc(2.5)),
        "expired": ca.issue_cert("localhost", "127.0.0.1", not_before=_utc(-60), not_after=_utc(-1)),
        "untrusted": trustme.CA().issue_cert("localhost", "127.0.0.1"),
    }
    return {kind: bg.call(start_smtp(bg, server_context_for(cert))) for kind, cert in certs.items()}


def scripted(bg, greeting: bytes, *replies: bytes | None, close: bool = False) -> ScriptedServer:
    return bg.call(ScriptedServer(greeting, replies, close).start(bg))


def smtp_spec(port: int | None, host: str = "127.0.0.1", **kwargs) -> CheckSpec:
    kwargs.setdefault("timeout", 3.0)
    kwargs.setdefault("allow_private", True)
    return CheckSpec(type="smtp", host=host, port=port, **kwargs)


def test_plain_server_is_up(smtp_port: int) -> None:
    spec = smtp_spec(smtp_port)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("UP", "")
    assert result.response_time_ms is not None
    assert_within_deadline(elapsed, spec)
    assert elapsed < 1
    result, _ = check(smtp_spec(smtp_port, host="localhost"))
    assert (result.status, result.error) == ("UP", "")


def test_conversation_is_banner_ehlo_quit(bg) -> None:
    server = scripted(bg, b"220 mx ESMTP\r\n", b"250-mx\r\n250-SIZE 100\r\n250 HELP\r\n")
    result, _ = check(smtp_spec(server.port))
    assert (result.status, result.error) == ("UP", "")
    assert server.client_gone.wait(2)
    assert server.lines == [b"EHLO [127.0.0.1]", b"QUIT"]


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("valid", "UP", "certificate expires in 90 days"),
        ("soon", "DEGRADED", "certificate expires in 10 days"),
        ("very-soon", "DOWN", "certificate expires in 2 days"),
        ("expired", "DOWN", "certificate has expired"),
        ("untrusted", "DOWN", "certificate issuer not trusted"),
    ],
)
def test_starttls_certificate_states(starttls_ports, client_ssl_context, kind: str, status: str, error: str) -> None:
    spec = smtp_spec(starttls_ports[kind], host="localhost", tls=True)
    result, elapsed = check(spec, client_ssl_context)
    assert (result.status, result.error) == (status, error)
    assert_within_deadline(elapsed, spec)
    assert elapsed < 1


def test_starttls_thresholds_are_per_monitor(starttls_ports, client_ssl_context) -> None:
    port = starttls_ports["valid"]
    result, _ = check(smtp_spec(port, tls=True, ssl_degraded_days=100), client_ssl_context)
    assert (result.status, result.error) == ("DEGRADED", "certificate expires in 90 days")
    result, _ = check(smtp_spec(port, tls=True, ssl_down_days=90), client_ssl_context)
    assert (result.status, result.error) == ("DOWN", "certificate expires in 90 days")


def test_starttls_must_be_offered(smtp_port: int, client_ssl_context) -> None:
    result, _ = check(smtp_spec(smtp_port, tls=True), client_ssl_context)
    assert (result.status, result.error) == ("DOWN", "STARTTLS not offered")


def test_starttls_refused(bg, client_ssl_context) -> None:
    server = scripted(bg, b"220 mx\r\n", b"250-mx\r\n250 STARTTLS\r\n", b"454 TLS not available " + SECRET + b"\r\n")
    result, _ = check(smtp_spec(server.port, tls=True), client_ssl_context)
    assert (result.status, result.error) == ("DOWN", "STARTTLS refused: SMTP 454")
    assert server.lines[-1] == b"STARTTLS"


def test_no_service_banner_is_down_with_its_code(bg) -> None:
    server = scripted(bg, b"554 no service\r\n", close=True)
    result, elapsed = check(smtp_spec(server.port))
    assert (result.status, result.error) == ("DOWN", "SMTP banner 554")
    assert elapsed < 1


def test_ehlo_refused_is_down_with_its_code(bg) -> None:
    server = scripted(bg, b"220 mx\r\n", b"502 5.5.1 " + SECRET + b"\r\n")
    result, _ = check(smtp_spec(server.port))
    assert (result.status, result.error) == ("DOWN", "EHLO refused: SMTP 502")


@pytest.mark.parametrize(
    ("greeting", "error"),
    [
        (b"HTTP/1.1 400 Bad Request " + SECRET + b"\r\n\r\n", "invalid SMTP reply"),
        (b"220-mx\r\n250 " + SECRET + b"\r\n", "invalid SMTP reply"),  # codes of one reply differ
        (b"220 " + SECRET * 300 + b"\r\n", "invalid SMTP reply"),  # a line past the cap
        (b"220-mx\r\n" * 200 + b"220 mx\r\n", "SMTP reply too long"),
        # Then the server hangs up on EHLO: read as the close, or as the reset of the EHLO
        # written after it, whichever the kernel reports first.
        (b"220 mx\r\n", {"connection closed by server", "connection reset", "connection closed by peer"}),
    ],
)
def test_malformed_replies_are_not_echoed(bg, greeting: bytes, error: str | set[str]) -> None:
    server = scripted(bg, greeting, close=True)
    result, elapsed = check(smtp_spec(server.port))
    assert result.status == "DOWN"
    assert result.error in (error if isinstance(error, set) else {error})
    assert "SECRET" not in result.error
    assert elapsed < 1


def test_silent_server_hits_the_deadline(hanging_server) -> None:
    spec = smtp_spec(hanging_server.port, timeout=SLOW_TIMEOUT)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DOWN", "timeout after 1.0s")
    assert_within_deadline(elapsed, spec)


def test_unanswered_ehlo_hits_the_deadline_and_the_connection_is_closed(bg) -> None:
    server = scripted(bg, b"220 mx\r\n", HANG)
    spec = smtp_spec(server.port, timeout=SLOW_TIMEOUT)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DOWN", "timeout after 1.0s")
    assert_within_deadline(elapsed, spec)
    assert server.client_gone.wait(2)
    assert server.lines == [b"EHLO [127.0.0.1]"]


def test_private_address_refused(smtp_port: int) -> None:
    result, elapsed = check(smtp_spec(smtp_port, allow_private=False))
    assert result.status == "DOWN"
    assert result.error == (
        "address not allowed: 127.0.0.1 is loopback; set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses"
    )
    assert elapsed < 1
    # port 25 by default: the guard refuses before anything is tried
    result, _ = check(smtp_spec(None, host="localhost", allow_private=False))
    assert result.error.startswith("address not allowed: localhost resolves to a non-public address (loopback)")


def test_closed_port_and_bad_configuration(free_port: int) -> None:
    result, _ = check(smtp_spec(free_port))
    assert (result.status, result.error) == ("DOWN", "connection refused")
    result, _ = check(smtp_spec(70000))
    assert (result.status, result.error) == ("DOWN", "invalid port")
    result, _ = check(smtp_spec(25, host=""))
    assert (result.status, result.error) == ("DOWN", "no host configured")

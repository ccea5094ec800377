"""DNS checks against our own UDP DNS server on 127.0.0.1."""

from __future__ import annotations

import pytest

from monitors.engine import CheckSpec

from .conftest import SLOW_TIMEOUT, assert_within_deadline, check


def dns_spec(port: int, host: str, record_type: str, *expected: str, **kwargs) -> CheckSpec:
    kwargs.setdefault("timeout", 2.0)
    kwargs.setdefault("allow_private", True)  # our resolver is on loopback
    return CheckSpec(
        type="dns",
        host=host,
        record_type=record_type,
        expected_values=expected,
        resolver="127.0.0.1",
        resolver_port=port,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("host", "record_type", "expected"),
    [
        ("svc.example.test", "A", ()),
        ("svc.example.test", "A", ("192.0.2.10",)),
        ("svc.example.test", "A", ("192.0.2.11", "192.0.2.10")),
        ("svc.example.test", "AAAA", ("2001:DB8:0::10",)),
        ("svc.example.test", "TXT", ("site-verification=abc123",)),
        ("svc.example.test", "TXT", ('"v=spf1 include:_spf.example.test ~all"',)),
        ("svc.example.test", "MX", ("10 mail.example.test",)),
        ("svc.example.test", "MX", ("backup.example.test.",)),
        ("alias.example.test", "CNAME", ("SVC.example.test.",)),
        ("example.test", "NS", ("ns1.example.test", "ns2.example.test")),
    ],
)
def test_expected_values_match(dns_server, host: str, record_type: str, expected: tuple[str, ...]) -> None:
    spec = dns_spec(dns_server.port, host, record_type, *expected)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("UP", "")
    assert result.response_time_ms is not None
    assert result.response_time_ms < 1000
    assert_within_deadline(elapsed, spec)


@pytest.mark.parametrize(
    ("record_type", "expected", "error"),
    [
        ("A", ("192.0.2.10", "192.0.2.99"), "A '192.0.2.99' not in answer (192.0.2.10, 192.0.2.11)"),
        ("TXT", ("site-verification=nope",), "TXT 'site-verification=nope' not in answer ("),
        ("MX", ("20 mail.example.test",), "MX '20 mail.example.test' not in answer (10 mail.example.test, 20 backup"),
    ],
)
def test_expected_values_not_matching(dns_server, record_type: str, expected: tuple[str, ...], error: str) -> None:
    spec = dns_spec(dns_server.port, "svc.example.test", record_type, *expected)
    result, elapsed = check(spec)
    assert result.status == "DOWN"
    assert result.error.startswith(error)
    assert len(result.error) <= 200
    assert_within_deadline(elapsed, spec)


def test_nxdomain_and_no_answer(dns_server) -> None:
    result, _ = check(dns_spec(dns_server.port, "nothing.example.test", "A"))
    assert (result.status, result.error) == ("DOWN", "NXDOMAIN: no such domain")
    result, _ = check(dns_spec(dns_server.port, "alias.example.test", "MX"))
    assert (result.status, result.error) == ("DOWN", "no MX records")


def test_silent_server_hits_the_deadline(dns_server) -> None:
    spec = dns_spec(dns_server.port, "blackhole.example.test", "A", timeout=SLOW_TIMEOUT)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DOWN", "timeout after 1.0s")
    assert_within_deadline(elapsed, spec)


def test_resolver_passes_the_guard(dns_server) -> None:
    queries = dns_server.queries
    result, _ = check(dns_spec(dns_server.port, "svc.example.test", "A", allow_private=False))
    assert (result.status, result.error) == (
        "DOWN",
        "address not allowed: resolver 127.0.0.1 is loopback; "
        "set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses",
    )
    result, _ = check(
        dns_spec(dns_server.port, "svc.example.test", "A").__class__(
            type="dns",
            timeout=1.0,
            host="svc.example.test",
            record_type="A",
            resolver="169.254.169.254",
            allow_private=True,
        )
    )
    assert (result.status, result.error) == ("DOWN", "address not allowed: resolver 169.254.169.254 is cloud metadata")
    assert dns_server.queries == queries  # nothing was sent


def test_bad_configuration() -> None:
    result, _ = check(CheckSpec(type="dns", timeout=1.0, host="example.com", record_type="SRV"))
    assert (result.status, result.error) == ("DOWN", "unsupported record type")
    result, _ = check(CheckSpec(type="dns", timeout=1.0, host="example.com", record_type="A", resolver="dns.google"))
    assert (result.status, result.error) == ("DOWN", "resolver must be an IP address")

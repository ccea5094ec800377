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
    ("record_type", "expected"),
    [
        ("A", ("192.0.2.10", "192.0.2.99")),
        ("AAAA", ("2001:db8::99",)),
        ("TXT", ("site-verification=nope",)),
        ("MX", ("20 mail.example.test",)),
    ],
)
def test_expected_values_not_matching(dns_server, record_type: str, expected: tuple[str, ...]) -> None:
    """The error says what failed and lists nothing the server answered."""
    spec = dns_spec(dns_server.port, "svc.example.test", record_type, *expected)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DOWN", f"DNS {record_type} answer did not match the expected values")
    for answered in ("192.0.2.1", "2001:db8::10", "spf", "abc123", "mail.example", "backup"):
        assert answered not in result.error.lower()
    assert_within_deadline(elapsed, spec)


def system_spec(host: str, record_type: str, *expected: str, allow_private: bool = False) -> CheckSpec:
    """A check naming no resolver: it asks the system resolver (played by our server on loopback)."""
    return CheckSpec(
        type="dns",
        timeout=2.0,
        host=host,
        record_type=record_type,
        expected_values=expected,
        allow_private=allow_private,
    )


@pytest.mark.parametrize(
    ("host", "record_type", "kind"),
    [
        ("db.internal.test", "A", "private"),
        ("db.internal.test", "AAAA", "unique-local"),
        ("mixed.internal.test", "A", "loopback"),  # one private address among public ones is enough
    ],
)
def test_system_resolver_answer_must_be_public(dns_server, host: str, record_type: str, kind: str) -> None:
    system = ("127.0.0.1", dns_server.port)
    result, _ = check(system_spec(host, record_type), system_nameserver=system)
    assert (result.status, result.error) == (
        "DOWN",
        f"{host} resolves to a non-public address ({kind}); "
        "set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses",
    )
    # with expected values too: the refusal comes first, so the answer cannot be probed value by value
    result, _ = check(system_spec(host, record_type, "10.1.2.3"), system_nameserver=system)
    assert result.error.startswith(f"{host} resolves to a non-public address")
    for answered in ("10.1.2.3", "fd00", "127.0.0.1", "93.184"):
        assert answered not in result.error


def test_system_resolver_private_answers_allowed_when_private_targets_are(dns_server) -> None:
    system = ("127.0.0.1", dns_server.port)
    result, _ = check(system_spec("db.internal.test", "A", "10.1.2.3", allow_private=True), system_nameserver=system)
    assert (result.status, result.error) == ("UP", "")
    result, _ = check(system_spec("db.internal.test", "AAAA", allow_private=True), system_nameserver=system)
    assert (result.status, result.error) == ("UP", "")


def test_system_resolver_metadata_answer_is_refused_even_when_private_allowed(dns_server) -> None:
    system = ("127.0.0.1", dns_server.port)
    result, _ = check(system_spec("imds.internal.test", "A", allow_private=True), system_nameserver=system)
    assert (result.status, result.error) == (
        "DOWN",
        "imds.internal.test resolves to a non-public address (cloud metadata)",
    )


def test_system_resolver_public_answers_pass(dns_server) -> None:
    system = ("127.0.0.1", dns_server.port)
    result, _ = check(system_spec("www.public.test", "A", "93.184.216.34"), system_nameserver=system)
    assert (result.status, result.error) == ("UP", "")
    result, _ = check(system_spec("www.public.test", "AAAA"), system_nameserver=system)
    assert (result.status, result.error) == ("UP", "")
    result, _ = check(system_spec("svc.example.test", "TXT", "site-verification=abc123"), system_nameserver=system)
    assert (result.status, result.error) == ("UP", "")  # not an address: the guard has nothing to judge
    result, _ = check(system_spec("www.public.test", "A", "93.184.216.35"), system_nameserver=system)
    assert (result.status, result.error) == ("DOWN", "DNS A answer did not match the expected values")


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

"""The address guard: check_ip, resolve, and GuardedResolver at connect time."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from monitors.engine import CheckSpec
from outbound import guard
from outbound.guard import AddressNotAllowed, GuardedResolver, check_ip

from .conftest import check, run

REFUSED_UNLESS_ALLOWED = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("169.254.10.1", "link-local"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("::ffff:127.0.0.1", "loopback (embeds 127.0.0.1)"),
    ("::ffff:10.0.0.1", "private (embeds 10.0.0.1)"),
    ("::127.0.0.1", "loopback (embeds 127.0.0.1)"),  # IPv4-compatible
    ("2002:7f00:1::", "loopback (embeds 127.0.0.1)"),  # 6to4
    ("2002:c0a8:101::1", "private (embeds 192.168.1.1)"),
    ("64:ff9b::7f00:1", "loopback (embeds 127.0.0.1)"),  # NAT64 well-known prefix
    ("64:ff9b:1::a00:1", "local-use NAT64"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "documentation (embeds 192.0.2.45)"),  # Teredo (RFC 4380 example)
    ("100.64.0.1", "shared address space (CGNAT)"),
    ("100.127.255.254", "shared address space (CGNAT)"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "'this network'"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("255.255.255.255", "broadcast"),
    ("240.0.0.1", "reserved"),
    ("198.18.0.1", "benchmarking"),
    ("192.0.2.1", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("2001:db8::1", "documentation"),
    ("fc00::1", "unique-local"),
    ("fd12:3456::1", "unique-local"),
    ("fe80::1", "link-local"),
    ("fe80::1%1", "link-local"),
    ("100::1", "discard-only"),
    ("4000::1", "reserved"),
]


@pytest.mark.parametrize(("ip", "reason"), REFUSED_UNLESS_ALLOWED)
def test_non_global_refused_unless_private_allowed(ip: str, reason: str) -> None:
    with pytest.raises(AddressNotAllowed) as excinfo:
        check_ip(ip, allow_private=False)
    # The refusal names the setting that allows it.
    assert str(excinfo.value).endswith(f" is {reason}; {guard.PRIVATE_HINT}")
    assert len(str(excinfo.value)) < 160
    check_ip(ip, allow_private=True)  # a self-hosted install may watch its own network


METADATA = [
    "169.254.169.254",
    "169.254.170.2",
    "fd00:ec2::254",
    "100.100.100.200",
    "168.63.129.16",
    "::ffff:169.254.169.254",
    "::ffff:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "2002:a9fe:a9fe::1",
    "::169.254.169.254",
]


@pytest.mark.parametrize("ip", METADATA)
@pytest.mark.parametrize("allow_private", [False, True])
def test_metadata_always_refused(ip: str, allow_private: bool) -> None:
    with pytest.raises(AddressNotAllowed, match="is cloud metadata") as excinfo:
        check_ip(ip, allow_private=allow_private)
    assert "STATUSAPP_ALLOW_PRIVATE_TARGETS" not in str(excinfo.value)  # no setting allows it


@pytest.mark.parametrize(
    "ip",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.215.14",
        "2606:4700:4700::1111",
        "2a00:1450:4001:80b::200e",
        "::ffff:8.8.8.8",
        "2002:808:808::1",  # 6to4 of 8.8.8.8
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    ],
)
def test_global_addresses_allowed(ip: str) -> None:
    check_ip(ip, allow_private=False)


def test_check_ip_accepts_ipaddress_objects_and_refuses_garbage() -> None:
    import ipaddress

    check_ip(ipaddress.ip_address("8.8.4.4"), allow_private=False)
    with pytest.raises(AddressNotAllowed, match="not an IP address"):
        check_ip("example.com", allow_private=True)


@pytest.mark.parametrize("host", ["0", "2130706433", "0x7f.1", "127.1", "0177.0.0.1", "localhost", "LocalHost"])
def test_resolve_refuses_numeric_and_local_names(host: str) -> None:
    with pytest.raises(AddressNotAllowed) as excinfo:
        run(guard.resolve(host, 80, allow_private=False))
    assert "loopback" in str(excinfo.value) or "unspecified" in str(excinfo.value)


def test_resolve_returns_checked_addresses() -> None:
    assert run(guard.resolve("127.1", 8080, allow_private=True)) == [(socket.AF_INET, ("127.0.0.1", 8080))]
    [(family, sockaddr)] = run(guard.resolve("::1", 8080, allow_private=True))
    assert family == socket.AF_INET6 and sockaddr[:2] == ("::1", 8080)


def test_resolve_unknown_name_is_a_lookup_error() -> None:
    with pytest.raises(OSError):
        run(guard.resolve("no-such-host.invalid", 80, allow_private=False))


@pytest.mark.parametrize(
    "host", ["0", "2130706433", "0x7f.1", "127.1", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]"]
)
def test_literal_hosts_in_urls_refused(host: str, http_port: int, counting_server) -> None:
    spec = CheckSpec(type="http", timeout=2.0, url=f"http://{host}:{counting_server.port}/")
    result, elapsed = check(spec)
    assert result.status == "DOWN"
    assert result.error.startswith("address not allowed: ")
    assert "loopback" in result.error or "unspecified" in result.error
    assert counting_server.settled_count() == 0
    assert elapsed < 1


def _get(url: str, allow_private: bool) -> int:
    async def go() -> int:
        connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private=allow_private), use_dns_cache=False)
        async with aiohttp.ClientSession(connector=connector) as session, session.get(url) as resp:
            return resp.status

    return run(go())


def test_guarded_resolver_refuses_private_name_at_connect_time(counting_server) -> None:
    """ "localhost" is a name: aiohttp asks the resolver, the guard refuses, no connection is ever opened."""
    with pytest.raises(AddressNotAllowed, match="loopback"):
        _get(f"http://localhost:{counting_server.port}/", allow_private=False)
    assert counting_server.settled_count() == 0

    # control: the same server is reachable when private targets are allowed
    assert _get(f"http://localhost:{counting_server.port}/", allow_private=True) == 204
    assert counting_server.settled_count() == 1


def test_engine_http_check_refuses_private_name(counting_server) -> None:
    spec = CheckSpec(type="http", timeout=2.0, url=f"http://localhost:{counting_server.port}/")
    result, elapsed = check(spec)
    assert result.status == "DOWN"
    # "localhost" is a name: the error says what kind of address it resolved to, never the address
    assert (
        result.error
        == f"address not allowed: localhost resolves to a non-public address (loopback); {guard.PRIVATE_HINT}"
    )
    assert counting_server.settled_count() == 0
    assert elapsed < 1

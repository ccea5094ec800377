"""Ping checks on loopback: real ICMP echoes, with nftables making some 127.x addresses silent or lossy, and checks
run in fresh network namespaces for the unprivileged datagram socket and for a worker allowed neither socket."""

from __future__ import annotations

import asyncio
import secrets
import socket
import struct
import time
from collections.abc import Iterator

import pytest

from monitors.engine import CheckResult, CheckSpec, EngineContext, run_check
from monitors.engine.ping import NOT_PERMITTED

from ..conftest import REQUIRE_SERVICES
from .conftest import assert_within_deadline, check
from .ping_net import FIREWALLED, LOSSY, SILENT, LossRules, missing_tools, run_in_netns


@pytest.fixture(scope="module")
def net_tools() -> None:
    missing = missing_tools()
    if missing:
        message = f"ping tests need {', '.join(missing)} (apt-get install nftables)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def loss_rules(net_tools: None) -> Iterator[None]:
    rules = LossRules()
    rules.add()
    try:
        yield
    finally:
        rules.remove()


def ping_spec(host: str, **kwargs) -> CheckSpec:
    kwargs.setdefault("timeout", 3.0)
    kwargs.setdefault("allow_private", True)
    kwargs.setdefault("ping_count", 3)
    return CheckSpec(type="ping", host=host, **kwargs)


def test_ipv4_echoes_are_up() -> None:
    spec = ping_spec("127.0.0.1")
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("UP", "")
    assert result.response_time_ms is not None
    assert result.response_time_ms < 100
    assert 0.35 < elapsed < 1  # three echoes 0.2 s apart, then done as soon as the last reply is in


def test_ipv6_and_host_name_are_up() -> None:
    for host in ("::1", "[::1]", "localhost"):
        result, _ = check(ping_spec(host, ping_count=2))
        assert (result.status, result.error) == ("UP", ""), host


def test_some_echoes_lost_is_degraded(loss_rules: None) -> None:
    spec = ping_spec(LOSSY, ping_count=4)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DEGRADED", "25% packet loss")
    assert result.response_time_ms is not None
    assert_within_deadline(elapsed, spec)


def test_no_reply_at_all_is_full_loss_within_the_deadline(loss_rules: None) -> None:
    spec = ping_spec(SILENT, timeout=1.0)
    result, elapsed = check(spec)
    assert (result.status, result.error, result.response_time_ms) == ("DOWN", "100% packet loss", None)
    assert 0.8 < elapsed < spec.timeout  # waited for replies, and answered before run_check's deadline cut in


def test_sending_refused_by_a_local_firewall(loss_rules: None) -> None:
    result, elapsed = check(ping_spec(FIREWALLED))
    assert (result.status, result.error) == (
        "DOWN",
        "sending ICMP refused (a local firewall rule, or a broadcast address)",
    )
    assert elapsed < 0.5


def _fake_reply(seq: int) -> bytes:
    """An echo reply with a random identifier and payload: what another pinger's replies look like."""
    payload = secrets.token_bytes(32)
    header = struct.pack("!BBHHH", 0, 0, 0, secrets.randbits(16), seq)
    data = header + payload
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return struct.pack("!BBHHH", 0, 0, ~total & 0xFFFF, *struct.unpack_from("!HH", header, 4)) + payload


def test_replies_that_are_not_ours_do_not_count(loss_rules: None) -> None:
    """While a check pings the silent address, echo replies from that address with the right sequence numbers but
    someone else's identifier and payload arrive, and another check pings 127.0.0.1 at the same time."""

    async def spray(stop: asyncio.Event) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as sock:
            sock.bind((SILENT, 0))
            while not stop.is_set():
                for seq in range(3):
                    sock.sendto(_fake_reply(seq), ("127.0.0.1", 0))
                await asyncio.sleep(0.05)

    async def go() -> tuple[CheckResult, CheckResult]:
        stop = asyncio.Event()
        sprayer = asyncio.create_task(spray(stop))
        context = EngineContext()
        silent, answering = await asyncio.gather(
            run_check(ping_spec(SILENT, timeout=1.0), context), run_check(ping_spec("127.0.0.1"), context)
        )
        stop.set()
        await sprayer
        return silent, answering

    silent, answering = asyncio.run(go())
    assert (silent.status, silent.error) == ("DOWN", "100% packet loss")
    assert (answering.status, answering.error) == ("UP", "")


def test_private_and_metadata_addresses_refused() -> None:
    started = time.monotonic()
    result, _ = check(ping_spec("127.0.0.1", allow_private=False))
    assert (result.status, result.error) == (
        "DOWN",
        "address not allowed: 127.0.0.1 is loopback; set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses",
    )
    result, _ = check(ping_spec("localhost", allow_private=False))
    assert result.error.startswith("address not allowed: localhost resolves to a non-public address (loopback)")
    result, _ = check(ping_spec("169.254.169.254"))
    assert (result.status, result.error) == ("DOWN", "address not allowed: 169.254.169.254 is cloud metadata")
    assert time.monotonic() - started < 1  # nothing was sent


def test_bad_configuration() -> None:
    for count in (0, 101):
        result, _ = check(ping_spec("127.0.0.1", ping_count=count))
        assert (result.status, result.error) == ("DOWN", "invalid ping count")
    result, _ = check(ping_spec(" "))
    assert (result.status, result.error) == ("DOWN", "no host configured")
    result, _ = check(ping_spec("no-such-host.invalid"))
    assert (result.status, result.error) == ("DOWN", "DNS lookup failed")


def test_unprivileged_datagram_socket(net_tools: None) -> None:
    # No CAP_NET_RAW, but the process's group (0) is inside ping_group_range: the kernel's ICMP datagram socket,
    # which rewrites the identifier, is the only way to ping.
    results = run_in_netns("0 0", ["127.0.0.1", "::1"])
    assert [r[:2] for r in results] == [["UP", ""], ["UP", ""]]
    assert all(r[2] is not None for r in results)


def test_no_icmp_permission_tells_the_operator_what_to_set(net_tools: None) -> None:
    results = run_in_netns("1 0", ["127.0.0.1", "::1"])
    assert results == [["DOWN", NOT_PERMITTED, None], ["DOWN", NOT_PERMITTED, None]]
    assert "net.ipv4.ping_group_range" in NOT_PERMITTED
    assert "CAP_NET_RAW" in NOT_PERMITTED

"""TCP port checks against a real listener and a closed port."""

from __future__ import annotations

from monitors.engine import CheckSpec

from .conftest import assert_within_deadline, check


def test_listener_is_up(counting_server) -> None:
    spec = CheckSpec(type="tcp", timeout=2.0, host="127.0.0.1", port=counting_server.port, allow_private=True)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("UP", "")
    assert result.response_time_ms is not None
    assert result.response_time_ms < 1000
    assert counting_server.settled_count() == 1
    assert_within_deadline(elapsed, spec)


def test_listener_by_name(counting_server) -> None:
    spec = CheckSpec(type="tcp", timeout=2.0, host="localhost", port=counting_server.port, allow_private=True)
    result, _ = check(spec)
    assert result.status == "UP"


def test_closed_port_is_down(free_port: int) -> None:
    spec = CheckSpec(type="tcp", timeout=2.0, host="127.0.0.1", port=free_port, allow_private=True)
    result, elapsed = check(spec)
    assert (result.status, result.error, result.response_time_ms) == ("DOWN", "connection refused", None)
    assert elapsed < 1


def test_private_target_refused(counting_server) -> None:
    spec = CheckSpec(type="tcp", timeout=2.0, host="localhost", port=counting_server.port)
    result, elapsed = check(spec)
    assert result.status == "DOWN"
    assert result.error == (
        "address not allowed: localhost resolves to a non-public address (loopback); "
        "set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses"
    )
    assert counting_server.settled_count() == 0
    assert elapsed < 1


def test_metadata_refused_even_with_private_allowed() -> None:
    spec = CheckSpec(type="tcp", timeout=2.0, host="169.254.169.254", port=80, allow_private=True)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DOWN", "address not allowed: 169.254.169.254 is cloud metadata")
    assert elapsed < 1


def test_unresolvable_host_and_bad_port() -> None:
    result, _ = check(CheckSpec(type="tcp", timeout=2.0, host="no-such-host.invalid", port=80))
    assert (result.status, result.error) == ("DOWN", "DNS lookup failed")
    result, _ = check(CheckSpec(type="tcp", timeout=2.0, host="bad..name", port=80))
    assert (result.status, result.error) == ("DOWN", "DNS lookup failed")
    result, _ = check(CheckSpec(type="tcp", timeout=2.0, host="example.com", port=70000))
    assert (result.status, result.error) == ("DOWN", "invalid port")
    result, _ = check(CheckSpec(type="tcp", timeout=2.0, host="", port=80))
    assert (result.status, result.error) == ("DOWN", "no host configured")


def test_unknown_type_and_bad_timeout() -> None:
    result, _ = check(CheckSpec(type="heartbeat", timeout=2.0))
    assert (result.status, result.error) == ("DOWN", "unsupported check type 'heartbeat'")
    result, _ = check(CheckSpec(type="tcp", timeout=0, host="example.com", port=80))
    assert (result.status, result.error) == ("DOWN", "invalid timeout")

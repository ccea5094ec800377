"""HTTP(S) and keyword checks against real aiohttp / raw asyncio servers on 127.0.0.1."""

from __future__ import annotations

import pytest

from monitors.engine import CheckSpec

from .conftest import SLOW_TIMEOUT, assert_within_deadline, check


def http(url: str, **kwargs) -> CheckSpec:
    kwargs.setdefault("timeout", 3.0)
    kwargs.setdefault("allow_private", True)  # the test targets live on loopback
    return CheckSpec(type=kwargs.pop("type", "http"), url=url, **kwargs)


def test_200_is_up(base_url: str) -> None:
    spec = http(f"{base_url}/ok")
    result, elapsed = check(spec)
    assert (result.status, result.status_code, result.error) == ("UP", 200, "")
    assert result.response_time_ms is not None
    assert 0 <= result.response_time_ms < 1000
    assert_within_deadline(elapsed, spec)


def test_post_with_body_and_headers(base_url: str) -> None:
    spec = http(f"{base_url}/ok", method="post", body="a=1", headers=(("X-Token", "t"),), keyword="posted 3 bytes")
    result, _ = check(spec)
    assert (result.status, result.status_code) == ("UP", 200)


def test_500_is_down_without_echoing_the_body(base_url: str) -> None:
    spec = http(f"{base_url}/500")
    result, elapsed = check(spec)
    assert (result.status, result.status_code, result.error) == ("DOWN", 500, "HTTP 500")
    assert "SENSITIVE" not in result.error
    assert_within_deadline(elapsed, spec)


def test_degraded_when_slower_than_threshold(base_url: str) -> None:
    spec = http(f"{base_url}/ok", degraded_threshold_ms=0)
    result, _ = check(spec)
    # a localhost answer can take 0 ms: only then is it not above a 0 ms threshold
    if result.response_time_ms:
        assert result.status == "DEGRADED"
        assert result.error.startswith("slow: ")
    else:
        assert result.status == "UP"


@pytest.mark.parametrize("path", ["/slow", "/drip"])
def test_slow_and_dripping_targets_hit_the_deadline(base_url: str, path: str) -> None:
    keyword = "never there" if path == "/drip" else ""  # the drip is in the body: make the check read it
    spec = http(f"{base_url}{path}", timeout=SLOW_TIMEOUT, keyword=keyword)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DOWN", "timeout after 1.0s")
    assert elapsed >= SLOW_TIMEOUT - 0.05
    assert_within_deadline(elapsed, spec)


def test_server_that_never_answers_hits_the_deadline(hanging_server) -> None:
    spec = http(f"http://127.0.0.1:{hanging_server.port}/", timeout=SLOW_TIMEOUT)
    result, elapsed = check(spec)
    assert (result.status, result.error, result.response_time_ms) == ("DOWN", "timeout after 1.0s", None)
    assert_within_deadline(elapsed, spec)


def test_connection_refused(free_port: int) -> None:
    spec = http(f"http://127.0.0.1:{free_port}/")
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DOWN", "connection refused")
    assert elapsed < 1


def test_endless_body_stops_at_the_cap(base_url: str) -> None:
    spec = http(f"{base_url}/endless", keyword="HEALTHY", timeout=5.0)
    result, elapsed = check(spec)
    assert (result.status, result.status_code, result.error) == ("DOWN", 200, "keyword not found in first 1 MiB")
    assert elapsed < 2  # the cap, not the deadline, ended it


def test_endless_body_with_keyword_early_is_up(base_url: str) -> None:
    spec = http(f"{base_url}/endless-keyword", type="keyword", keyword="HEALTHY", timeout=5.0)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("UP", "")
    assert elapsed < 1


def test_endless_body_with_json_assertion_is_down(base_url: str) -> None:
    spec = http(f"{base_url}/endless", json_path="$.status", json_expected="ok", timeout=5.0)
    result, elapsed = check(spec)
    assert (result.status, result.error) == ("DOWN", "JSON body larger than 1 MiB")
    assert elapsed < 2


def test_small_cap_is_configurable(base_url: str) -> None:
    from monitors.engine import EngineContext, run_check

    from .conftest import run

    async def go():
        return await run_check(http(f"{base_url}/ok", keyword="operational"), EngineContext(max_body_bytes=10))

    result = run(go())
    assert (result.status, result.error) == ("DOWN", "keyword not found in first 10 bytes")


def test_redirect_loop(base_url: str) -> None:
    spec = http(f"{base_url}/loop")
    result, elapsed = check(spec)
    assert (result.status, result.status_code, result.error) == ("DOWN", 302, "too many redirects")
    assert_within_deadline(elapsed, spec)


def test_five_redirects_are_followed_six_are_too_many(base_url: str) -> None:
    result, _ = check(http(f"{base_url}/hops/5", keyword="arrived"))
    assert (result.status, result.status_code) == ("UP", 200)
    result, _ = check(http(f"{base_url}/hops/6"))
    assert (result.status, result.error) == ("DOWN", "too many redirects")


@pytest.mark.parametrize("path", ["/to-metadata", "/to-metadata-v6"])
def test_redirect_to_metadata_refused_even_with_private_allowed(base_url: str, path: str) -> None:
    spec = http(f"{base_url}{path}", allow_private=True)
    result, elapsed = check(spec)
    assert result.status == "DOWN"
    assert result.error.startswith("address not allowed: ")
    assert "169.254.169.254" in result.error
    assert "cloud metadata" in result.error
    assert elapsed < 1


def test_loopback_target_refused_without_allow_private(base_url: str) -> None:
    spec = http(f"{base_url}/ok", allow_private=False)
    result, elapsed = check(spec)
    assert (result.status, result.error) == (
        "DOWN",
        "address not allowed: 127.0.0.1 is loopback; set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses",
    )
    assert elapsed < 1


def test_redirect_to_other_scheme_refused(base_url: str) -> None:
    result, _ = check(http(f"{base_url}/to-ftp"))
    assert (result.status, result.error) == ("DOWN", "redirect to unsupported scheme")


def test_credentials_do_not_follow_a_redirect_to_another_origin(base_url: str, http_port: int) -> None:
    spec = http(f"{base_url}/to-localhost/{http_port}", headers=(("Authorization", "Bearer secret"),))
    result, _ = check(spec)
    assert (result.status, result.status_code) == ("UP", 200)


def test_unsupported_scheme_and_bad_url() -> None:
    result, _ = check(http("ftp://example.com/"))
    assert (result.status, result.error) == ("DOWN", "unsupported URL scheme 'ftp'")
    result, _ = check(http("http:///nohost"))
    assert result.status == "DOWN"
    assert result.error.startswith("invalid URL")


def test_expected_codes_with_redirects_not_followed(base_url: str) -> None:
    spec = http(f"{base_url}/moved", expected_status_codes="200-299,301", follow_redirects=False)
    result, _ = check(spec)
    assert (result.status, result.status_code, result.error) == ("UP", 301, "")

    spec = http(f"{base_url}/moved", expected_status_codes="200", follow_redirects=False)
    result, _ = check(spec)
    assert (result.status, result.status_code, result.error) == ("DOWN", 301, "HTTP 301")

    spec = http(f"{base_url}/moved", expected_status_codes="200")  # followed to /ok
    result, _ = check(spec)
    assert (result.status, result.status_code) == ("UP", 200)


def test_invalid_expected_codes(base_url: str) -> None:
    result, _ = check(http(f"{base_url}/ok", expected_status_codes="2xx"))
    assert (result.status, result.error) == ("DOWN", "invalid expected status codes")


@pytest.mark.parametrize(
    ("keyword", "absent", "status", "error"),
    [
        ("operational", False, "UP", ""),
        ("meltdown", False, "DOWN", "keyword not found"),
        ("meltdown", True, "UP", ""),
        ("operational", True, "DOWN", "keyword found"),
    ],
)
def test_keyword_present_and_absent(base_url: str, keyword: str, absent: bool, status: str, error: str) -> None:
    spec = http(f"{base_url}/ok", type="keyword", keyword=keyword, keyword_absent=absent)
    result, _ = check(spec)
    assert (result.status, result.status_code, result.error) == (status, 200, error)


def test_keyword_type_needs_a_keyword(base_url: str) -> None:
    result, _ = check(http(f"{base_url}/ok", type="keyword"))
    assert (result.status, result.error) == ("DOWN", "no keyword configured")


@pytest.mark.parametrize(
    ("path", "expected", "status", "error"),
    [
        ("$.status", "ok", "UP", ""),
        ("status", "ok", "UP", ""),
        ("$.data.items[0].state", "bad", "UP", ""),
        ("data.items[1].state", "fine", "UP", ""),
        ("$['data']['items'][-1]['state']", "fine", "UP", ""),
        ("$.flag", "true", "UP", ""),
        ("$.none", "null", "UP", ""),
        ("$.status", "", "UP", ""),  # empty expectation: the path must exist
        (
            "$.data.items[0].state",
            "ok",
            "DOWN",
            "JSON path $.data.items[0].state: expected 'ok', got a different value",
        ),
        ("$.data.items[0]", "x", "DOWN", "JSON path $.data.items[0]: expected 'x', got a different value"),
        ("$.missing", "ok", "DOWN", "JSON path $.missing: not found"),
        ("$.data.items[5]", "ok", "DOWN", "JSON path $.data.items[5]: not found"),
        ("$..[", "ok", "DOWN", "invalid JSON path"),
    ],
)
def test_json_path(base_url: str, path: str, expected: str, status: str, error: str) -> None:
    spec = http(f"{base_url}/json", json_path=path, json_expected=expected)
    result, _ = check(spec)
    assert (result.status, result.error) == (status, error)


def test_json_mismatch_never_echoes_the_returned_value(base_url: str) -> None:
    """The whole document differs from the expectation: the error names path and expectation, nothing returned."""
    spec = http(f"{base_url}/json", json_path="$", json_expected="x")
    result, _ = check(spec)
    assert (result.status, result.error) == ("DOWN", "JSON path $: expected 'x', got a different value")
    for returned in ("bad", "fine", "state", "items", "{"):
        assert returned not in result.error


def test_json_expected_value_in_error_is_truncated(base_url: str) -> None:
    spec = http(f"{base_url}/json", json_path="$.status", json_expected="y" * 80)
    result, _ = check(spec)
    assert result.error == f"JSON path $.status: expected '{'y' * 47}...', got a different value"


def test_invalid_json_is_down_without_echo(base_url: str) -> None:
    result, _ = check(http(f"{base_url}/not-json", json_path="$.a", json_expected="b"))
    assert (result.status, result.error) == ("DOWN", "response is not valid JSON")


def test_https_with_trusted_certificate(tls, client_ssl_context) -> None:
    port = tls.port("valid", http=True)
    spec = http(f"https://localhost:{port}/ok", keyword="operational")
    result, _ = check(spec, client_ssl_context)
    assert (result.status, result.status_code, result.error) == ("UP", 200, "")


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("expired", "certificate has expired"),
        ("untrusted", "certificate issuer not trusted"),
        ("self-signed", "self-signed certificate"),
        ("wrong-host", "certificate hostname mismatch"),
    ],
)
def test_https_with_bad_certificate(tls, client_ssl_context, kind: str, error: str) -> None:
    port = tls.port(kind, http=True)
    spec = http(f"https://localhost:{port}/ok")
    result, elapsed = check(spec, client_ssl_context)
    assert (result.status, result.error) == ("DOWN", error)
    assert elapsed < 1


def test_ssl_context_is_used_per_engine_context(tls) -> None:
    """Without the test CA (the default, system trust store) the same server is untrusted."""
    port = tls.port("valid", http=True)
    result, _ = check(http(f"https://localhost:{port}/ok"))
    assert (result.status, result.error) == ("DOWN", "certificate issuer not trusted")

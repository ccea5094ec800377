"""Each error class from a real answer of the server, and the retries around them."""

import socket
import threading
import time

import pytest
import requests
from support import client_with, env, unique

import statusapp


def recording_session(seen: list) -> requests.Session:
    """A session noting (status, Retry-After) of every answer: one per attempt."""
    session = requests.Session()
    session.hooks["response"].append(
        lambda response, **_: seen.append((response.status_code, response.headers.get("Retry-After")))
    )
    return session


def test_a_bad_key_is_an_authentication_error():
    client = statusapp.Client(api_key="sk_live_nosuchkey_0000", base_url=env("STATUSAPP_BASE_URL"))
    with pytest.raises(statusapp.AuthenticationError) as raised:
        client.monitors.list()
    error = raised.value
    assert isinstance(error, statusapp.APIError)
    assert (error.status, error.code) == (401, "unauthorized")
    assert error.message
    assert error.headers["WWW-Authenticate"].startswith("Bearer")
    assert str(error).startswith("401 unauthorized: ")


def test_no_key_at_all_is_an_authentication_error(monkeypatch):
    monkeypatch.delenv("STATUSAPP_API_KEY")
    with pytest.raises(statusapp.AuthenticationError):
        statusapp.Client().monitors.list()  # the base URL still from $STATUSAPP_BASE_URL


def test_the_environment_configures_the_client(monkeypatch):
    assert statusapp.Client().base_url == env("STATUSAPP_BASE_URL").rstrip("/")
    monkeypatch.delenv("STATUSAPP_BASE_URL")
    assert statusapp.Client().base_url == "http://127.0.0.1:8000"
    assert statusapp.Client(base_url="https://status.example.com/").base_url == "https://status.example.com"


def test_a_read_key_writing_is_permission_denied():
    reader = client_with("STATUSAPP_TEST_READ_KEY")
    with pytest.raises(statusapp.PermissionDeniedError) as raised:
        reader.monitors.create(name=unique("SDK forbidden"), type="http", url="https://example.com")
    assert (raised.value.status, raised.value.code) == (403, "forbidden")
    assert "write" in raised.value.message

    writer = client_with("STATUSAPP_TEST_WRITE_KEY")
    with pytest.raises(statusapp.PermissionDeniedError):
        writer.api_keys.list()  # keys are for admin keys only


def test_another_organizations_object_is_not_found(client):
    other = client_with("STATUSAPP_TEST_OTHER_KEY")
    theirs = other.monitors.create(name=unique("SDK theirs"), type="http", url="https://example.com")
    try:
        with pytest.raises(statusapp.NotFoundError) as raised:
            client.monitors.get(theirs.id)
        assert (raised.value.status, raised.value.code) == (404, "not_found")
        with pytest.raises(statusapp.NotFoundError):
            client.monitors.update(theirs.id, name="mine now")
        with pytest.raises(statusapp.NotFoundError):
            client.monitors.delete(theirs.id)
        assert other.monitors.get(theirs.id).name == theirs.name  # untouched
    finally:
        other.monitors.delete(theirs.id)


def test_path_parameters_are_quoted(client):
    # Unquoted, "../incidents" would reach /api/incidents and read as a monitor.
    with pytest.raises(statusapp.NotFoundError):
        client.monitors.get("../incidents")
    with pytest.raises(ValueError, match="non-empty"):
        client.monitors.get("")


def test_an_invalid_body_is_a_validation_error_with_fields(client):
    with pytest.raises(statusapp.ValidationError) as raised:
        client.monitors.create(name=unique("SDK invalid"), type="http", url="not a url", interval=1)
    error = raised.value
    assert (error.status, error.code) == (400, "invalid_request")
    assert error.details
    assert set(error.fields) == {"url", "interval"}
    assert all(isinstance(message, str) for messages in error.fields.values() for message in messages)

    with pytest.raises(statusapp.ValidationError) as raised:
        client.monitors.list(limit=0)
    assert "limit" in raised.value.fields


def test_the_low_level_request(client):
    body = client.request("GET", "/api/monitors", params={"status": "DOWN", "limit": 1})
    assert body["pagination"]["limit"] == 1
    assert all(monitor["status"] == "DOWN" for monitor in body["data"])
    monitor = client.request(
        "POST", "/api/monitors", json={"name": unique("SDK raw"), "type": "http", "url": "https://example.com"}
    )
    assert client.request("DELETE", f"/api/monitors/{monitor['id']}") is None
    with pytest.raises(statusapp.NotFoundError):
        client.request("GET", f"/api/monitors/{monitor['id']}")


def spend_rate_limit() -> statusapp.RateLimitError:
    """Calls with the limited key until the server says 429 (retries off): its error."""
    spender = client_with("STATUSAPP_TEST_LIMITED_KEY", max_retries=0)
    for _ in range(4 * int(env("STATUSAPP_TEST_RATE_LIMIT"))):
        try:
            spender.monitors.list()
        except statusapp.RateLimitError as error:
            return error
    raise AssertionError("the limited key was never limited")


def test_rate_limited_without_retries():
    error = spend_rate_limit()
    assert (error.status, error.code) == (429, "rate_limited")
    assert 1 <= error.retry_after <= int(env("STATUSAPP_TEST_RATE_WINDOW"))
    assert error.headers["X-RateLimit-Remaining"] == "0"


@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
def test_rate_limited_calls_wait_for_retry_after_then_succeed(write):
    # The limit counts per window: should the window roll over between spending it and the
    # call (the call then succeeds at once), spend it again.
    for _ in range(3):
        seen = []
        client = client_with("STATUSAPP_TEST_LIMITED_KEY", max_retries=3, session=recording_session(seen))
        spend_rate_limit()
        started = time.monotonic()
        if write:  # a 429 did nothing on the server: a write is sent again too
            result = client.monitors.create(name=unique("SDK after wait"), type="http", url="https://example.com")
        else:
            result = client.monitors.list()
        elapsed = time.monotonic() - started
        if seen[0][0] == 429:
            break
    assert seen[0][0] == 429
    assert seen[-1][0] == (201 if write else 200)
    assert all(status == 429 for status, _ in seen[:-1])
    waited = sum(int(retry_after) for _, retry_after in seen[:-1])
    assert waited >= 1
    assert waited - 0.05 <= elapsed < waited + 2
    if write:
        client.monitors.delete(result.id)


def test_an_unavailable_server_is_retried_after_retry_after():
    seen = []
    client = statusapp.Client(
        api_key=env("STATUSAPP_API_KEY"),
        base_url=env("STATUSAPP_TEST_UNAVAILABLE_URL"),
        max_retries=1,
        session=recording_session(seen),
    )
    started = time.monotonic()
    with pytest.raises(statusapp.APIError) as raised:
        client.monitors.list()
    elapsed = time.monotonic() - started
    assert type(raised.value) is statusapp.APIError
    assert (raised.value.status, raised.value.code) == (503, "service_unavailable")
    assert seen == [(503, "5"), (503, "5")]  # tried, waited the 5 s asked, tried again
    assert 5 <= elapsed < 8


def test_an_unavailable_server_with_retries_off_is_asked_once():
    seen = []
    client = statusapp.Client(
        api_key=env("STATUSAPP_API_KEY"),
        base_url=env("STATUSAPP_TEST_UNAVAILABLE_URL"),
        max_retries=0,
        session=recording_session(seen),
    )
    with pytest.raises(statusapp.APIError):
        client.monitors.get("mon_anything")
    assert len(seen) == 1


class DroppingServer:
    """A loopback server that accepts each connection and closes it without answering
    (or, with `hold`, keeps it open without answering); it counts the connections."""

    def __init__(self, hold: bool = False) -> None:
        self.connections = 0
        self.held = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.running = True
        self.hold = hold
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            if self.hold:
                self.held.append(connection)
            else:
                connection.recv(65536)
                connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        for connection in self.held:
            connection.close()
        self.listener.close()


@pytest.fixture
def dropping_server():
    server = DroppingServer()
    yield server
    server.close()


def test_a_read_is_retried_after_a_dropped_connection(dropping_server):
    client = statusapp.Client(api_key="sk_live_x", base_url=dropping_server.url, max_retries=2)
    with pytest.raises(statusapp.APIConnectionError):
        client.monitors.list()
    assert dropping_server.connections == 3


def test_a_write_is_never_retried_after_a_dropped_connection(dropping_server):
    client = statusapp.Client(api_key="sk_live_x", base_url=dropping_server.url, max_retries=2)
    with pytest.raises(statusapp.APIConnectionError):
        client.monitors.create(name="maybe created", type="http", url="https://example.com")
    with pytest.raises(statusapp.APIConnectionError):
        client.monitors.delete("mon_maybe_deleted")
    assert dropping_server.connections == 2  # once each


def test_a_silent_server_times_out():
    server = DroppingServer(hold=True)
    try:
        client = statusapp.Client(api_key="sk_live_x", base_url=server.url, timeout=0.5, max_retries=0)
        started = time.monotonic()
        with pytest.raises(statusapp.APIConnectionError, match="timed out"):
            client.monitors.list()
        assert 0.5 <= time.monotonic() - started < 3
    finally:
        server.close()


def test_nothing_listening_is_a_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    client = statusapp.Client(api_key="sk_live_x", base_url=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(statusapp.APIConnectionError):
        client.monitors.list()

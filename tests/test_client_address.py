"""Behind TLS-ending proxies every request comes from the proxy's address: the throttles count
the client's address from X-Forwarded-For, through STATUSAPP_TRUSTED_PROXIES hops only."""

import secrets

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts import login_throttle
from accounts.client_address import client_address
from apikeys import guessing
from statuspages import public_views
from statuspages.services import status_page_create

PROXY = "10.0.0.2"
PASSWORD = "a long enough pass-phrase 7"
BAD_KEY = "sk_live_aaaaaaaaaaaa_" + "A" * 43


def request_from(remote_addr: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.STATUSAPP_TRUSTED_PROXIES = 0
    assert client_address(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),  # what the proxy saw
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the client's own entry comes first
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.1", "203.0.113.9"),  # two proxies: the outer one's entry
        (1, " 2001:db8::1 ", "2001:db8::1"),
        (2, "203.0.113.9", PROXY),  # not through both proxies: only the peer is known
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
    ],
)
def test_the_address_the_outermost_trusted_proxy_saw(settings, hops, forwarded, expected):
    settings.STATUSAPP_TRUSTED_PROXIES = hops
    assert client_address(request_from(PROXY, forwarded)) == expected


def test_a_request_without_the_header_is_its_peer(settings):
    settings.STATUSAPP_TRUSTED_PROXIES = 1
    assert client_address(request_from(PROXY)) == PROXY


def client_ip() -> str:
    return f"203.0.{secrets.randbelow(256)}.{secrets.randbelow(256)}"


def login(client, username: str, forwarded: str):
    return client.post(
        "/login", {"username": username, "password": "wrong"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


def noisy_logins(client, forwarded: str) -> None:
    for number in range(login_throttle.MAX_PER_ADDRESS):
        login(client, f"guess{number}-{secrets.token_hex(3)}", forwarded)


def refused(client, username: str, forwarded: str) -> bool:
    response = client.post(
        "/login", {"username": username, "password": PASSWORD}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )
    return login_throttle.REFUSED in response.content.decode()


@pytest.fixture
def ada(db):
    return get_user_model().objects.create_user(f"ada{secrets.token_hex(4)}", password=PASSWORD)


def test_two_clients_behind_the_proxy_are_throttled_apart(client, ada, settings):
    settings.STATUSAPP_TRUSTED_PROXIES = 1
    noisy, quiet = client_ip(), client_ip()
    noisy_logins(client, noisy)
    assert refused(client, ada.username, noisy)
    assert not refused(client, ada.username, quiet)
    assert "_auth_user_id" in client.session


def test_without_the_setting_a_spoofed_header_does_not_escape_the_lockout(client, ada, settings):
    settings.STATUSAPP_TRUSTED_PROXIES = 0
    for number in range(login_throttle.MAX_PER_ADDRESS):
        login(client, f"guess{number}-{secrets.token_hex(3)}", client_ip())  # a new "address" each time
    assert refused(client, ada.username, client_ip())


def test_with_one_hop_a_client_cannot_choose_its_address(client, ada, settings):
    settings.STATUSAPP_TRUSTED_PROXIES = 1
    real = client_ip()
    for number in range(login_throttle.MAX_PER_ADDRESS):
        login(client, f"guess{number}-{secrets.token_hex(3)}", f"{client_ip()}, {real}")  # the proxy appends
    assert refused(client, ada.username, f"{client_ip()}, {real}")
    assert refused(client, ada.username, real)


def test_subscriptions_behind_the_proxy_are_counted_per_client(client, org, settings):
    settings.STATUSAPP_TRUSTED_PROXIES = 1
    status_page_create(organization=org, name="P", slug="p")
    noisy, quiet = client_ip(), client_ip()

    def subscribe(forwarded: str, email: str) -> int:
        return client.post(
            "/status/p/subscribe", {"email": email}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    for n in range(public_views.SUBSCRIBE_LIMIT):
        assert subscribe(noisy, f"n{n}@example.com") == 200
    assert subscribe(noisy, "late@example.com") == 429
    assert subscribe(f"{client_ip()}, {noisy}", "spoof@example.com") == 429
    assert subscribe(quiet, "quiet@example.com") == 200


def test_invalid_api_keys_behind_the_proxy_are_counted_per_client(make_client, org, settings):
    settings.STATUSAPP_TRUSTED_PROXIES = 1
    good = make_client(org, "read")
    noisy, quiet = client_ip(), client_ip()

    def call(key: str, forwarded: str) -> int:
        return (
            APIClient()
            .get("/api/monitors", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
            .status_code
        )

    for _ in range(guessing.MAX_FAILURES):
        assert call(BAD_KEY, noisy) == 401
    assert call(BAD_KEY, noisy) == 429
    assert call(BAD_KEY, f"{client_ip()}, {noisy}") == 429
    assert call(good.raw_key, quiet) == 200
    assert call(BAD_KEY, quiet) == 401

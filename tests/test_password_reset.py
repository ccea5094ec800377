"""Password-reset emails: their link comes from STATUSAPP_BASE_URL, never from the request's
Host, and the form sends only so many of them, to one address and from one client."""

import re
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounts import password_reset

BASE_URL = "https://status.example.org"


@pytest.fixture
def ada(db, settings):
    settings.STATUSAPP_BASE_URL = BASE_URL
    email = f"ada-{secrets.token_hex(4)}@example.com"  # counts live in Redis, which outlives a test
    return get_user_model().objects.create_user(f"ada{secrets.token_hex(4)}", email=email, password="x" * 20)


def client_ip() -> str:
    return f"198.51.{secrets.randbelow(256)}.{secrets.randbelow(256)}"


def reset(client, email: str, address: str, **headers):
    return client.post("/account/reset", {"email": email}, REMOTE_ADDR=address, **headers)


def test_the_link_uses_the_base_url_whatever_the_host(client, ada, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]
    response = reset(client, ada.email, client_ip(), HTTP_HOST="evil.example")
    assert response.status_code == 302
    [message] = mail.outbox
    assert "evil.example" not in message.body
    links = re.findall(r"\S+/account/reset/\S+", message.body)
    assert len(links) == 1 and links[0].startswith(f"{BASE_URL}/account/reset/")
    # The link works where it points.
    form = client.get(links[0].removeprefix(BASE_URL), follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()


def test_an_address_gets_a_few_emails_an_hour_and_the_same_answer_after(client, ada):
    answers = {reset(client, ada.email, client_ip())["Location"] for _ in range(12)}
    assert answers == {"/account/reset/sent"}
    assert len(mail.outbox) == password_reset.MAX_PER_EMAIL
    assert all(message.to == [ada.email] for message in mail.outbox)


def test_one_client_can_ask_only_so_often_whatever_the_address(client, ada, db):
    address = client_ip()
    for number in range(password_reset.MAX_PER_CLIENT):
        assert reset(client, f"nobody{number}@example.com", address).status_code == 302
    refused = reset(client, ada.email, address)
    assert refused.status_code == 302 and refused["Location"] == "/account/reset/sent"
    assert mail.outbox == []
    assert reset(client, ada.email, client_ip()).status_code == 302  # another client may
    assert len(mail.outbox) == 1


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, db):
    response = reset(client, "nobody@example.com", client_ip())
    assert response.status_code == 302 and response["Location"] == "/account/reset/sent"
    assert mail.outbox == []


def test_a_bad_address_is_a_form_error_and_not_counted(client, ada):
    address = client_ip()
    for _ in range(password_reset.MAX_PER_CLIENT + 2):
        assert reset(client, "not an address", address).status_code == 200
    assert reset(client, ada.email, address).status_code == 302
    assert len(mail.outbox) == 1

"""Guessing a private status page's password: a few wrong guesses per address per page, a cap
per page, and once throttled a guess is refused (429, Retry-After) before any hash is computed."""

import time

import pytest
from django.contrib.auth.hashers import check_password

from statuspages import access
from statuspages.settings_fields import password_hash

from .factories import StatusPageFactory

PASSWORD = "correct horse battery"


@pytest.fixture
def private_page(org):
    return StatusPageFactory(organization=org, is_public=False, password_hash=password_hash(PASSWORD))


def guess(client, page, password: str, address: str = "192.0.2.1"):
    return client.post(f"/status/{page.slug}/", {"password": password}, REMOTE_ADDR=address)


def test_wrong_guesses_past_the_limit_are_refused_the_right_password_too(client, private_page):
    for _ in range(access.MAX_GUESSES_PER_ADDRESS):
        wrong = guess(client, private_page, "wrong")
        assert wrong.status_code == 401 and b"That password is not right." in wrong.content

    refused = guess(client, private_page, "still wrong")
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(access.GUESS_WINDOW)
    assert refused["Cache-Control"] == "no-store"
    assert b"Too many wrong passwords" in refused.content
    # Refused unchecked: the right password gets the same answer and no cookie.
    right = guess(client, private_page, PASSWORD)
    assert right.status_code == 429
    assert access.cookie_name(private_page) not in right.cookies
    assert client.get(f"/status/{private_page.slug}/").status_code == 401


def test_a_refused_guess_costs_no_hash(client, private_page):
    for _ in range(access.MAX_GUESSES_PER_ADDRESS):
        guess(client, private_page, "wrong")
    started = time.perf_counter()
    check_password("wrong", private_page.password_hash)
    one_hash = time.perf_counter() - started

    started = time.perf_counter()
    for _ in range(5):
        assert guess(client, private_page, "wrong").status_code == 429
    # Five refusals take less than one PBKDF2 hash: none of them computed one.
    assert time.perf_counter() - started < one_hash


def test_other_addresses_and_other_pages_are_not_affected(client, org, private_page):
    other_page = StatusPageFactory(organization=org, is_public=False, password_hash=password_hash(PASSWORD))
    for _ in range(access.MAX_GUESSES_PER_ADDRESS):
        guess(client, private_page, "wrong", "192.0.2.1")
    assert guess(client, private_page, PASSWORD, "192.0.2.1").status_code == 429

    assert guess(client, private_page, PASSWORD, "192.0.2.2").status_code == 302
    assert guess(client, other_page, PASSWORD, "192.0.2.1").status_code == 302


def test_a_visitor_let_in_before_stays_in_while_guessers_are_refused(client, private_page):
    assert guess(client, private_page, PASSWORD).status_code == 302
    for _ in range(access.MAX_GUESSES_PER_ADDRESS + 1):
        guess(client.__class__(), private_page, "wrong")
    assert client.get(f"/status/{private_page.slug}/").status_code == 200


def test_the_page_cap_holds_against_many_addresses(client, private_page, monkeypatch):
    monkeypatch.setattr(access, "MAX_GUESSES_PER_PAGE", 3)
    for number in range(3):
        assert guess(client, private_page, "wrong", f"198.51.100.{number}").status_code == 401
    refused = guess(client, private_page, PASSWORD, "198.51.100.200")
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(access.PAGE_GUESS_WINDOW)


def test_guessing_may_resume_when_the_window_ends(client, private_page, monkeypatch):
    # One guess a window of 5 s: long enough for a wrong guess's hash on a busy machine.
    monkeypatch.setattr(access, "MAX_GUESSES_PER_ADDRESS", 1)
    monkeypatch.setattr(access, "GUESS_WINDOW", 5)
    window_starts = time.monotonic()
    assert guess(client, private_page, "wrong").status_code == 401
    assert guess(client, private_page, PASSWORD).status_code == 429
    assert time.monotonic() - window_starts < 5, "the machine is too slow for this test's window"
    time.sleep(max(0.0, window_starts + 6.5 - time.monotonic()))
    assert guess(client, private_page, PASSWORD).status_code == 302


def test_the_right_password_before_the_limit_still_lets_in(client, private_page):
    for _ in range(access.MAX_GUESSES_PER_ADDRESS - 1):
        guess(client, private_page, "wrong")
    assert guess(client, private_page, PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_each_client_is_counted_by_its_own_address(client, private_page, settings):
    settings.STATUSAPP_TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"
    for _ in range(access.MAX_GUESSES_PER_ADDRESS):
        client.post(
            f"/status/{private_page.slug}/",
            {"password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    guesser = {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client.post(f"/status/{private_page.slug}/", {"password": PASSWORD}, **guesser).status_code == 429
    other = {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.8"}
    assert client.post(f"/status/{private_page.slug}/", {"password": PASSWORD}, **other).status_code == 302

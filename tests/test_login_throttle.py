"""Repeated failed logins lock the username (and a noisy address) out for a while."""

import secrets

import pytest
from django.contrib.auth import get_user_model

from accounts import login_throttle

PASSWORD = "a long enough pass-phrase 7"


@pytest.fixture
def ada(db):
    # Counts live in the cache (Redis in CI), which outlives a test: fresh names each time.
    return get_user_model().objects.create_user(f"ada{secrets.token_hex(4)}", password=PASSWORD)


def address() -> str:
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(256)}"


def login(client, username: str, password: str, address: str = "192.0.2.1"):
    return client.post("/login", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_lock_the_username_even_with_the_right_password(client, ada):
    for _ in range(login_throttle.MAX_PER_USER):
        assert login(client, ada.username, "wrong", address()).status_code == 200
    refused = login(client, ada.username, PASSWORD, address())  # from anywhere
    assert refused.status_code == 200
    assert login_throttle.REFUSED in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_clears_the_count(client, ada):
    for _ in range(login_throttle.MAX_PER_USER - 1):
        login(client, ada.username, "wrong", address())
    assert login(client, ada.username, PASSWORD, address()).status_code == 302
    client.post("/logout")
    for _ in range(login_throttle.MAX_PER_USER - 1):
        login(client, ada.username, "wrong", address())
    assert login(client, ada.username, PASSWORD, address()).status_code == 302


def test_one_address_trying_many_usernames_is_locked_out(client, ada):
    noisy = address()
    for number in range(login_throttle.MAX_PER_ADDRESS):
        login(client, f"guess{number}-{secrets.token_hex(3)}", "wrong", noisy)
    assert login_throttle.REFUSED in login(client, ada.username, PASSWORD, noisy).content.decode()
    assert login(client, ada.username, PASSWORD, address()).status_code == 302


def test_usernames_are_counted_without_case(client, ada):
    for _ in range(login_throttle.MAX_PER_USER):
        login(client, ada.username.upper(), "wrong", address())
    assert login_throttle.REFUSED in login(client, ada.username, PASSWORD, address()).content.decode()


def admin_login(client, username: str, password: str, address: str = "192.0.2.1"):
    return client.post("/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_admin_login_shares_the_dashboard_lockout(client, db):
    boss = get_user_model().objects.create_superuser(f"boss{secrets.token_hex(4)}", password=PASSWORD)
    for _ in range(15):
        assert admin_login(client, boss.username, "wrong", address()).status_code == 200
    refused = admin_login(client, boss.username, PASSWORD, address())
    assert refused.status_code == 200
    assert login_throttle.REFUSED in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert login_throttle.REFUSED in login(client, boss.username, PASSWORD, address()).content.decode()


def test_dashboard_failures_lock_the_admin_login_too(client, db):
    boss = get_user_model().objects.create_superuser(f"boss{secrets.token_hex(4)}", password=PASSWORD)
    for _ in range(login_throttle.MAX_PER_USER):
        login(client, boss.username, "wrong", address())
    assert login_throttle.REFUSED in admin_login(client, boss.username, PASSWORD, address()).content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_still_works_and_still_wants_staff(client, db):
    boss = get_user_model().objects.create_superuser(f"boss{secrets.token_hex(4)}", password=PASSWORD)
    member = get_user_model().objects.create_user(f"member{secrets.token_hex(4)}", password=PASSWORD)
    assert admin_login(client, member.username, PASSWORD, address()).status_code == 200
    assert "_auth_user_id" not in client.session
    response = admin_login(client, boss.username, PASSWORD, address())
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(boss.pk)


def test_a_members_only_page_sends_members_to_the_dashboard_login_and_back(client, org):
    from accounts.models import Membership
    from tests.factories import StatusPageFactory

    page = StatusPageFactory(organization=org, slug=f"private-{secrets.token_hex(3)}", is_public=False)
    member = get_user_model().objects.create_user(f"member{secrets.token_hex(4)}", password=PASSWORD)
    Membership.objects.create(user=member, organization=org)
    page_path = f"/status/{page.slug}/"

    refused = client.get(page_path)
    assert refused.status_code == 403
    link = f'href="/login?next={page_path}"'
    assert link in refused.content.decode()
    assert "/admin/login/" not in refused.content.decode()

    form = client.get(f"/login?next={page_path}")
    assert form.status_code == 200
    logged_in = client.post(
        f"/login?next={page_path}", {"username": member.username, "password": PASSWORD, "next": page_path}
    )
    assert logged_in.status_code == 302
    assert logged_in["Location"] == page_path
    assert client.get(page_path).status_code == 200

"""Dashboard accounts: sign-up, password change and reset, switching organizations."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounts.models import Membership, Organization

from .factories import OrganizationFactory

PASSWORD = "a long enough pass-phrase 7"
NEW_PASSWORD = "another long pass-phrase 8"


@pytest.fixture
def user(db):
    user = get_user_model().objects.create_user("ada", "ada@example.com", PASSWORD)
    Membership.objects.create(user=user, organization=OrganizationFactory(name="First"), role="owner")
    return user


def signup_data(**changes) -> dict:
    data = {
        "organization": "Beta Corp",
        "username": "bea",
        "email": "bea@example.com",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    return data | changes


def test_signup_is_off_unless_allowed(client, user, settings):
    settings.STATUSAPP_ALLOW_SIGNUP = False
    assert client.get("/signup").status_code == 404
    assert client.post("/signup", signup_data()).status_code == 404
    assert not Organization.objects.filter(name="Beta Corp").exists()


def test_signup_creates_an_organization_and_its_owner(client, user, settings):
    settings.STATUSAPP_ALLOW_SIGNUP = True
    assert client.post("/signup", signup_data()).status_code == 302
    membership = Membership.objects.get(user__username="bea")
    assert (membership.role, membership.organization.name) == ("owner", "Beta Corp")


def test_signup_refuses_a_taken_username_and_saves_nothing(client, user, settings):
    settings.STATUSAPP_ALLOW_SIGNUP = True
    response = client.post("/signup", signup_data(username="ADA"))
    assert response.status_code == 200
    assert "This username is taken." in response.content.decode()
    assert not Organization.objects.filter(name="Beta Corp").exists()


def test_password_change(client, user):
    client.force_login(user)
    wrong = client.post(
        "/account/password",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and "incorrectly" in wrong.content.decode()
    right = client.post(
        "/account/password",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert right.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_change_needs_login(client, db):
    assert client.get("/account/password").url.startswith("/login")


def test_password_reset_by_email(client, user):
    assert client.post("/account/reset", {"email": "ada@example.com"}).status_code == 302
    [message] = mail.outbox
    link = re.search(r"https?://[^/]+(/account/reset/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_says_the_same_for_an_unknown_address(client, user):
    assert client.post("/account/reset", {"email": "nobody@example.com"}).status_code == 302
    assert mail.outbox == []


def test_switching_to_an_organization_one_belongs_to(client, user):
    second = OrganizationFactory(name="Second")
    Membership.objects.create(user=user, organization=second, role="viewer")
    client.force_login(user)
    page = client.get("/monitors/").content.decode()
    assert "First · Owner" in page
    assert f'action="/organizations/{second.id}/switch"' in page  # the menu offers the other one

    client.post(f"/organizations/{second.id}/switch")
    assert "Second · Viewer" in client.get("/monitors/").content.decode()


def test_switching_to_someone_elses_organization_is_a_404(client, user):
    client.force_login(user)
    assert client.post(f"/organizations/{OrganizationFactory().id}/switch").status_code == 404
    assert client.get(f"/organizations/{OrganizationFactory().id}/switch").status_code == 404

"""Dashboard: organization settings (name, plan, limits, API usage), members and roles,
invitation links, by role."""

import re
import secrets
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from accounts import invitations
from accounts.models import Invitation, Membership
from accounts.plans import Plan
from alerts.services import channel_create

from .factories import MonitorFactory, OrganizationFactory, StatusPageFactory, WebhookEndpointFactory

PASSWORD = "a long enough pass-phrase 7"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def membership(user, organization) -> Membership:
    return Membership.objects.get(user=user, organization=organization)


def field_error(html: str, element_id: str) -> str:
    """The error text the field `element_id` points to with aria-describedby."""
    tag = re.search(rf'<[^>]*id="{element_id}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag, tag
    error_id = re.search(r'aria-describedby="([^"]*)"', tag).group(1).split()[-1]
    error = html[html.index(f'id="{error_id}"') :]
    return error[error.index(">") + 1 : error.index("</p>")]


def make_invitation(organization, role="member", **fields) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    fields.setdefault("expires_at", timezone.now() + invitations.INVITATION_LIFETIME)
    invitation = Invitation.objects.create(
        organization=organization, role=role, token_hash=invitations.hash_token(token), **fields
    )
    return invitation, token


# --- the organization page ---


def test_anonymous_visitors_are_sent_to_login(client, db):
    assert client.get("/settings/").url.startswith("/login")
    assert client.get("/settings/members").url.startswith("/login")


def test_organization_page_shows_plan_limits_and_counts(client, person, org):
    person(org, "viewer", client)
    MonitorFactory.create_batch(3, organization=org)
    StatusPageFactory(organization=org)
    WebhookEndpointFactory(organization=org)
    channel_create(organization=org, name="Ops", type="email", config={"to": ["ops@example.com"]})
    MonitorFactory(organization=OrganizationFactory())  # someone else's: not counted

    html = client.get("/settings/").content.decode()
    assert "Plan: Professional" in html
    rows = {
        label: (used, limit)
        for label, used, limit in re.findall(r'<th scope="row">([^<]+)</th>\s*<td>(\d+)</td>\s*<td>([^<]+)</td>', html)
    }
    assert rows == {
        "Monitors": ("3", "1000"),
        "Status pages": ("1", "20"),
        "Webhook endpoints": ("1", "50"),
        "Alert channels": ("1", "50"),
    }
    assert "<strong>0 of 10000</strong> requests this hour" in html
    assert "The count starts again at" in html
    # A viewer reads the name but cannot change it.
    assert org.name in html and 'name="name"' not in html


def test_enterprise_without_a_request_limit_shows_unlimited(client, person):
    organization = OrganizationFactory(plan=Plan.ENTERPRISE)
    person(organization, "owner", client)
    html = client.get("/settings/").content.decode()
    assert "Unlimited: this organization's API requests are not counted." in html
    assert html.count("<td>Unlimited</td>") == 4  # monitors, pages, webhook endpoints, alert channels


def test_usage_counts_the_api_requests_of_this_hour(client, person, org, make_client):
    person(org, "viewer", client)
    api = make_client(org, "read")
    for _ in range(3):
        assert api.get("/api/monitors").status_code == 200
    make_client(OrganizationFactory(), "read").get("/api/monitors")  # another organization's request

    assert "<strong>3 of 10000</strong> requests this hour" in client.get("/settings/").content.decode()
    # The page only reads the counter: loading it again counts nothing.
    assert "<strong>3 of 10000</strong>" in client.get("/settings/").content.decode()


def test_owner_renames_the_organization(client, person, org):
    person(org, "owner", client)
    assert 'name="name"' in client.get("/settings/").content.decode()
    response = client.post("/settings/", {"name": "  Acme Corp  "})
    assert response.status_code == 302 and response.url == "/settings/"
    org.refresh_from_db()
    assert org.name == "Acme Corp"
    assert "Organization renamed." in client.get("/settings/").content.decode()


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "This field is required."), ("x" * 201, "Ensure this value has at most 200 characters")],
)
def test_bad_name_shows_the_error_next_to_the_field_and_saves_nothing(client, person, org, name, message):
    person(org, "owner", client)
    before = org.name
    response = client.post("/settings/", {"name": name})
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), "id_name")
    org.refresh_from_db()
    assert org.name == before


@pytest.mark.parametrize("role", ["admin", "member", "viewer"])
def test_only_the_owner_renames(client, person, org, role):
    person(org, role, client)
    before = org.name
    assert client.post("/settings/", {"name": "Taken over"}).status_code == 403
    org.refresh_from_db()
    assert org.name == before


# --- members ---


def test_members_page_lists_members_with_roles_for_everyone(client, person, org, other_org):
    owner = person(org, "owner")
    person(other_org, "admin")  # not listed
    viewer = person(org, "viewer", client)
    html = client.get("/settings/members").content.decode()
    assert owner.username in html and viewer.username in html and "Owner" in html
    assert "admin-" not in html
    # A viewer sees no role forms, no remove links, no invitations.
    assert "<select" not in html and "Remove" not in html and "Invite someone" not in html


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_member_and_viewer_cannot_change_roles_remove_or_invite(client, person, org, role):
    person(org, role, client)
    target = membership(person(org, "viewer"), org)
    invitation, _token = make_invitation(org)
    assert client.post(f"/settings/members/{target.pk}/role", {"role": "admin"}).status_code == 403
    assert client.get(f"/settings/members/{target.pk}/remove").status_code == 403
    assert client.post(f"/settings/members/{target.pk}/remove").status_code == 403
    assert client.post("/settings/invitations", {"role": "viewer"}).status_code == 403
    assert client.post(f"/settings/invitations/{invitation.pk}/revoke").status_code == 403
    target.refresh_from_db()
    assert target.role == "viewer"
    assert Invitation.objects.count() == 1


def test_admin_changes_roles_up_to_their_own(client, person, org):
    person(org, "admin", client)
    target = membership(person(org, "viewer"), org)
    html = client.get("/settings/members").content.decode()
    assert f'id="role-{target.pk}"' in html and 'value="owner"' not in html  # owner is not offered

    response = client.post(f"/settings/members/{target.pk}/role", {"role": "admin"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == "admin"
    assert "is now admin" in client.get("/settings/members").content.decode()


def test_admin_cannot_make_anyone_owner_nor_touch_an_owner(client, person, org):
    person(org, "admin", client)
    target = membership(person(org, "member"), org)
    owner = membership(person(org, "owner"), org)
    assert client.post(f"/settings/members/{target.pk}/role", {"role": "owner"}).status_code == 403
    assert client.post(f"/settings/members/{owner.pk}/role", {"role": "viewer"}).status_code == 403
    assert client.post(f"/settings/members/{owner.pk}/remove").status_code == 403
    target.refresh_from_db()
    owner.refresh_from_db()
    assert (target.role, owner.role) == ("member", "owner")
    assert f'id="role-{owner.pk}"' not in client.get("/settings/members").content.decode()


def test_an_unknown_role_is_an_error_next_to_the_select(client, person, org):
    person(org, "owner", client)
    target = membership(person(org, "member"), org)
    response = client.post(f"/settings/members/{target.pk}/role", {"role": "superuser"})
    assert response.status_code == 400
    assert "Select a valid role." in field_error(response.content.decode(), f"role-{target.pk}")
    target.refresh_from_db()
    assert target.role == "member"


def test_the_last_owner_cannot_be_demoted_or_removed(client, person, org):
    me = membership(person(org, "owner", client), org)
    response = client.post(f"/settings/members/{me.pk}/role", {"role": "admin"})
    assert response.status_code == 400
    assert "needs an owner" in field_error(response.content.decode(), f"role-{me.pk}")
    response = client.post(f"/settings/members/{me.pk}/remove")
    assert response.status_code == 400 and "needs an owner" in response.content.decode()
    me.refresh_from_db()
    assert me.role == "owner"

    # With a second owner, either may step down.
    other = membership(person(org, "owner"), org)
    assert client.post(f"/settings/members/{other.pk}/role", {"role": "admin"}).status_code == 302
    other.refresh_from_db()
    assert other.role == "admin"


def test_admin_removes_a_member_after_confirming(client, person, org):
    person(org, "admin", client)
    target = membership(person(org, "member"), org)
    page = client.get(f"/settings/members/{target.pk}/remove")
    assert page.status_code == 200 and target.user.username in page.content.decode()
    assert Membership.objects.filter(pk=target.pk).exists()  # a GET removes nothing

    response = client.post(f"/settings/members/{target.pk}/remove")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert get_user_model().objects.filter(pk=target.user_id).exists()  # the account stays


def test_nobody_removes_themselves(client, person, org):
    me = membership(person(org, "admin", client), org)
    response = client.post(f"/settings/members/{me.pk}/remove")
    assert response.status_code == 400 and "You cannot remove yourself" in response.content.decode()
    assert Membership.objects.filter(pk=me.pk).exists()


def test_another_organizations_member_or_invitation_is_a_404(client, person, org, other_org):
    person(org, "owner", client)
    theirs = membership(person(other_org, "member"), other_org)
    invitation, _token = make_invitation(other_org)
    assert client.post(f"/settings/members/{theirs.pk}/role", {"role": "viewer"}).status_code == 404
    assert client.get(f"/settings/members/{theirs.pk}/remove").status_code == 404
    assert client.post(f"/settings/members/{theirs.pk}/remove").status_code == 404
    assert client.post(f"/settings/invitations/{invitation.pk}/revoke").status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == "member" and Invitation.objects.filter(pk=invitation.pk).exists()


# --- invitations ---


def test_admin_creates_an_invitation_link_stored_only_as_a_hash(client, person, org):
    admin = person(org, "admin", client)
    response = client.post("/settings/invitations", {"email": "new@example.com", "role": "member"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    link = re.search(r'value="(http://testserver/settings/invitations/[^"]+)"', html).group(1)
    token = link.rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert (invitation.organization, invitation.role, invitation.email) == (org, "member", "new@example.com")
    assert invitation.created_by == admin and invitation.accepted_at is None
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert (
        len(token) >= 40
        and token not in invitation.token_hash
        and invitation.token_hash == invitations.hash_token(token)
    )

    members = client.get("/settings/members").content.decode()
    assert "new@example.com" in members and token not in members


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email", "role": "member"}, "id_email", "Enter a valid email address."),
        ({"role": "owner"}, "id_role", "Select a valid choice."),  # above an admin's own role
        ({"role": ""}, "id_role", "This field is required."),
    ],
)
def test_bad_invitation_forms_show_errors_next_to_fields_and_save_nothing(client, person, org, data, field, message):
    person(org, "admin", client)
    response = client.post("/settings/invitations", data)
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field)
    assert not Invitation.objects.exists()


def test_owner_may_invite_an_owner(client, person, org):
    person(org, "owner", client)
    assert client.post("/settings/invitations", {"role": "owner"}).status_code == 200
    assert Invitation.objects.get().role == "owner"


def test_signed_in_person_accepts_once(client, person, org, other_org):
    invitation, token = make_invitation(org, role="admin")
    newcomer = person(other_org, "owner", client)
    page = client.get(f"/settings/invitations/{token}")
    assert page.status_code == 200 and f"Join {org.name}" in page.content.decode()
    assert not Membership.objects.filter(user=newcomer, organization=org).exists()  # a GET joins nobody

    response = client.post(f"/settings/invitations/{token}")
    assert response.status_code == 302
    assert membership(newcomer, org).role == "admin"
    assert client.session["organization_id"] == org.id  # they land in the organization they joined
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == newcomer

    # The second use fails, whoever tries.
    second = Client()
    second.force_login(person(other_org, "member"))
    response = second.post(f"/settings/invitations/{token}")
    assert response.status_code == 410 and "already been used" in response.content.decode()
    assert second.get(f"/settings/invitations/{token}").status_code == 410
    assert Membership.objects.filter(organization=org).count() == 1


def test_a_member_cannot_use_an_invitation_to_their_own_organization(client, person, org):
    me = person(org, "viewer", client)
    invitation, token = make_invitation(org, role="admin")
    assert "already a member" in client.get(f"/settings/invitations/{token}").content.decode()
    response = client.post(f"/settings/invitations/{token}")
    assert response.status_code == 400 and "already a member" in response.content.decode()
    assert membership(me, org).role == "viewer"
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_visitor_creates_an_account_and_joins(client, org):
    _invitation, token = make_invitation(org, role="viewer", email="new@example.com")
    page = client.get(f"/settings/invitations/{token}").content.decode()
    assert 'value="new@example.com"' in page and f"/login?next=/settings/invitations/{token}" in page

    response = client.post(
        f"/settings/invitations/{token}",
        {"username": "newbie", "email": "new@example.com", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newbie")
    assert membership(user, org).role == "viewer"
    assert client.get("/settings/members").status_code == 200  # signed in, in the organization


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password_again", "something else 123", "The two passwords differ."),
        ("password", "short", "This password is too short"),
        ("email", "nope", "Enter a valid email address."),
        ("username", "taken", "This username is taken."),
    ],
)
def test_visitor_form_errors_are_next_to_fields_and_nothing_is_saved(client, org, field, value, message):
    get_user_model().objects.create_user("taken", password=PASSWORD)
    invitation, token = make_invitation(org)
    data = {"username": "newbie", "email": "new@example.com", "password": PASSWORD, "password_again": PASSWORD}
    data[field] = value
    response = client.post(f"/settings/invitations/{token}", data)
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), f"id_{field}")
    assert not get_user_model().objects.filter(username="newbie").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_expired_unknown_and_revoked_links_say_so(client, person, org):
    _expired, expired_token = make_invitation(org, expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(f"/settings/invitations/{expired_token}")
    assert response.status_code == 410 and "This invitation has expired." in response.content.decode()
    data = {"username": "late", "email": "late@example.com", "password": PASSWORD, "password_again": PASSWORD}
    assert client.post(f"/settings/invitations/{expired_token}", data).status_code == 410
    assert not get_user_model().objects.filter(username="late").exists()

    response = client.get("/settings/invitations/not-a-real-token")
    assert response.status_code == 404 and "This invitation link is not valid" in response.content.decode()
    assert client.get(f"/settings/invitations/{'x' * 500}").status_code == 404

    admin = Client()
    person(org, "admin", admin)
    revoked, revoked_token = make_invitation(org)
    assert admin.post(f"/settings/invitations/{revoked.pk}/revoke").status_code == 302
    assert not Invitation.objects.filter(pk=revoked.pk).exists()
    assert client.get(f"/settings/invitations/{revoked_token}").status_code == 404


def test_an_invitation_expiring_between_page_and_submit_fails(person, org, other_org):
    invitation, _token = make_invitation(org)
    user = person(other_org, "member")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(invitations.InvitationUnusable, match="expired"):
        invitations.invitation_accept(invitation=invitation, user=user)
    assert not Membership.objects.filter(user=user, organization=org).exists()


# --- CSRF ---


def test_forms_need_the_csrf_token(person, org, other_org):
    client = Client(enforce_csrf_checks=True)
    person(org, "owner", client)
    target = membership(person(org, "member"), org)
    invitation, token = make_invitation(org)
    assert client.post("/settings/", {"name": "X"}).status_code == 403
    assert client.post(f"/settings/members/{target.pk}/role", {"role": "viewer"}).status_code == 403
    assert client.post(f"/settings/members/{target.pk}/remove").status_code == 403
    assert client.post("/settings/invitations", {"role": "member"}).status_code == 403
    assert client.post(f"/settings/invitations/{invitation.pk}/revoke").status_code == 403

    visitor = Client(enforce_csrf_checks=True)
    data = {"username": "newbie", "email": "new@example.com", "password": PASSWORD, "password_again": PASSWORD}
    assert visitor.post(f"/settings/invitations/{token}", data).status_code == 403
    joiner = Client(enforce_csrf_checks=True)
    person(other_org, "member", joiner)
    assert joiner.post(f"/settings/invitations/{token}").status_code == 403

    target.refresh_from_db()
    assert target.role == "member" and Invitation.objects.filter(pk=invitation.pk, accepted_at=None).exists()
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_organization_page_shows_the_slug_createapikey_takes(client, person, org):
    person(org, "viewer", client)

    html = client.get("/settings/").content.decode()

    assert f'<code id="organization-slug">{org.slug}</code>' in html

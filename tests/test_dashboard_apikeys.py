"""Dashboard: API keys (admins only): the list, creation showing the raw key once, revocation."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.services import api_key_create


@pytest.fixture
def admin_client(client, person, org):
    client.user = person(org, "admin", client)
    return client


def field_error(html: str, field: str) -> str:
    assert f'id="e-{field}"' in html, html[:3000]
    error = html[html.index(f'id="e-{field}"') :]
    return error[: error.index("</p>")]


def test_list_shows_own_keys_with_prefix_permission_dates_and_state_never_a_hash(admin_client, org, other_org):
    active, _ = api_key_create(organization=org, name="CI deploy", permission="write")
    ApiKey.objects.filter(pk=active.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    revoked, _ = api_key_create(organization=org, name="Old laptop", permission="admin")
    ApiKey.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    expiring, _ = api_key_create(
        organization=org, name="Contractor", permission="read", expires_at=datetime(2099, 1, 31, tzinfo=UTC)
    )
    expired, _ = api_key_create(organization=org, name="Trial", permission="read")
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    theirs, _ = api_key_create(organization=other_org, name="Someone else", permission="admin")

    response = admin_client.get("/api-keys/")

    assert response.status_code == 200
    html = response.content.decode()
    rows = {row.split('"', 1)[0]: row for row in html.split('data-key="')[1:]}
    assert set(rows) == {active.id, revoked.id, expiring.id, expired.id}
    assert "CI deploy" in rows[active.id] and f"{active.prefix}…" in rows[active.id]
    assert "Write" in rows[active.id] and "5\xa0minutes ago" in rows[active.id]
    assert 'class="badge UP">Active' in rows[active.id] and "Revoke" in rows[active.id]
    assert 'class="badge DOWN">Revoked' in rows[revoked.id] and "Revoke</a>" not in rows[revoked.id]
    assert "Jan 31, 2099" in rows[expiring.id]
    assert 'class="badge PAUSED">Expired' in rows[expired.id]
    assert "Someone else" not in html
    for key in ApiKey.objects.all():
        assert key.key_hash not in html


def test_admin_creates_a_key_sees_it_once_and_it_works_against_the_api(admin_client, org):
    response = admin_client.post("/api-keys/new", {"name": "Grafana", "permission": "read"})

    assert response.status_code == 200
    key = ApiKey.objects.get(organization=org)
    assert (key.name, key.permission, key.expires_at, key.created_by) == ("Grafana", "read", None, admin_client.user)
    html = response.content.decode()
    raw_key = html.split('id="secret"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert raw_key.startswith(key.prefix + "_")
    assert "data-copyable" in html and "dashboard/copy.js" in html
    assert "no-store" in response["Cache-Control"]
    assert key.key_hash not in html

    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert api.get("/api/monitors").status_code == 200

    later = admin_client.get("/api-keys/").content.decode()
    assert raw_key not in later and key.prefix in later
    assert raw_key not in admin_client.get(f"/api-keys/{key.id}/revoke").content.decode()


def test_an_expiry_date_means_midnight_utc_that_day(admin_client, org):
    day = (timezone.now() + timedelta(days=30)).date()

    response = admin_client.post("/api-keys/new", {"name": "Temp", "permission": "write", "expiresAt": day.isoformat()})

    assert response.status_code == 200
    key = ApiKey.objects.get(organization=org)
    assert key.expires_at == datetime(day.year, day.month, day.day, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "permission": "read"}, "name", "This field may not be blank."),
        ({"name": "x" * 101, "permission": "read"}, "name", "no more than 100 characters"),
        ({"name": "CI", "permission": "root"}, "permission", "is not a valid choice."),
        ({"name": "CI"}, "permission", "This field is required."),
        ({"name": "CI", "permission": "read", "expiresAt": "2020-01-01"}, "expiresAt", "Must be in the future."),
        ({"name": "CI", "permission": "read", "expiresAt": "tomorrow"}, "expiresAt", "Datetime has wrong format."),
    ],
)
def test_bad_forms_show_the_api_message_next_to_the_field_and_save_nothing(admin_client, data, field, message):
    response = admin_client.post("/api-keys/new", data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in field_error(html, field)
    assert 'aria-invalid="true"' in html and f"e-{field}" in html.split('aria-describedby="', 1)[1].split('"', 1)[0]
    assert not ApiKey.objects.exists()
    assert "sk_live_" not in html.split("<main", 1)[1].replace("sk_live_…", "")


def test_revoke_asks_first_then_the_key_stops_working(admin_client, org):
    key, raw_key = api_key_create(organization=org, name="Deploy bot", permission="admin")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert api.get("/api/monitors").status_code == 200  # and kept by this process

    confirm = admin_client.get(f"/api-keys/{key.id}/revoke")
    assert confirm.status_code == 200 and b"cannot be undone" in confirm.content
    key.refresh_from_db()
    assert key.revoked_at is None

    response = admin_client.post(f"/api-keys/{key.id}/revoke")

    assert response.status_code == 302 and response.url == "/api-keys/"
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api.get("/api/monitors").status_code == 401
    assert "revoked." in admin_client.get("/api-keys/").content.decode()
    # A revoked key has nothing left to revoke.
    assert admin_client.get(f"/api-keys/{key.id}/revoke").url == "/api-keys/"


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_below_admin_gets_403_on_every_page_and_action(client, person, org, role):
    person(org, role, client)
    key, _ = api_key_create(organization=org, name="Deploy bot", permission="admin")

    assert client.get("/api-keys/").status_code == 403
    assert client.get("/api-keys/new").status_code == 403
    assert client.post("/api-keys/new", {"name": "Mine", "permission": "admin"}).status_code == 403
    assert client.get(f"/api-keys/{key.id}/revoke").status_code == 403
    assert client.post(f"/api-keys/{key.id}/revoke").status_code == 403

    assert list(ApiKey.objects.values_list("id", "revoked_at")) == [(key.id, None)]


def test_another_organizations_key_is_a_404_and_stays_usable(admin_client, other_org):
    theirs, raw_key = api_key_create(organization=other_org, name="Theirs", permission="read")

    assert admin_client.get(f"/api-keys/{theirs.id}/revoke").status_code == 404
    assert admin_client.post(f"/api-keys/{theirs.id}/revoke").status_code == 404

    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}").get("/api/monitors").status_code == 200


def test_forms_need_the_csrf_token(person, org):
    client = Client(enforce_csrf_checks=True)
    person(org, "admin", client)
    key, _ = api_key_create(organization=org, name="Deploy bot", permission="admin")

    assert client.post("/api-keys/new", {"name": "Sneaky", "permission": "admin"}).status_code == 403
    assert client.post(f"/api-keys/{key.id}/revoke").status_code == 403

    assert list(ApiKey.objects.values_list("name", "revoked_at")) == [("Deploy bot", None)]

"""API keys over the API (/api/api-keys, admin only) and the createapikey command."""

import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organization
from accounts.plans import Plan
from apikeys.models import ApiKey
from apikeys.services import api_key_revoke
from monitors.models import Monitor

pytestmark = pytest.mark.django_db

SEED_MONITOR = {
    "name": "API Health Check",
    "type": "http",
    "url": "https://api.example.com/health",
    "interval": 60,
    "timeout": 10,
}


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) >= {"code", "message", "details"}
    return error


def bearer(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def key_snapshot() -> list[dict]:
    # last_used_at is the one column a request by any key may legitimately touch.
    columns = [f.attname for f in ApiKey._meta.concrete_fields if f.name != "last_used_at"]
    return list(ApiKey.objects.order_by("pk").values(*columns))


def secret_part(raw_key: str) -> str:
    return raw_key.rsplit("_", 1)[1]


# --- create ---


def test_admin_create_returns_201_with_raw_key_shown_once(admin, org):
    response = admin.post("/api/api-keys", {"name": "ci", "permission": "write"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("key_")
    assert body["name"] == "ci"
    assert body["permission"] == "write"
    assert body["key"].startswith("sk_live_")
    assert body["key"].startswith(body["prefix"])
    assert body["key"] != body["prefix"]
    assert body["expiresAt"] is None
    assert body["revokedAt"] is None
    stored = ApiKey.objects.get(pk=body["id"])
    assert stored.organization == org
    assert stored.permission == "write"
    assert stored.name == "ci"


def test_created_key_works_for_a_write_request_right_away(admin, org):
    raw_key = admin.post("/api/api-keys", {"name": "ci", "permission": "write"}, format="json").json()["key"]

    response = bearer(raw_key).post("/api/monitors", SEED_MONITOR, format="json")

    assert response.status_code == 201, response.content
    assert Monitor.objects.get(pk=response.json()["id"]).organization == org


def test_created_key_has_its_permission_level(admin):
    raw_key = admin.post("/api/api-keys", {"name": "ci", "permission": "read"}, format="json").json()["key"]

    client = bearer(raw_key)
    assert client.get("/api/monitors").status_code == 200
    assert_error(client.post("/api/monitors", SEED_MONITOR, format="json"), 403, "forbidden")
    assert not Monitor.objects.exists()


def test_create_with_future_expiry_is_stored(admin):
    expires = (timezone.now() + timedelta(days=30)).replace(microsecond=0)

    response = admin.post(
        "/api/api-keys",
        {"name": "temp", "permission": "read", "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["expiresAt"] == expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ApiKey.objects.get(pk=response.json()["id"]).expires_at == expires
    assert bearer(response.json()["key"]).get("/api/monitors").status_code == 200


def test_create_with_expiry_in_the_past_is_400_and_stores_nothing(admin, org):
    before = ApiKey.objects.filter(organization=org).count()
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    response = admin.post("/api/api-keys", {"name": "old", "permission": "read", "expiresAt": past}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "expiresAt" in error["fields"]
    assert ApiKey.objects.filter(organization=org).count() == before


@pytest.mark.parametrize("permission", ["owner", "ADMIN", "", None, 3])
def test_create_with_bad_permission_is_400_and_stores_nothing(admin, org, permission):
    before = ApiKey.objects.filter(organization=org).count()

    response = admin.post("/api/api-keys", {"name": "ci", "permission": permission}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "permission" in error["fields"]
    assert ApiKey.objects.filter(organization=org).count() == before


@pytest.mark.parametrize(
    "body",
    [
        {"permission": "read"},
        {"name": "ci"},
        {"name": "ci", "permission": "read", "key": "sk_live_chosen"},
        {"name": "ci", "permission": "read", "prefix": "sk_live_x"},
        {"name": "ci", "permission": "read", "lastUsedAt": "2024-01-01T00:00:00Z"},
        {"name": "ci", "permission": "read", "organization": "org_x"},
    ],
    ids=["no-name", "no-permission", "key", "prefix", "lastUsedAt", "organization"],
)
def test_create_with_missing_read_only_or_unknown_field_is_400(admin, org, body):
    before = ApiKey.objects.filter(organization=org).count()

    assert_error(admin.post("/api/api-keys", body, format="json"), 400, "invalid_request")
    assert ApiKey.objects.filter(organization=org).count() == before


# --- storage and listing ---


def test_stored_row_holds_a_peppered_hash_not_the_raw_key(admin):
    raw_key = admin.post("/api/api-keys", {"name": "ci", "permission": "write"}, format="json").json()["key"]
    key_id = raw_key.removeprefix("sk_live_").split("_")[0]
    stored = ApiKey.objects.get(key_id=key_id)

    assert stored.key_hash != raw_key
    assert stored.key_hash != hashlib.sha256(raw_key.encode()).hexdigest()  # keyed with a server-side pepper
    for field in ApiKey._meta.concrete_fields:
        value = str(field.value_from_object(stored))
        assert raw_key not in value, field.name
        assert secret_part(raw_key) not in value, field.name


def test_list_never_contains_raw_keys_or_hashes(admin, org):
    created = admin.post("/api/api-keys", {"name": "ci", "permission": "write"}, format="json").json()

    response = admin.get("/api/api-keys")

    assert response.status_code == 200
    text = response.content.decode()
    for raw_key in (admin.raw_key, created["key"]):
        assert raw_key not in text
        assert secret_part(raw_key) not in text
    for key_hash in ApiKey.objects.filter(organization=org).values_list("key_hash", flat=True):
        assert key_hash not in text
    for item in response.json()["data"]:
        assert "key" not in item
        assert "keyHash" not in item


def test_list_shows_prefix_and_last_used_at(admin, org):
    created = admin.post("/api/api-keys", {"name": "ci", "permission": "write"}, format="json").json()

    response = admin.get("/api/api-keys")

    assert response.status_code == 200
    body = response.json()
    assert body["pagination"]["total"] == 2
    items = {item["id"]: item for item in body["data"]}
    assert items[created["id"]]["prefix"] == created["prefix"]
    assert items[created["id"]]["lastUsedAt"] is None  # never used yet
    assert items[admin.key.id]["prefix"] == admin.key.prefix
    assert admin.raw_key.startswith(items[admin.key.id]["prefix"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", items[admin.key.id]["lastUsedAt"])


def test_list_shows_only_own_organization_keys(admin, outsider):
    response = admin.get("/api/api-keys")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["data"]] == [admin.key.id]
    assert outsider.key.id not in response.content.decode()


# --- revocation and expiry ---


def test_delete_revokes_the_key_which_then_gets_401(admin):
    created = admin.post("/api/api-keys", {"name": "ci", "permission": "write"}, format="json").json()
    client = bearer(created["key"])
    assert client.get("/api/monitors").status_code == 200

    response = admin.delete(f"/api/api-keys/{created['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert ApiKey.objects.get(pk=created["id"]).revoked_at is not None
    assert_error(client.get("/api/monitors"), 401, "unauthorized")
    assert_error(client.post("/api/monitors", SEED_MONITOR, format="json"), 401, "unauthorized")
    assert not Monitor.objects.exists()
    # The admin key that revoked it still works.
    assert admin.get("/api/monitors").status_code == 200


def test_delete_unknown_key_is_404(admin):
    assert_error(admin.delete("/api/api-keys/key_doesnotexist"), 404, "not_found")


def test_delete_other_org_key_is_404_and_key_keeps_working(admin, outsider):
    assert_error(admin.delete(f"/api/api-keys/{outsider.key.id}"), 404, "not_found")

    assert ApiKey.objects.get(pk=outsider.key.pk).revoked_at is None
    assert outsider.get("/api/monitors").status_code == 200


def test_expired_key_gets_401(writer):
    assert writer.get("/api/monitors").status_code == 200
    assert writer.get("/api/monitors").status_code == 200  # the key is now kept by this process
    writer.key.expires_at = timezone.now() - timedelta(seconds=1)
    writer.key.save(update_fields=["expires_at"])

    assert_error(writer.get("/api/monitors"), 401, "unauthorized")
    assert_error(writer.post("/api/monitors", SEED_MONITOR, format="json"), 401, "unauthorized")
    assert not Monitor.objects.exists()


# --- last used ---


def test_last_used_at_is_written_on_use_at_most_once_a_minute(writer):
    assert ApiKey.objects.get(pk=writer.key.pk).last_used_at is None

    assert writer.get("/api/monitors").status_code == 200
    first = ApiKey.objects.get(pk=writer.key.pk).last_used_at
    assert first is not None
    assert timezone.now() - first < timedelta(minutes=1)

    assert writer.get("/api/monitors").status_code == 200
    assert ApiKey.objects.get(pk=writer.key.pk).last_used_at == first

    moved_back = first - timedelta(minutes=2)
    key = ApiKey.objects.get(pk=writer.key.pk)
    key.last_used_at = moved_back
    key.save(update_fields=["last_used_at"])
    assert writer.get("/api/monitors").status_code == 200
    updated = ApiKey.objects.get(pk=writer.key.pk).last_used_at
    assert updated > moved_back
    assert updated >= first


def test_failed_authentication_does_not_touch_last_used_at(writer):
    api_key_revoke(key=writer.key)

    assert_error(writer.get("/api/monitors"), 401, "unauthorized")
    assert ApiKey.objects.get(pk=writer.key.pk).last_used_at is None


# --- permissions on /api/api-keys ---


@pytest.mark.parametrize("permission", ["read", "write"])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_read_and_write_keys_get_403_on_api_keys(make_client, admin, org, permission, method):
    client = make_client(org, permission)
    before = key_snapshot()

    if method == "GET":
        response = client.get("/api/api-keys")
    elif method == "POST":
        response = client.post("/api/api-keys", {"name": "escalate", "permission": "admin"}, format="json")
    else:
        response = client.delete(f"/api/api-keys/{admin.key.id}")

    assert_error(response, 403, "forbidden")
    assert admin.raw_key not in response.content.decode()
    assert key_snapshot() == before
    assert admin.get("/api/monitors").status_code == 200


# --- the createapikey management command ---


def run_createapikey(*args: str) -> str:
    stdout = io.StringIO()
    call_command("createapikey", *args, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def test_createapikey_creates_org_and_prints_a_working_key_last():
    assert not Organization.objects.filter(slug="acme").exists()

    output = run_createapikey("--org", "acme", "--plan", "free", "--permission", "write", "--name", "cli")

    last_line = output.rstrip("\n").splitlines()[-1]
    assert re.fullmatch(r"sk_live_\S+", last_line)
    organization = Organization.objects.get(slug="acme")
    assert organization.plan == Plan.FREE
    key = ApiKey.objects.get(organization=organization)
    assert key.permission == "write"
    assert key.name == "cli"
    assert key.key_hash != last_line
    client = bearer(last_line)
    assert client.get("/api/monitors").status_code == 200
    created = client.post("/api/monitors", SEED_MONITOR, format="json")
    assert created.status_code == 201, created.content
    assert Monitor.objects.get(pk=created.json()["id"]).organization == organization


def test_createapikey_twice_reuses_the_organization():
    first = run_createapikey("--org", "acme", "--plan", "free", "--permission", "write", "--name", "cli")
    second = run_createapikey("--org", "acme", "--plan", "free", "--permission", "write", "--name", "cli")

    first_key = first.rstrip("\n").splitlines()[-1]
    second_key = second.rstrip("\n").splitlines()[-1]
    assert first_key != second_key
    assert Organization.objects.filter(slug="acme").count() == 1
    assert ApiKey.objects.filter(organization__slug="acme").count() == 2
    assert bearer(first_key).get("/api/monitors").status_code == 200
    assert bearer(second_key).get("/api/monitors").status_code == 200


@pytest.mark.parametrize(
    "args",
    [
        ("--org", "acme", "--plan", "platinum"),
        ("--org", "acme", "--permission", "root"),
        ("--org", "not a slug"),
    ],
    ids=["plan", "permission", "org"],
)
def test_createapikey_rejects_invalid_arguments(args):
    with pytest.raises((CommandError, SystemExit)):
        run_createapikey(*args)

    assert not Organization.objects.exists()
    assert not ApiKey.objects.exists()

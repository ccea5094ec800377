"""Secrets StatusApp must send on are encrypted at rest with STATUSAPP_ENCRYPTION_KEY
(DESIGN.md): a copy of the database (here: a raw SQL select of the column) does not hold
webhook signing secrets, current or previous, yet deliveries are signed with them; the
rows an older StatusApp stored in the clear are encrypted by the migration."""

import os
import subprocess

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from standardwebhooks.webhooks import Webhook

from accounts.encryption import DecryptionError, decrypt, encrypt
from webhooks import recording
from webhooks.models import WebhookEndpoint
from webhooks.publishing import publish
from webhooks.sender import sender
from webhooks.services import new_secret, webhook_secret_rotate

from . import test_webhook_delivery as delivery_tests
from .live_server import BASE_DIR
from .test_webhook_delivery import monitor_down, settle
from .test_webhook_signing import standard_headers

make_receiver = delivery_tests.make_receiver


@pytest.fixture
def receivers_allowed(settings):
    """The delivery tests' set-up, for the one test here that delivers: receivers on 127.0.0.1,
    and nothing it started left running into the next test. Not autouse: the per-process sender,
    started by the wait below in a test that sent nothing, held back the delivery tests' backlogs
    when they ran after this module (seen, not yet understood)."""
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    yield
    assert sender(recording.record).wait_idle(10)


def stored_columns(endpoint_id: str) -> tuple[str, str]:
    """What a database dump would show."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret, previous_secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint_id])
        return cursor.fetchone()


def assert_not_in_dump(dump: str, secret: str) -> None:
    assert secret not in dump
    assert secret.removeprefix("whsec_") not in dump, "nor its base64 key"


# --- the cipher ---


def test_encrypt_and_decrypt_round_trip_any_text_and_never_give_the_same_token_twice():
    for text in ("whsec_abc", "xoxb-1234-ünïcødé-🔑", "x" * 5000):
        token = encrypt(text)
        assert text not in token
        assert decrypt(token) == text
    assert encrypt("same") != encrypt("same")


def test_a_token_under_another_key_or_tampered_with_is_refused_with_a_clear_error(settings):
    token = encrypt("whsec_abc")
    with pytest.raises(DecryptionError, match="STATUSAPP_ENCRYPTION_KEY"):
        decrypt(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    with pytest.raises(DecryptionError):
        decrypt("whsec_not-a-token")
    settings.STATUSAPP_ENCRYPTION_KEY = "another-key-of-at-least-32-characters!"
    with pytest.raises(DecryptionError, match="was STATUSAPP_ENCRYPTION_KEY changed"):
        decrypt(token)


def test_a_short_encryption_key_is_refused_at_start(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(STATUSAPP_VAR_DIR=str(tmp_path), STATUSAPP_ENCRYPTION_KEY="short")
    python = str(BASE_DIR / ".venv/bin/python")
    done = subprocess.run(
        [python, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "STATUSAPP_ENCRYPTION_KEY must be at least 32 characters" in done.stderr


# --- webhook signing secrets ---


@pytest.mark.django_db
def test_the_secret_shown_at_creation_is_not_in_the_database_and_reads_back_in_the_clear(admin):
    response = admin.post(
        "/api/webhooks", {"url": "https://hooks.example.com/x", "events": ["monitor.down"]}, format="json"
    )
    assert response.status_code == 201, response.content
    secret = response.json()["secret"]

    stored, previous = stored_columns(response.json()["id"])
    assert_not_in_dump(stored, secret)
    assert previous == ""
    assert decrypt(stored) == secret
    assert WebhookEndpoint.objects.get(pk=response.json()["id"]).secret == secret
    # The columns are not searchable: nothing matches the secret in the clear.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM webhooks_webhookendpoint WHERE secret LIKE %s", [f"%{secret[6:20]}%"])
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db
def test_after_a_rotation_neither_the_new_nor_the_previous_secret_is_in_the_database(admin):
    created = admin.post(
        "/api/webhooks", {"url": "https://hooks.example.com/x", "events": ["monitor.down"]}, format="json"
    ).json()
    rotated = admin.post(f"/api/webhooks/{created['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.content
    old, new = created["secret"], rotated.json()["secret"]

    stored, previous = stored_columns(created["id"])
    for column in (stored, previous):
        assert_not_in_dump(column, old)
        assert_not_in_dump(column, new)
    assert (decrypt(stored), decrypt(previous)) == (new, old)


@pytest.mark.django_db(transaction=True, available_apps=delivery_tests.APPS)
def test_deliveries_are_signed_with_the_decrypted_current_and_previous_secrets(org, make_receiver, receivers_allowed):
    receiver = make_receiver()
    endpoint = delivery_tests.endpoint_for(org, receiver)
    old = endpoint.secret
    new = webhook_secret_rotate(endpoint=endpoint).secret
    stored, previous = stored_columns(endpoint.pk)
    assert_not_in_dump(stored + previous, old)
    assert_not_in_dump(stored + previous, new)

    publish([monitor_down(org)])
    settle()

    [request] = receiver.requests
    headers = standard_headers(request)
    assert headers["webhook-signature"].count("v1,") == 2
    Webhook(new).verify(request.body, headers)
    Webhook(old).verify(request.body, headers)


# --- the migration ---


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_secrets_stored_in_the_clear_and_its_reverse_decrypts_them(org):
    before, after = [("webhooks", "0003_drop_redundant_fk_indexes")], [("webhooks", "0004_encrypt_secrets")]
    plain, plain_previous = new_secret(), new_secret()
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO webhooks_webhookendpoint (id, organization_id, url, description, events, enabled,"
                " disabled_reason, secret, previous_secret, created_at, updated_at)"
                " VALUES (%s, %s, 'https://hooks.example.com/old', '', '[]', TRUE, '', %s, %s, %s, %s)",
                ["wh_plain", org.pk, plain, plain_previous, "2026-01-01 00:00:00", "2026-01-01 00:00:00"],
            )
            cursor.execute(
                "INSERT INTO webhooks_webhookendpoint (id, organization_id, url, description, events, enabled,"
                " disabled_reason, secret, previous_secret, created_at, updated_at)"
                " VALUES (%s, %s, 'https://hooks.example.com/new', '', '[]', TRUE, '', %s, '', %s, %s)",
                ["wh_unrotated", org.pk, new_secret(), "2026-01-01 00:00:00", "2026-01-01 00:00:00"],
            )
        executor = MigrationExecutor(connection)
        executor.migrate(after)

        stored, previous = stored_columns("wh_plain")
        assert_not_in_dump(stored + previous, plain)
        assert_not_in_dump(stored + previous, plain_previous)
        endpoint = WebhookEndpoint.objects.get(pk="wh_plain")
        assert (endpoint.secret, endpoint.previous_secret) == (plain, plain_previous)
        assert stored_columns("wh_unrotated")[1] == "", "no previous secret stays none"

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        assert stored_columns("wh_plain") == (plain, plain_previous)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

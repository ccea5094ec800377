"""A monitor's database password that the current STATUSAPP_ENCRYPTION_KEY cannot open (the key
was changed or lost) breaks that monitor alone: its check is DOWN with a plain error and connects
to nothing, the other checks of its batch run as usual, the API and the dashboard still show it
(the password as the mask), the ciphertext stays as it was until a new password is set, and a new
password sent through the API repairs it."""

import socket
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.encryption import decrypt
from monitors import checking, scheduler, tasks
from monitors.models import CheckResult, Monitor

from .http_target import Target

pytestmark = pytest.mark.django_db

PASSWORD = "cache pass 4471"
NEW_PASSWORD = "cache pass after the key change 9902"
OLD_KEY = "the key this password was saved with, long enough"
MASK = "••••"
ERROR = "stored password cannot be decrypted: was STATUSAPP_ENCRYPTION_KEY changed?"


@pytest.fixture
def listener():
    """A loopback port that accepts connections into its backlog and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    yield server
    server.close()


def was_connected_to(server: socket.socket) -> bool:
    """Whether anything connected: a connection, even one closed since, waits in the backlog."""
    try:
        accepted, _ = server.accept()
    except BlockingIOError:
        return False
    accepted.close()
    return True


@pytest.fixture
def target():
    target = Target()
    yield target
    target.close()


@pytest.fixture
def broken_and_healthy(admin, settings, listener, target):
    """A redis monitor whose password was saved under another key, and an http monitor, both due."""
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    current_key = settings.STATUSAPP_ENCRYPTION_KEY
    settings.STATUSAPP_ENCRYPTION_KEY = OLD_KEY
    broken = admin.post(
        "/api/monitors",
        {
            "name": "Cache",
            "type": "redis",
            "host": "127.0.0.1",
            "port": listener.getsockname()[1],
            "password": PASSWORD,
        },
        format="json",
    )
    settings.STATUSAPP_ENCRYPTION_KEY = current_key
    healthy = admin.post("/api/monitors", {"name": "Site", "type": "http", "url": target.url}, format="json")
    assert (broken.status_code, healthy.status_code) == (201, 201), (broken.content, healthy.content)
    return broken.json()["id"], healthy.json()["id"]


def stored_password_column(monitor_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM monitors_monitor WHERE id = %s", [monitor_id])
        return cursor.fetchone()[0]


def run_due_checks() -> int:
    """What the dispatcher does, but the batches are run here rather than by a worker."""
    now = timezone.now()
    Monitor.objects.update(next_check_at=now)
    claimed = scheduler.claim_due_monitors(now=now, lookahead=timedelta(0), limit=100)
    [(_, _, batch)] = scheduler.batches(claimed, set(), 100)  # every slot is `now`: one tick
    return tasks.run_checks([[monitor_id, slot.isoformat()] for monitor_id, slot in batch])


def test_the_undecryptable_password_fails_its_own_check_and_the_rest_of_the_batch_is_checked(
    broken_and_healthy, listener, target
):
    broken_id, healthy_id = broken_and_healthy

    assert run_due_checks() == 2

    broken, healthy = Monitor.objects.get(id=broken_id), Monitor.objects.get(id=healthy_id)
    assert (healthy.status, healthy.last_error, target.hits) == ("UP", "", 1)
    assert (broken.status, broken.last_error) == ("DOWN", ERROR)
    assert CheckResult.objects.get(monitor_id=broken_id).error == ERROR
    assert not was_connected_to(listener), "no connection is attempted without the password"


def test_the_api_and_the_dashboard_still_show_the_monitor_with_its_password_masked(
    broken_and_healthy, admin, client, person, org
):
    broken_id, healthy_id = broken_and_healthy
    person(org, "member", client)

    listed = admin.get("/api/monitors")
    detail = admin.get(f"/api/monitors/{broken_id}")

    assert (listed.status_code, detail.status_code) == (200, 200)
    assert {monitor["id"]: monitor.get("password") for monitor in listed.json()["data"]} == {
        broken_id: MASK,
        healthy_id: None,
    }
    assert detail.json()["password"] == MASK
    for page in ("/monitors/", f"/monitors/{broken_id}/", f"/monitors/{broken_id}/edit"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert "Cache" in response.content.decode()
    assert "leave blank to keep it" in client.get(f"/monitors/{broken_id}/edit").content.decode()


def test_changes_that_keep_the_password_leave_its_ciphertext_as_it_was(broken_and_healthy, admin, settings):
    broken_id, _ = broken_and_healthy
    before = stored_password_column(broken_id)

    kept = admin.put(f"/api/monitors/{broken_id}", {"password": MASK, "name": "Cache (renamed)"}, format="json")

    assert kept.status_code == 200, kept.content
    assert (kept.json()["name"], kept.json()["password"]) == ("Cache (renamed)", MASK)
    assert stored_password_column(broken_id) == before
    # The key it was saved with, put back, still opens it.
    settings.STATUSAPP_ENCRYPTION_KEY = OLD_KEY
    assert Monitor.objects.get(id=broken_id).password == PASSWORD


def test_a_new_password_through_the_api_repairs_the_monitor(broken_and_healthy, admin):
    broken_id, _ = broken_and_healthy

    repaired = admin.put(f"/api/monitors/{broken_id}", {"password": NEW_PASSWORD}, format="json")

    assert repaired.status_code == 200, repaired.content
    assert repaired.json()["password"] == MASK and NEW_PASSWORD not in repaired.content.decode()
    assert decrypt(stored_password_column(broken_id)) == NEW_PASSWORD
    row = checking.load([broken_id], checking.CHECK_FIELDS)[broken_id]  # what the next batch reads
    assert checking.build_spec(row).password == NEW_PASSWORD


def test_a_copy_on_the_dashboard_does_not_take_a_password_that_cannot_be_read(
    broken_and_healthy, client, person, org, listener
):
    broken_id, _ = broken_and_healthy
    person(org, "member", client)

    form = client.get(f"/monitors/{broken_id}/clone")
    assert form.status_code == 200 and "leave blank to keep it" not in form.content.decode()
    copied = client.post(
        f"/monitors/{broken_id}/clone",
        {"name": "Cache (copy)", "type": "redis", "host": "127.0.0.1", "port": listener.getsockname()[1],
         "interval": "60"},
    )  # fmt: skip

    assert copied.status_code == 302, copied.content.decode()
    assert Monitor.objects.get(name="Cache (copy)").password == ""

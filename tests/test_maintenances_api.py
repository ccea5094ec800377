"""The /api/maintenances endpoints: CRUD, validation, the schedule applied on every write
(and the monitors' maintenance flags with it), filters, pages, permissions, organization
isolation, and a list whose query count does not grow with its page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import maintenance as services
from incidents.models import Maintenance, MaintenanceStatus
from monitors.models import Monitor

from .factories import MonitorFactory

pytestmark = pytest.mark.django_db

URL = "/api/maintenances"
KEYS = {"id", "title", "description", "status", "startsAt", "endsAt", "monitors", "active", "createdAt", "updatedAt"}


def iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def hours(n: float) -> str:
    """A timestamp n hours from now, as the API writes one."""
    return iso(timezone.now() + timedelta(hours=n))


def flags(*monitors) -> list[bool]:
    return [Monitor.objects.get(pk=monitor.pk).in_maintenance for monitor in monitors]


@pytest.fixture
def monitors(org):
    return [MonitorFactory(organization=org) for _ in range(3)]


def body(monitor_list=(), **overrides) -> dict:
    """A window tomorrow, two hours long."""
    data = {
        "title": "Database upgrade",
        "description": "PostgreSQL 16 to 17",
        "startsAt": hours(24),
        "endsAt": hours(26),
        "monitors": [monitor.id for monitor in monitor_list],
    }
    data.update(overrides)
    return data


def create(client, **overrides) -> dict:
    response = client.post(URL, body(**overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def assert_invalid(response, field: str) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    # A list item's error is named after its position: "monitors.0".
    assert any(name.split(".")[0] == field for name in error["fields"]), error
    return error


# --- Create ---------------------------------------------------------------------------


def test_create_a_future_window_returns_201_scheduled_and_leaves_monitors_alone(admin, monitors):
    sent = body(monitors[:2])
    response = admin.post(URL, sent, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == KEYS
    assert data["id"].startswith("mnt_")
    assert (data["title"], data["description"]) == ("Database upgrade", "PostgreSQL 16 to 17")
    assert (data["startsAt"], data["endsAt"]) == (sent["startsAt"], sent["endsAt"])
    assert data["status"] == "scheduled"
    assert data["active"] is False
    assert data["monitors"] == sorted(monitor.id for monitor in monitors[:2])
    assert data["createdAt"].endswith("Z") and data["updatedAt"].endswith("Z")
    stored = Maintenance.objects.get(id=data["id"])
    assert stored.organization == admin.organization
    assert set(stored.monitors.values_list("id", flat=True)) == {monitors[0].id, monitors[1].id}
    assert flags(*monitors) == [False, False, False]


def test_create_with_only_the_required_fields(admin):
    response = admin.post(URL, {"title": "Deploy", "startsAt": hours(1), "endsAt": hours(2)}, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["description"], data["monitors"], data["status"]) == ("", [], "scheduled")


def test_create_a_window_that_already_started_is_in_progress_and_flags_its_monitors_at_once(admin, monitors):
    data = create(admin, monitor_list=monitors[:2], startsAt=hours(-1), endsAt=hours(1))

    assert data["status"] == "in_progress"
    assert data["active"] is True
    assert flags(*monitors) == [True, True, False]


def test_create_a_window_that_already_ended_is_completed(admin, monitors):
    data = create(admin, monitor_list=monitors[:1], startsAt=hours(-3), endsAt=hours(-1))

    assert (data["status"], data["active"]) == ("completed", False)
    assert flags(monitors[0]) == [False]


def test_create_in_progress_early_by_hand_flags_the_monitors(admin, monitors):
    data = create(admin, monitor_list=monitors[:1], status="in_progress")

    assert (data["status"], data["active"]) == ("in_progress", True)
    assert flags(*monitors) == [True, False, False]


def test_create_accepts_offsets_and_answers_in_utc_with_z(admin):
    data = create(admin, startsAt="2030-06-01T12:00:00+02:00", endsAt="2030-06-01T14:30:00+02:00")

    assert (data["startsAt"], data["endsAt"]) == ("2030-06-01T10:00:00Z", "2030-06-01T12:30:00Z")


# --- Validation -----------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["title", "startsAt", "endsAt"])
def test_a_missing_required_field_is_400(admin, missing):
    sent = body()
    del sent[missing]

    assert_invalid(admin.post(URL, sent, format="json"), missing)
    assert Maintenance.objects.count() == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("title", ""),
        ("title", "   "),
        ("title", "x" * 201),
        ("title", None),
        ("startsAt", "tomorrow"),
        ("startsAt", "2030-13-45T00:00:00Z"),
        ("startsAt", "2030-06-01T12:00:00\x00Z"),
        ("startsAt", 1780000000),
        ("endsAt", ""),
        ("endsAt", None),
        ("status", "active"),
        ("status", "IN_PROGRESS"),
        ("status", "cancelled"),
        ("monitors", "mon_123"),
        ("monitors", [None]),
        ("monitors", [{"id": "mon_123"}]),
        ("description", 5 * ["list"]),
    ],
)
def test_bad_value_on_create_is_400(admin, key, value):
    assert_invalid(admin.post(URL, body(**{key: value}), format="json"), key)
    assert Maintenance.objects.count() == 0


@pytest.mark.parametrize("ends_offset", [0, -1])
def test_ends_at_not_after_starts_at_is_400(admin, ends_offset):
    starts_at = timezone.now() + timedelta(days=1)
    sent = body(startsAt=iso(starts_at), endsAt=iso(starts_at + timedelta(hours=ends_offset)))

    error = assert_invalid(admin.post(URL, sent, format="json"), "endsAt")
    assert "after" in error["fields"]["endsAt"][0]
    assert Maintenance.objects.count() == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", "mnt_chosenbyclient"),
        ("active", True),
        ("createdAt", "2030-01-01T00:00:00Z"),
        ("updatedAt", "2030-01-01T00:00:00Z"),
        ("organization", "org_someoneelse"),
        ("affectedComponents", []),
        ("starts_at", "2030-01-01T00:00:00Z"),
    ],
)
def test_read_only_or_unknown_key_is_400(admin, key, value):
    assert_invalid(admin.post(URL, body(**{key: value}), format="json"), key)
    assert Maintenance.objects.count() == 0


def test_unknown_monitor_is_400_naming_it_and_nothing_is_stored(admin, monitors):
    sent = body(monitors=[monitors[0].id, "mon_nosuchmonitor"], startsAt=hours(-1))

    error = assert_invalid(admin.post(URL, sent, format="json"), "monitors")
    message = " ".join(error["fields"]["monitors"])
    assert "mon_nosuchmonitor" in message
    assert monitors[0].id not in message
    assert Maintenance.objects.count() == 0
    assert flags(monitors[0]) == [False]


def test_another_orgs_monitor_is_400_naming_it(admin, other_org):
    foreign = MonitorFactory(organization=other_org)

    error = assert_invalid(admin.post(URL, body(monitors=[foreign.id], startsAt=hours(-1)), format="json"), "monitors")
    assert foreign.id in " ".join(error["fields"]["monitors"])
    assert Maintenance.objects.count() == 0
    assert flags(foreign) == [False]


def test_a_monitor_listed_twice_is_400(admin, monitors):
    assert_invalid(admin.post(URL, body(monitors=[monitors[0].id, monitors[0].id]), format="json"), "monitors")


# --- Retrieve, list, filters, pages -----------------------------------------------------


def test_retrieve_returns_the_window(admin, monitors):
    created = create(admin, monitor_list=monitors)

    response = admin.get(f"{URL}/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_unknown_id_is_404(admin):
    response = admin.get(f"{URL}/mnt_nosuchwindow")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_returns_the_envelope_newest_start_first(admin, monitors):
    later = create(admin, monitor_list=monitors[:1], startsAt=hours(48), endsAt=hours(49))
    sooner = create(admin, startsAt=hours(24), endsAt=hours(25))

    response = admin.get(URL)

    assert response.status_code == 200
    data = response.json()
    assert data["pagination"] == {"page": 1, "limit": 20, "total": 2, "pages": 1}
    assert [item["id"] for item in data["data"]] == [later["id"], sooner["id"]]
    assert data["data"][0] == later


def make_window(org, status: str, **fields) -> Maintenance:
    now = timezone.now()
    fields.setdefault("starts_at", now + timedelta(days=1))
    fields.setdefault("ends_at", now + timedelta(days=1, hours=2))
    return Maintenance.objects.create(organization=org, title=f"{status} window", status=status, **fields)


@pytest.mark.parametrize("status", MaintenanceStatus.values)
def test_status_filter_returns_only_windows_in_that_status(admin, org, status):
    expected = {make_window(org, status).id, make_window(org, status).id}
    for other in set(MaintenanceStatus.values) - {status}:
        make_window(org, other)

    data = admin.get(URL, {"status": status}).json()

    assert {item["id"] for item in data["data"]} == expected
    assert all(item["status"] == status for item in data["data"])
    assert data["pagination"]["total"] == 2


@pytest.mark.parametrize("status", ["active", "SCHEDULED", "done", ""])
def test_invalid_status_filter_is_400(admin, status):
    assert_invalid(admin.get(URL, {"status": status}), "status")


def test_list_pages(admin, org):
    for n in range(25):
        make_window(org, "scheduled", starts_at=timezone.now() + timedelta(days=1, minutes=n))

    first = admin.get(URL, {"limit": 10}).json()
    last = admin.get(URL, {"limit": 10, "page": 3}).json()
    past_the_end = admin.get(URL, {"limit": 10, "page": 4}).json()

    assert first["pagination"] == {"page": 1, "limit": 10, "total": 25, "pages": 3}
    assert len(first["data"]) == 10
    assert len(last["data"]) == 5
    assert past_the_end["data"] == []
    assert not {item["id"] for item in first["data"]} & {item["id"] for item in last["data"]}
    for bad in ("0", "-1", "x"):
        assert_invalid(admin.get(URL, {"limit": bad}), "limit")
        assert_invalid(admin.get(URL, {"page": bad}), "page")


# --- Update ---------------------------------------------------------------------------


def test_put_is_partial_and_keeps_unsent_fields(admin, monitors):
    created = create(admin, monitor_list=monitors[:2])

    response = admin.put(f"{URL}/{created['id']}", {"title": "Database upgrade, part 1"}, format="json")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["title"] == "Database upgrade, part 1"
    for key in ("description", "status", "startsAt", "endsAt", "monitors", "createdAt"):
        assert data[key] == created[key], key


def test_put_moves_the_window_to_now_and_it_starts_at_once(admin, monitors):
    created = create(admin, monitor_list=monitors[:1])

    data = admin.put(f"{URL}/{created['id']}", {"startsAt": hours(-0.5)}, format="json").json()

    assert (data["status"], data["active"]) == ("in_progress", True)
    assert flags(monitors[0]) == [True]


def test_put_completed_by_hand_ends_the_window_early_and_clears_the_flags(admin, monitors):
    created = create(admin, monitor_list=monitors[:2], startsAt=hours(-1), endsAt=hours(1))
    assert flags(*monitors[:2]) == [True, True]

    data = admin.put(f"{URL}/{created['id']}", {"status": "completed"}, format="json").json()

    assert (data["status"], data["active"]) == ("completed", False)
    assert flags(*monitors[:2]) == [False, False]


def test_put_verifying_keeps_the_window_active(admin, monitors):
    created = create(admin, monitor_list=monitors[:1], startsAt=hours(-1), endsAt=hours(1))

    data = admin.put(f"{URL}/{created['id']}", {"status": "verifying"}, format="json").json()

    assert (data["status"], data["active"]) == ("verifying", True)
    assert flags(monitors[0]) == [True]


def test_put_monitors_replaces_the_list_and_moves_the_flags(admin, monitors):
    first, second, third = monitors
    created = create(admin, monitor_list=[first, second], startsAt=hours(-1), endsAt=hours(1))

    data = admin.put(f"{URL}/{created['id']}", {"monitors": [second.id, third.id]}, format="json").json()

    assert data["monitors"] == sorted([second.id, third.id])
    assert flags(first, second, third) == [False, True, True]


def test_put_empty_monitors_clears_them(admin, monitors):
    created = create(admin, monitor_list=monitors, startsAt=hours(-1), endsAt=hours(1))

    data = admin.put(f"{URL}/{created['id']}", {"monitors": []}, format="json").json()

    assert data["monitors"] == []
    assert flags(*monitors) == [False, False, False]


def test_completing_one_of_two_overlapping_windows_keeps_the_shared_monitor_flagged(admin, monitors):
    shared, only_first, only_second = monitors
    first = create(admin, monitor_list=[shared, only_first], startsAt=hours(-1), endsAt=hours(1))
    create(admin, monitor_list=[shared, only_second], startsAt=hours(-2), endsAt=hours(2))

    admin.put(f"{URL}/{first['id']}", {"status": "completed"}, format="json")

    assert flags(shared, only_first, only_second) == [True, False, True]


def test_put_ends_at_before_the_stored_start_is_400_and_changes_nothing(admin):
    created = create(admin)

    error = assert_invalid(admin.put(f"{URL}/{created['id']}", {"endsAt": hours(23)}, format="json"), "endsAt")

    assert "after" in error["fields"]["endsAt"][0]
    assert admin.get(f"{URL}/{created['id']}").json() == created


def test_put_starts_at_after_the_stored_end_is_400_naming_starts_at(admin):
    created = create(admin)

    assert_invalid(admin.put(f"{URL}/{created['id']}", {"startsAt": hours(27)}, format="json"), "startsAt")
    assert admin.get(f"{URL}/{created['id']}").json() == created


def test_put_both_times_is_judged_on_the_new_pair(admin):
    created = create(admin)

    sent = {"startsAt": hours(30), "endsAt": hours(31)}  # both after the stored end

    response = admin.put(f"{URL}/{created['id']}", sent, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["startsAt"], response.json()["endsAt"]) == (sent["startsAt"], sent["endsAt"])


@pytest.mark.parametrize(
    ("key", "value"),
    [("title", ""), ("status", "done"), ("monitors", ["mon_nosuchmonitor"]), ("id", "mnt_x"), ("colour", "red")],
)
def test_bad_put_is_400_and_changes_nothing(admin, monitors, key, value):
    created = create(admin, monitor_list=monitors[:1])

    assert_invalid(admin.put(f"{URL}/{created['id']}", {key: value}, format="json"), key)
    assert admin.get(f"{URL}/{created['id']}").json() == created


def test_put_another_orgs_monitor_is_400_and_changes_nothing(admin, other_org, monitors):
    created = create(admin, monitor_list=monitors[:1], startsAt=hours(-1), endsAt=hours(1))
    foreign = MonitorFactory(organization=other_org)

    error = assert_invalid(admin.put(f"{URL}/{created['id']}", {"monitors": [foreign.id]}, format="json"), "monitors")

    assert foreign.id in " ".join(error["fields"]["monitors"])
    assert flags(monitors[0], foreign) == [True, False]


# --- Delete ---------------------------------------------------------------------------


def test_delete_returns_204_removes_the_window_and_clears_the_flags(admin, monitors):
    created = create(admin, monitor_list=monitors[:2], startsAt=hours(-1), endsAt=hours(1))

    response = admin.delete(f"{URL}/{created['id']}")

    assert response.status_code == 204
    assert not Maintenance.objects.filter(id=created["id"]).exists()
    assert admin.get(f"{URL}/{created['id']}").status_code == 404
    assert flags(*monitors[:2]) == [False, False]
    assert Monitor.objects.filter(pk__in=[monitor.pk for monitor in monitors]).count() == 3


def test_deleting_a_window_keeps_the_flag_another_active_window_sets(admin, monitors):
    shared, alone = monitors[:2]
    doomed = create(admin, monitor_list=[shared, alone], startsAt=hours(-1), endsAt=hours(1))
    create(admin, monitor_list=[shared], status="verifying", startsAt=hours(-2), endsAt=hours(3))

    admin.delete(f"{URL}/{doomed['id']}")

    assert flags(shared, alone) == [True, False]


# --- Permissions and organizations ------------------------------------------------------


def test_reader_can_read_but_not_write(reader, admin, monitors):
    created = create(admin, monitor_list=monitors[:1])

    assert reader.get(URL).status_code == 200
    assert reader.get(f"{URL}/{created['id']}").status_code == 200
    for response in (
        reader.post(URL, body(), format="json"),
        reader.put(f"{URL}/{created['id']}", {"status": "completed"}, format="json"),
        reader.delete(f"{URL}/{created['id']}"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    assert Maintenance.objects.get(id=created["id"]).status == "scheduled"
    assert Maintenance.objects.count() == 1


def test_writer_can_create_and_update_but_not_delete(writer, monitors):
    created = create(writer, monitor_list=monitors[:1])

    assert writer.put(f"{URL}/{created['id']}", {"title": "Renamed"}, format="json").status_code == 200
    response = writer.delete(f"{URL}/{created['id']}")

    assert response.status_code == 403
    assert Maintenance.objects.filter(id=created["id"]).exists()


def test_no_key_is_401(client):
    assert client.get(URL).status_code == 401


@pytest.fixture
def theirs(outsider, monitors) -> dict:
    """Another organization's active window over its own monitor (the outsider is admin there)."""
    foreign = MonitorFactory(organization=outsider.organization)
    return create(outsider, monitors=[foreign.id], startsAt=hours(-1), endsAt=hours(1)) | {"monitor": foreign}


def test_another_orgs_window_is_404_to_read_update_and_delete(admin, theirs):
    path = f"{URL}/{theirs['id']}"

    for response in (
        admin.get(path),
        admin.put(path, {"status": "completed"}, format="json"),
        admin.delete(path),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    stored = Maintenance.objects.get(id=theirs["id"])
    assert stored.status == "in_progress"
    assert flags(theirs["monitor"]) == [True]


def test_another_orgs_window_is_not_listed(admin, theirs, monitors):
    own = create(admin)

    data = admin.get(URL).json()

    assert [item["id"] for item in data["data"]] == [own["id"]]
    assert data["pagination"]["total"] == 1
    assert admin.get(URL, {"status": "in_progress"}).json()["data"] == []


# --- Queries --------------------------------------------------------------------------------

# Every request: the API key with its organization, then the rate limiter's counter update
# (see tests/test_query_counts.py).
PER_REQUEST = 2


def measure(client, url: str, expected_items: int) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert len(response.json()["data"]) == expected_items
    return [query["sql"] for query in context.captured_queries]


def make_windows(org, count: int) -> None:
    """Windows of every status, each over three monitors (through the service, as the API writes them)."""
    now = timezone.now()
    statuses = MaintenanceStatus.values
    for n in range(count):
        services.maintenance_create(
            organization=org,
            title=f"Window {n}",
            status=statuses[n % len(statuses)],
            starts_at=now + timedelta(days=1, minutes=n),
            ends_at=now + timedelta(days=2),
            monitors=[MonitorFactory(organization=org) for _ in range(3)],
        )


def test_list_queries_do_not_grow_with_the_page(steady_request_plumbing, admin, org):
    make_windows(org, 5)
    admin.get(URL)  # warm-up: the key's last-used time and the hour's rate-limit row
    few = measure(admin, f"{URL}?limit=100", 5)
    make_windows(org, 95)
    many = measure(admin, f"{URL}?limit=100", 100)

    # API key, rate-limit update, page with its total, the pages' monitor ids (one prefetch)
    assert len(few) == len(many), "\n".join(many)
    assert len(many) == PER_REQUEST + 2, "\n".join(many)
    assert len(admin.get(f"{URL}?limit=100").json()["data"][0]["monitors"]) == 3

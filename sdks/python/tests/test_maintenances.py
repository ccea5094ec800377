import datetime

import pytest
from support import env, unique

import statusapp

UTC = datetime.timezone(datetime.timedelta(0))


def test_maintenance_round_trip(client, cleanup):
    down = env("STATUSAPP_TEST_DOWN_MONITOR")
    starts_at = datetime.datetime.now(UTC).replace(microsecond=0) + datetime.timedelta(days=1)
    ends_at = starts_at + datetime.timedelta(hours=2)
    title = unique("SDK maintenance")
    maintenance = client.maintenances.create(title=title, starts_at=starts_at, ends_at=ends_at, monitors=[down])
    cleanup(client.maintenances.delete, maintenance.id)
    assert isinstance(maintenance, statusapp.Maintenance)
    assert (maintenance.starts_at, maintenance.ends_at) == (starts_at, ends_at)  # datetimes both ways
    assert (maintenance.status, maintenance.active, maintenance.monitors) == ("scheduled", False, [down])

    assert client.maintenances.get(maintenance.id) == maintenance
    assert [found.id for found in client.maintenances.list(search=title, status="scheduled")] == [maintenance.id]
    assert maintenance.id in {found.id for found in client.maintenances.iter()}

    updated = client.maintenances.update(maintenance.id, description="Database upgrade", monitors=[])
    assert (updated.description, updated.monitors, updated.title) == ("Database upgrade", [], title)

    client.maintenances.delete(maintenance.id)
    with pytest.raises(statusapp.NotFoundError):
        client.maintenances.get(maintenance.id)


def test_a_window_ending_before_it_starts_is_refused(client):
    starts_at = datetime.datetime.now(UTC) + datetime.timedelta(days=1)
    with pytest.raises(statusapp.ValidationError) as raised:
        client.maintenances.create(
            title=unique("SDK backwards"), starts_at=starts_at, ends_at=starts_at - datetime.timedelta(hours=1)
        )
    assert "endsAt" in raised.value.fields


def test_a_naive_datetime_is_refused_before_sending(client):
    with pytest.raises(TypeError, match="naive datetime"):
        client.maintenances.create(
            title=unique("SDK naive"),
            starts_at=datetime.datetime(2030, 1, 1, 10),  # noqa: DTZ001 - the point of the test
            ends_at=datetime.datetime(2030, 1, 1, 12),  # noqa: DTZ001
        )

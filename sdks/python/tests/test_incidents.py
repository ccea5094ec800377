import datetime

import pytest
from support import env, unique

import statusapp


def test_incident_round_trip_with_its_timeline(client, cleanup):
    down = env("STATUSAPP_TEST_DOWN_MONITOR")
    title = unique("SDK incident")
    incident = client.incidents.create(
        title=title, description="Planned work", status="INVESTIGATING", impact="high", affected_components=[down]
    )
    cleanup(client.incidents.delete, incident.id)
    assert isinstance(incident, statusapp.Incident)
    assert incident.id.startswith("inc_")
    assert (incident.title, incident.status, incident.impact) == (title, "INVESTIGATING", "high")
    assert incident.affected_components == [down]
    assert [(c.id, type(c)) for c in incident.components] == [(down, statusapp.Component)]
    assert incident.resolved_at is None

    assert client.incidents.get(incident.id) == incident
    assert [found.id for found in client.incidents.list(search=title, status="INVESTIGATING")] == [incident.id]
    assert client.incidents.list(search=title, status="RESOLVED").data == []

    # The guide's update: a status and a timeline message in one PUT.
    identified = client.incidents.update(incident.id, status="IDENTIFIED", update="Found the cause")
    assert identified.status == "IDENTIFIED"
    assert identified.title == title
    assert identified.updates[0].message == "Found the cause"

    entry = client.incidents.add_update(
        incident.id, message="Fix deployed", status="MONITORING", notify_subscribers=False
    )
    assert isinstance(entry, statusapp.IncidentUpdate)
    assert entry.id.startswith("upd_")
    assert (entry.message, entry.status, entry.notify_subscribers) == ("Fix deployed", "MONITORING", False)
    assert isinstance(entry.created_at, datetime.datetime)
    assert client.incidents.get_update(incident.id, entry.id) == entry
    assert client.incidents.get(incident.id).status == "MONITORING"

    resolved = client.incidents.update(incident.id, {"status": "RESOLVED"})
    assert isinstance(resolved.resolved_at, datetime.datetime)
    assert resolved.duration is not None

    client.incidents.delete(incident.id)
    with pytest.raises(statusapp.NotFoundError):
        client.incidents.get(incident.id)


def test_an_invalid_incident_is_refused_with_its_fields(client):
    with pytest.raises(statusapp.ValidationError) as raised:
        client.incidents.create(title="", impact="apocalyptic")
    assert raised.value.status == 400
    assert raised.value.code == "invalid_request"
    assert {"title", "impact"} <= set(raised.value.fields)


def test_an_update_of_another_incident_is_not_found(client, cleanup):
    incident = client.incidents.create(title=unique("SDK incident"))
    cleanup(client.incidents.delete, incident.id)
    other = client.incidents.create(title=unique("SDK other incident"))
    cleanup(client.incidents.delete, other.id)
    entry = client.incidents.add_update(incident.id, message="only here")
    with pytest.raises(statusapp.NotFoundError):
        client.incidents.get_update(other.id, entry.id)

"""Dashboard: the incident pages (list, create, edit, timeline, updates, resolve) and the
maintenance windows, by role."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from incidents import maintenance as maintenance_services
from incidents import services
from incidents.models import Incident, IncidentUpdate, Maintenance
from monitors.models import Monitor
from statuspages.models import StatusPageComponent

from .factories import IncidentFactory, MonitorFactory, StatusPageFactory


def _error(html: str, field: str) -> str:
    """The text of the error shown next to `field`."""
    assert f'id="e-{field}"' in html, html[:3000]
    error = html[html.index(f'id="e-{field}"') :]
    return error[: error.index("</p>")]


# --- the incident list ---


def test_list_shows_open_incidents_first_then_resolved_ones(client, person, org, other_org):
    person(org, "viewer", client)
    api = MonitorFactory(organization=org, name="Checkout API")
    resolved = services.incident_create(organization=org, title="Old outage", status="RESOLVED")
    services.incident_create(organization=org, title="Slow checkout", impact="high", affected=[(api, None)])
    IncidentFactory(organization=other_org, title="Someone else's")

    page = client.get("/incidents/").content.decode()
    assert page.index("Slow checkout") < page.index("Old outage")
    assert 'class="badge INVESTIGATING"' in page and 'class="badge RESOLVED"' in page
    assert "High" in page and "Checkout API" in page and "(partial outage)" in page
    assert resolved.resolved_at.strftime("%b %-d, %Y %H:%M") in page
    assert "Someone else" not in page
    assert "New incident" not in page  # a viewer cannot create


def test_list_filters_by_status(client, person, org):
    person(org, "viewer", client)
    services.incident_create(organization=org, title="Alpha", status="RESOLVED")
    services.incident_create(organization=org, title="Beta", status="MONITORING")
    page = client.get("/incidents/?status=RESOLVED").content.decode()
    assert "Alpha" in page and "Beta" not in page
    page = client.get("/incidents/?status=open").content.decode()
    assert "Beta" in page and "Alpha" not in page
    assert client.get("/incidents/?status=nonsense&page=x").status_code == 200


# --- create and edit ---


def test_member_creates_an_incident_with_components(client, person, org):
    person(org, "member", client)
    api, web = MonitorFactory(organization=org, name="API"), MonitorFactory(organization=org, name="Web")
    MonitorFactory(organization=org, name="Unchecked")
    form = client.get("/incidents/new").content.decode()
    assert f'name="affected" value="{api.id}"' in form and f'name="component-{api.id}"' in form

    response = client.post(
        "/incidents/new",
        {
            "title": "Checkout errors",
            "description": "We are looking into it.",
            "impact": "high",
            "status": "IDENTIFIED",
            "affected": [api.id, web.id],
            f"component-{api.id}": "major_outage",
            f"component-{web.id}": "",  # from the impact
        },
    )
    incident = Incident.objects.get(organization=org)
    assert response.status_code == 302 and response.url == f"/incidents/{incident.id}/"
    assert (incident.title, incident.impact, incident.status) == ("Checkout errors", "high", "IDENTIFIED")
    assert [(a.monitor_id, a.status) for a in incident.affected.all()] == [
        (api.id, "major_outage"),
        (web.id, "partial_outage"),
    ]
    assert incident.updates.get().message == "We are looking into it."


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "  "}, "title", "This field is required."),
        ({"title": "X" * 201}, "title", "no more than 200 characters"),
        ({"title": "X", "impact": "apocalyptic"}, "impact", "is not a valid choice"),
        ({"title": "X", "status": "PANICKING"}, "status", "is not a valid choice"),
        ({"title": "X", "affected": ["THEIRS"]}, "affectedComponents", "Unknown monitor:"),
        ({"title": "X", "affected": ["MINE"], "component-MINE": "on_fire"}, "affectedComponents", "Status must be"),
    ],
)
def test_bad_incident_forms_show_the_api_message_next_to_the_field_and_save_nothing(
    client, person, org, other_org, data, field, message
):
    person(org, "member", client)
    mine, theirs = MonitorFactory(organization=org), MonitorFactory(organization=other_org)
    ids = {"MINE": mine.id, "THEIRS": theirs.id}
    body = {"impact": "none", "status": "INVESTIGATING"}
    for name, value in data.items():
        if name == "affected":
            value = [ids[item] for item in value]
        body[name.replace("MINE", mine.id)] = value
    response = client.post("/incidents/new", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in _error(html, field)
    if field != "affectedComponents":
        assert f'aria-describedby="e-{field}"' in html and 'aria-invalid="true"' in html
    assert not Incident.objects.exists()


def test_edit_changes_fields_and_components_but_not_the_status(client, person, org):
    person(org, "member", client)
    api, web = MonitorFactory(organization=org, name="API"), MonitorFactory(organization=org, name="Web")
    incident = services.incident_create(organization=org, title="Old", impact="low", affected=[(api, None)])
    form = client.get(f"/incidents/{incident.id}/edit").content.decode()
    assert 'value="Old"' in form and f'value="{api.id}" checked' in form

    response = client.post(
        f"/incidents/{incident.id}/edit",
        {"title": "New", "description": "", "impact": "critical", "status": "RESOLVED", "affected": [web.id]},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.title, incident.impact, incident.status) == ("New", "critical", "INVESTIGATING")
    assert [(a.monitor_id, a.status) for a in incident.affected.all()] == [(web.id, "major_outage")]

    response = client.post(f"/incidents/{incident.id}/edit", {"title": "", "impact": "low"})
    assert "This field is required." in _error(response.content.decode(), "title")
    incident.refresh_from_db()
    assert incident.title == "New"


# --- the incident's page: timeline, updates, resolve ---


def test_detail_shows_timeline_components_and_public_pages(client, person, org):
    person(org, "viewer", client)
    api = MonitorFactory(organization=org, name="API")
    showing, other = StatusPageFactory(organization=org, name="Public"), StatusPageFactory(organization=org)
    StatusPageComponent.objects.create(page=showing, monitor=api)
    StatusPageComponent.objects.create(page=other, monitor=MonitorFactory(organization=org))
    incident = services.incident_create(
        organization=org, title="Outage", description="First look", affected=[(api, None)]
    )
    services.incident_add_update(
        incident=incident, message="Fix deployed", status="MONITORING", notify_subscribers=True
    )

    page = client.get(f"/incidents/{incident.id}/").content.decode()
    assert "First look" in page and "Fix deployed" in page and "Notified" in page and "Not notified" in page
    timeline = page[page.index("<h2>Timeline</h2>") :]
    assert timeline.index("Fix deployed") < timeline.index("First look")  # newest first
    assert f'href="/status/{showing.slug}/incidents/{incident.id}"' in page
    assert f"/status/{other.slug}/" not in page
    # A viewer reads only.
    assert "Post an update" not in page and "Resolve" not in page and "Edit" not in page

    # An incident that names no component shows on every page.
    bare = services.incident_create(organization=org, title="Everything")
    page = client.get(f"/incidents/{bare.id}/").content.decode()
    assert f"/status/{showing.slug}/incidents/{bare.id}" in page and f"/status/{other.slug}/incidents/{bare.id}" in page


def test_posting_an_update_with_notify_subscribers(client, person, org):
    person(org, "member", client)
    incident = services.incident_create(organization=org, title="Outage")
    page = client.get(f"/incidents/{incident.id}/").content.decode()
    assert "Post an update" in page and 'name="notifySubscribers"' in page and "Resolve" in page

    response = client.post(
        f"/incidents/{incident.id}/updates",
        {"message": "Root cause found", "status": "IDENTIFIED", "notifySubscribers": "on"},
    )
    assert response.status_code == 302 and response.url == f"/incidents/{incident.id}/"
    update = IncidentUpdate.objects.get(incident=incident, message="Root cause found")
    assert update.notify_subscribers is True and update.status == "IDENTIFIED"
    incident.refresh_from_db()
    assert incident.status == "IDENTIFIED"

    client.post(f"/incidents/{incident.id}/updates", {"message": "Quiet note", "status": "IDENTIFIED"})
    assert IncidentUpdate.objects.get(message="Quiet note").notify_subscribers is False


def test_a_bad_update_shows_the_error_and_adds_nothing(client, person, org):
    person(org, "member", client)
    incident = services.incident_create(organization=org, title="Outage")
    response = client.post(f"/incidents/{incident.id}/updates", {"message": "", "status": "IDENTIFIED"})
    assert response.status_code == 400
    assert "This field may not be blank." in _error(response.content.decode(), "message")
    response = client.post(f"/incidents/{incident.id}/updates", {"message": "Hi", "status": "BORED"})
    assert "is not a valid choice" in _error(response.content.decode(), "status")
    assert incident.updates.count() == 1
    incident.refresh_from_db()
    assert incident.status == "INVESTIGATING"
    assert client.get(f"/incidents/{incident.id}/updates").status_code == 405


def test_resolve_sets_resolved_and_resolved_at(client, person, org):
    person(org, "member", client)
    api = MonitorFactory(organization=org)
    incident = services.incident_create(organization=org, title="Outage", impact="critical", affected=[(api, None)])
    assert client.get(f"/incidents/{incident.id}/resolve").status_code == 405

    response = client.post(f"/incidents/{incident.id}/resolve")
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "RESOLVED" and incident.resolved_at is not None
    assert incident.affected.get().status == "operational"
    assert incident.updates.first().status == "RESOLVED"
    page = client.get(f"/incidents/{incident.id}/").content.decode()
    assert "resolved." in page and f'action="/incidents/{incident.id}/resolve"' not in page

    resolved_at = incident.resolved_at
    client.post(f"/incidents/{incident.id}/resolve")  # twice: nothing changes
    incident.refresh_from_db()
    assert incident.resolved_at == resolved_at and incident.updates.count() == 2


def test_viewer_cannot_create_edit_update_or_resolve(client, person, org):
    person(org, "viewer", client)
    incident = services.incident_create(organization=org, title="Outage")
    assert client.get("/incidents/new").status_code == 403
    assert client.post("/incidents/new", {"title": "X", "impact": "none", "status": "INVESTIGATING"}).status_code == 403
    assert client.get(f"/incidents/{incident.id}/edit").status_code == 403
    assert client.post(f"/incidents/{incident.id}/edit", {"title": "Y", "impact": "none"}).status_code == 403
    assert (
        client.post(f"/incidents/{incident.id}/updates", {"message": "Hi", "notifySubscribers": "on"}).status_code
        == 403
    )
    assert client.post(f"/incidents/{incident.id}/resolve").status_code == 403
    incident.refresh_from_db()
    assert (incident.title, incident.status, incident.updates.count()) == ("Outage", "INVESTIGATING", 1)
    assert Incident.objects.count() == 1


def test_another_organizations_incident_is_a_404(client, person, org, other_org):
    person(org, "admin", client)
    theirs = services.incident_create(organization=other_org, title="Theirs")
    assert client.get(f"/incidents/{theirs.id}/").status_code == 404
    assert client.get(f"/incidents/{theirs.id}/edit").status_code == 404
    assert client.post(f"/incidents/{theirs.id}/edit", {"title": "Mine now", "impact": "none"}).status_code == 404
    assert client.post(f"/incidents/{theirs.id}/updates", {"message": "Hi"}).status_code == 404
    assert client.post(f"/incidents/{theirs.id}/resolve").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status, theirs.updates.count()) == ("Theirs", "INVESTIGATING", 1)


# --- maintenance windows ---


def _window(org, title="Database upgrade", hours=24, **fields):
    now = datetime.now(UTC).replace(microsecond=0)
    return maintenance_services.maintenance_create(
        organization=org,
        title=title,
        starts_at=now + timedelta(hours=hours),
        ends_at=now + timedelta(hours=hours + 2),
        **fields,
    )


def test_maintenance_list_shows_upcoming_and_completed_windows(client, person, org, other_org):
    person(org, "viewer", client)
    db = MonitorFactory(organization=org, name="Primary DB")
    _window(org, "Database upgrade", monitors=[db])
    _window(org, "Last year's move", hours=-24 * 365)
    _window(other_org, "Someone else's")
    page = client.get("/incidents/maintenance/").content.decode()
    assert page.index("<h2>Upcoming") < page.index("Database upgrade") < page.index("<h2>Completed")
    assert page.index("<h2>Completed") < page.index("Last year")
    assert "Primary DB" in page and "UTC" in page and "Someone else" not in page
    assert "New maintenance window" not in page and "/edit" not in page
    page = client.get("/incidents/maintenance/?status=completed").content.decode()
    assert "Last year" in page and "Database upgrade" not in page


def test_member_schedules_maintenance_in_utc(client, person, org):
    person(org, "member", client)
    db = MonitorFactory(organization=org, name="Primary DB")
    form = client.get("/incidents/maintenance/new").content.decode()
    assert 'type="datetime-local"' in form and "in UTC" in form
    response = client.post(
        "/incidents/maintenance/new",
        {
            "title": "Database upgrade",
            "description": "Minor version",
            "status": "scheduled",
            "startsAt": "2099-03-01T22:00",
            "endsAt": "2099-03-01T23:30",
            "monitors": [db.id],
        },
    )
    assert response.status_code == 302 and response.url == "/incidents/maintenance/"
    window = Maintenance.objects.get(organization=org)
    assert window.starts_at == datetime(2099, 3, 1, 22, 0, tzinfo=UTC)
    assert window.ends_at == datetime(2099, 3, 1, 23, 30, tzinfo=UTC)
    assert list(window.monitors.all()) == [db] and window.status == "scheduled"


def test_a_window_already_under_way_puts_its_monitors_in_maintenance(client, person, org):
    person(org, "member", client)
    db = MonitorFactory(organization=org)
    now = datetime.now(UTC)
    client.post(
        "/incidents/maintenance/new",
        {
            "title": "Now",
            "status": "scheduled",
            "startsAt": (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
            "endsAt": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "monitors": [db.id],
        },
    )
    assert Maintenance.objects.get().status == "in_progress"
    db.refresh_from_db()
    assert db.in_maintenance is True


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"startsAt": ""}, "startsAt", "This field is required."),
        ({"endsAt": "2099-03-01T21:00"}, "endsAt", "endsAt must be after startsAt."),
        ({"endsAt": "tomorrow"}, "endsAt", "Datetime has wrong format"),
        ({"status": "forgotten"}, "status", "is not a valid choice"),
        ({"monitors": "THEIRS"}, "monitors", "Unknown monitor:"),
    ],
)
def test_bad_maintenance_forms_show_the_api_message_next_to_the_field_and_save_nothing(
    client, person, org, other_org, data, field, message
):
    person(org, "member", client)
    theirs = MonitorFactory(organization=other_org)
    body = {"title": "Upgrade", "status": "scheduled", "startsAt": "2099-03-01T22:00", "endsAt": "2099-03-01T23:00"}
    body.update({name: theirs.id if value == "THEIRS" else value for name, value in data.items()})
    response = client.post("/incidents/maintenance/new", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in _error(html, field)
    assert re.search(f'aria-describedby="[^"]*e-{field}" aria-invalid="true"', html)
    assert not Maintenance.objects.exists()


def test_edit_maintenance(client, person, org):
    person(org, "member", client)
    first, second = MonitorFactory(organization=org, name="First"), MonitorFactory(organization=org, name="Second")
    window = _window(org, monitors=[first])
    form = client.get(f"/incidents/maintenance/{window.id}/edit").content.decode()
    assert 'value="Database upgrade"' in form and window.starts_at.strftime("%Y-%m-%dT%H:%M") in form
    assert f'value="{first.id}" checked' in form

    response = client.post(
        f"/incidents/maintenance/{window.id}/edit",
        {
            "title": "Bigger upgrade",
            "description": "",
            "status": "scheduled",
            "startsAt": "2099-05-01T10:00",
            "endsAt": "2099-05-01T12:00",
            "monitors": [second.id],
        },
    )
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.title == "Bigger upgrade" and window.starts_at == datetime(2099, 5, 1, 10, tzinfo=UTC)
    assert list(window.monitors.all()) == [second]

    body = {"title": "Broken", "status": "scheduled", "startsAt": "2099-05-01T10:00", "endsAt": "2099-05-01T09:00"}
    response = client.post(f"/incidents/maintenance/{window.id}/edit", body)
    assert response.status_code == 400 and "endsAt must be after startsAt." in _error(
        response.content.decode(), "endsAt"
    )
    window.refresh_from_db()
    assert window.title == "Bigger upgrade"


def test_delete_maintenance_asks_first(client, person, org):
    person(org, "member", client)
    db = MonitorFactory(organization=org)
    window = _window(org, hours=-1, monitors=[db])  # active now
    assert Monitor.objects.get(pk=db.pk).in_maintenance is True
    confirm = client.get(f"/incidents/maintenance/{window.id}/delete")
    assert b"cannot be undone" in confirm.content and b"leave maintenance" in confirm.content
    assert Maintenance.objects.filter(pk=window.pk).exists()
    response = client.post(f"/incidents/maintenance/{window.id}/delete")
    assert response.status_code == 302
    assert not Maintenance.objects.exists()
    assert Monitor.objects.get(pk=db.pk).in_maintenance is False


def test_viewer_cannot_change_maintenance(client, person, org):
    person(org, "viewer", client)
    window = _window(org)
    body = {"title": "X", "status": "scheduled", "startsAt": "2099-03-01T22:00", "endsAt": "2099-03-01T23:00"}
    assert client.get("/incidents/maintenance/new").status_code == 403
    assert client.post("/incidents/maintenance/new", body).status_code == 403
    assert client.post(f"/incidents/maintenance/{window.id}/edit", body).status_code == 403
    assert client.get(f"/incidents/maintenance/{window.id}/delete").status_code == 403
    assert client.post(f"/incidents/maintenance/{window.id}/delete").status_code == 403
    assert list(Maintenance.objects.values_list("title", flat=True)) == ["Database upgrade"]


def test_another_organizations_window_is_a_404(client, person, org, other_org):
    person(org, "admin", client)
    theirs = _window(other_org)
    body = {"title": "X", "status": "scheduled", "startsAt": "2099-03-01T22:00", "endsAt": "2099-03-01T23:00"}
    assert client.get(f"/incidents/maintenance/{theirs.id}/edit").status_code == 404
    assert client.post(f"/incidents/maintenance/{theirs.id}/edit", body).status_code == 404
    assert client.post(f"/incidents/maintenance/{theirs.id}/delete").status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Database upgrade"


# --- CSRF ---


def test_forms_need_the_csrf_token(person, org):
    client = Client(enforce_csrf_checks=True)
    person(org, "member", client)
    incident = services.incident_create(organization=org, title="Outage")
    window = _window(org)
    maintenance_body = {
        "title": "X",
        "status": "scheduled",
        "startsAt": "2099-03-01T22:00",
        "endsAt": "2099-03-01T23:00",
    }
    assert client.post("/incidents/new", {"title": "X", "impact": "none", "status": "INVESTIGATING"}).status_code == 403
    assert client.post(f"/incidents/{incident.id}/edit", {"title": "Y", "impact": "none"}).status_code == 403
    assert client.post(f"/incidents/{incident.id}/updates", {"message": "Hi"}).status_code == 403
    assert client.post(f"/incidents/{incident.id}/resolve").status_code == 403
    assert client.post("/incidents/maintenance/new", maintenance_body).status_code == 403
    assert client.post(f"/incidents/maintenance/{window.id}/edit", maintenance_body).status_code == 403
    assert client.post(f"/incidents/maintenance/{window.id}/delete").status_code == 403
    incident.refresh_from_db()
    assert (Incident.objects.count(), incident.title, incident.status, incident.updates.count()) == (
        1,
        "Outage",
        "INVESTIGATING",
        1,
    )
    assert list(Maintenance.objects.values_list("title", flat=True)) == ["Database upgrade"]

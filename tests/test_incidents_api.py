"""The /api/incidents endpoints: the seed's examples, affected components, the timeline
(`updates`), resolution, filters and organization isolation."""

import json

import pytest

from incidents.models import AffectedComponent, Incident, IncidentStatus, IncidentUpdate

from .factories import IncidentFactory, MonitorFactory

pytestmark = pytest.mark.django_db

SEED_CREATE = {
    "title": "Database Maintenance",
    "description": "Planned maintenance on primary database",
    "status": "INVESTIGATING",
    "affectedComponents": ["mon_123", "mon_456"],
    "impact": "high",
}
SEED_RESOLVE = {"status": "RESOLVED", "update": "Issue resolved. All systems operational."}
SEED_ADD_UPDATE = {"message": "Investigating database connectivity issues", "notifySubscribers": True}


@pytest.fixture
def seed_monitors(org):
    """The monitors the seed's examples name, in the caller's organization."""
    return [
        MonitorFactory(id="mon_123", organization=org, name="Primary database"),
        MonitorFactory(id="mon_456", organization=org, name="Replica database"),
    ]


@pytest.fixture
def incident(admin, seed_monitors) -> dict:
    """The seed's incident, created through the API."""
    response = admin.post("/api/incidents", SEED_CREATE, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def assert_invalid(response, field: str) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in error["fields"], error
    return error


# --- Create ---------------------------------------------------------------------------


def test_seed_create_example_returns_201_with_the_sent_values(admin, seed_monitors):
    response = admin.post("/api/incidents", SEED_CREATE, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("inc_")
    assert body["title"] == "Database Maintenance"
    assert body["description"] == "Planned maintenance on primary database"
    assert body["status"] == "INVESTIGATING"
    assert body["impact"] == "high"
    assert body["affectedComponents"] == ["mon_123", "mon_456"]
    assert body["createdAt"].endswith("Z")
    assert body["resolvedAt"] is None
    stored = Incident.objects.get(id=body["id"])
    assert stored.organization == admin.organization
    assert (stored.title, stored.status, stored.impact) == ("Database Maintenance", "INVESTIGATING", "high")
    assert list(stored.affected.values_list("monitor_id", flat=True)) == ["mon_123", "mon_456"]


def test_seed_create_example_starts_the_timeline_with_one_investigating_entry(admin, incident):
    response = admin.get(f"/api/incidents/{incident['id']}")

    assert response.status_code == 200
    updates = response.json()["updates"]
    assert len(updates) == 1
    assert updates[0]["status"] == "INVESTIGATING"
    assert updates[0]["id"].startswith("upd_")
    assert IncidentUpdate.objects.filter(incident_id=incident["id"]).count() == 1


def test_get_detail_returns_the_created_incident(admin, incident):
    response = admin.get(f"/api/incidents/{incident['id']}")

    body = response.json()
    assert {key: body[key] for key in incident} == incident


def test_python_example_creates_an_incident_affecting_one_monitor(admin, seed_monitors):
    body = {"title": "Service Degradation", "status": "INVESTIGATING", "affectedComponents": ["mon_123"]}

    response = admin.post("/api/incidents", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Service Degradation"
    assert data["affectedComponents"] == ["mon_123"]
    assert [component["id"] for component in data["components"]] == ["mon_123"]
    assert data["components"][0]["name"] == "Primary database"
    assert Incident.objects.get(id=data["id"]).affected.get().monitor_id == "mon_123"


def test_curl_example_with_curls_form_content_type_creates_an_incident(admin):
    body = {"title": "External Alert", "description": "Alert from monitoring system", "status": "INVESTIGATING"}

    response = admin.post("/api/incidents", data=json.dumps(body), content_type="application/x-www-form-urlencoded")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["title"], data["description"], data["status"]) == (
        "External Alert",
        "Alert from monitoring system",
        "INVESTIGATING",
    )
    assert data["affectedComponents"] == []
    assert Incident.objects.filter(id=data["id"], organization=admin.organization).exists()


def test_unknown_component_id_is_400_naming_it_and_nothing_is_stored(admin, seed_monitors):
    response = admin.post(
        "/api/incidents", {**SEED_CREATE, "affectedComponents": ["mon_123", "mon_nosuchmonitor"]}, format="json"
    )

    error = assert_invalid(response, "affectedComponents")
    assert "mon_nosuchmonitor" in " ".join(error["fields"]["affectedComponents"])
    assert "mon_123" not in " ".join(error["fields"]["affectedComponents"])
    assert Incident.objects.count() == 0
    assert AffectedComponent.objects.count() == 0
    assert IncidentUpdate.objects.count() == 0


def test_another_orgs_monitor_id_is_400_naming_it_and_nothing_is_stored(admin, other_org, seed_monitors):
    foreign = MonitorFactory(organization=other_org)

    response = admin.post("/api/incidents", {**SEED_CREATE, "affectedComponents": [foreign.id]}, format="json")

    error = assert_invalid(response, "affectedComponents")
    assert foreign.id in " ".join(error["fields"]["affectedComponents"])
    assert Incident.objects.count() == 0
    assert AffectedComponent.objects.count() == 0


def test_update_key_on_create_is_400_and_nothing_is_stored(admin, seed_monitors):
    response = admin.post("/api/incidents", {**SEED_CREATE, "update": "Not on create"}, format="json")

    assert_invalid(response, "update")
    assert Incident.objects.count() == 0
    assert IncidentUpdate.objects.count() == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", "inc_chosenbyclient"),
        ("createdAt", "2024-01-21T10:30:00Z"),
        ("resolvedAt", "2024-01-21T10:30:00Z"),
        ("duration", 5),
        ("organization", "org_someoneelse"),
        ("severity", "high"),
    ],
)
def test_read_only_or_unknown_key_on_create_is_400(admin, seed_monitors, key, value):
    response = admin.post("/api/incidents", {**SEED_CREATE, key: value}, format="json")

    assert_invalid(response, key)
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [("title", ""), ("title", "   "), ("status", "ACTIVE"), ("status", "resolved"), ("affectedComponents", "mon_123")],
)
def test_bad_value_on_create_is_400(admin, seed_monitors, key, value):
    response = admin.post("/api/incidents", {**SEED_CREATE, key: value}, format="json")

    assert_invalid(response, key)
    assert Incident.objects.count() == 0


def test_missing_title_is_400(admin):
    response = admin.post("/api/incidents", {"status": "INVESTIGATING"}, format="json")

    assert_invalid(response, "title")
    assert Incident.objects.count() == 0


# --- Impact and component status ------------------------------------------------------


@pytest.mark.parametrize("impact", ["none", "low", "medium", "high", "critical"])
def test_every_documented_impact_is_accepted_and_round_trips(admin, impact):
    response = admin.post("/api/incidents", {"title": "Impact", "impact": impact}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["impact"] == impact
    assert admin.get(f"/api/incidents/{response.json()['id']}").json()["impact"] == impact
    assert Incident.objects.get(id=response.json()["id"]).impact == impact


@pytest.mark.parametrize("impact", ["severe", "HIGH", "major", "minor", "", None, 3])
def test_undocumented_impact_is_400(admin, impact):
    response = admin.post("/api/incidents", {"title": "Impact", "impact": impact}, format="json")

    assert_invalid(response, "impact")
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(("impact", "component_status"), [("high", "partial_outage"), ("critical", "major_outage")])
def test_component_status_defaults_from_the_impact(admin, seed_monitors, impact, component_status):
    response = admin.post("/api/incidents", {**SEED_CREATE, "impact": impact}, format="json")

    assert response.status_code == 201, response.content
    assert [component["status"] for component in response.json()["components"]] == [component_status] * 2
    stored = AffectedComponent.objects.filter(incident_id=response.json()["id"])
    assert set(stored.values_list("status", flat=True)) == {component_status}


def test_component_objects_with_a_status_are_accepted(admin, seed_monitors):
    body = {**SEED_CREATE, "affectedComponents": [{"id": "mon_123", "status": "major_outage"}, "mon_456"]}

    response = admin.post("/api/incidents", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["affectedComponents"] == ["mon_123", "mon_456"]
    assert {component["id"]: component["status"] for component in data["components"]} == {
        "mon_123": "major_outage",
        "mon_456": "partial_outage",
    }
    stored = dict(AffectedComponent.objects.filter(incident_id=data["id"]).values_list("monitor_id", "status"))
    assert stored == {"mon_123": "major_outage", "mon_456": "partial_outage"}


@pytest.mark.parametrize(
    "component",
    [
        {"id": "mon_123", "status": "down"},
        {"id": "mon_123", "state": "major_outage"},
        {"status": "major_outage"},
        {"id": 123},
        42,
        "",
    ],
)
def test_malformed_component_is_400(admin, seed_monitors, component):
    response = admin.post("/api/incidents", {**SEED_CREATE, "affectedComponents": [component]}, format="json")

    assert_invalid(response, "affectedComponents.0")  # the list item at fault
    assert Incident.objects.count() == 0


def test_a_monitor_listed_twice_is_400(admin, seed_monitors):
    response = admin.post(
        "/api/incidents", {**SEED_CREATE, "affectedComponents": ["mon_123", "mon_123"]}, format="json"
    )

    assert_invalid(response, "affectedComponents")
    assert Incident.objects.count() == 0


# --- Update and resolve ---------------------------------------------------------------


def test_seed_resolve_example_resolves_and_adds_a_timeline_entry(admin, incident):
    response = admin.put(f"/api/incidents/{incident['id']}", SEED_RESOLVE, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "RESOLVED"
    assert body["resolvedAt"] is not None
    assert body["resolvedAt"].endswith("Z")
    assert isinstance(body["duration"], int)
    assert body["duration"] >= 0
    stored = Incident.objects.get(id=incident["id"])
    assert stored.status == IncidentStatus.RESOLVED
    assert stored.resolved_at is not None

    updates = admin.get(f"/api/incidents/{incident['id']}").json()["updates"]
    assert len(updates) == 2
    assert updates[0]["status"] == "RESOLVED"
    assert updates[0]["message"] == "Issue resolved. All systems operational."
    assert updates[1]["status"] == "INVESTIGATING"


def test_resolving_sets_the_affected_components_operational(admin, incident):
    response = admin.put(f"/api/incidents/{incident['id']}", SEED_RESOLVE, format="json")

    assert [component["status"] for component in response.json()["components"]] == ["operational", "operational"]
    stored = AffectedComponent.objects.filter(incident_id=incident["id"])
    assert set(stored.values_list("status", flat=True)) == {"operational"}
    assert response.json()["affectedComponents"] == ["mon_123", "mon_456"]


def test_put_is_partial_and_keeps_unsent_fields(admin, incident):
    response = admin.put(f"/api/incidents/{incident['id']}", {"title": "Renamed"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Renamed"
    for key in ("description", "status", "impact", "affectedComponents", "components", "resolvedAt"):
        assert body[key] == incident[key]
    stored = Incident.objects.get(id=incident["id"])
    assert (stored.title, stored.description, stored.impact) == (
        "Renamed",
        "Planned maintenance on primary database",
        "high",
    )


def test_put_update_message_without_status_change_adds_a_timeline_entry(admin, incident):
    response = admin.put(f"/api/incidents/{incident['id']}", {"update": "Still looking."}, format="json")

    assert response.status_code == 200, response.content
    updates = admin.get(f"/api/incidents/{incident['id']}").json()["updates"]
    assert [(entry["status"], entry["message"]) for entry in updates[:1]] == [("INVESTIGATING", "Still looking.")]
    assert len(updates) == 2


@pytest.mark.parametrize(
    ("key", "value"),
    [("status", "CLOSED"), ("impact", "severe"), ("id", "inc_x"), ("resolvedAt", "2024-01-21T10:30:00Z"), ("x", 1)],
)
def test_bad_put_is_400_and_changes_nothing(admin, incident, key, value):
    response = admin.put(f"/api/incidents/{incident['id']}", {"title": "Changed", key: value}, format="json")

    assert_invalid(response, key)
    stored = Incident.objects.get(id=incident["id"])
    assert (stored.title, stored.status, stored.impact) == ("Database Maintenance", "INVESTIGATING", "high")
    assert IncidentUpdate.objects.filter(incident=stored).count() == 1


def test_put_with_an_unknown_component_changes_nothing(admin, incident):
    response = admin.put(
        f"/api/incidents/{incident['id']}", {"affectedComponents": ["mon_nosuchmonitor"]}, format="json"
    )

    error = assert_invalid(response, "affectedComponents")
    assert "mon_nosuchmonitor" in " ".join(error["fields"]["affectedComponents"])
    stored = AffectedComponent.objects.filter(incident_id=incident["id"])
    assert list(stored.values_list("monitor_id", flat=True)) == ["mon_123", "mon_456"]


def test_delete_returns_204_and_removes_the_incident(admin, incident):
    response = admin.delete(f"/api/incidents/{incident['id']}")

    assert response.status_code == 204
    assert not Incident.objects.filter(id=incident["id"]).exists()
    assert admin.get(f"/api/incidents/{incident['id']}").status_code == 404


# --- Incident updates (timeline entries) ----------------------------------------------


def test_seed_add_update_example_returns_201_and_is_stored(admin, incident):
    response = admin.post(f"/api/incidents/{incident['id']}/updates", SEED_ADD_UPDATE, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("upd_")
    assert body["message"] == "Investigating database connectivity issues"
    assert body["notifySubscribers"] is True
    assert body["createdAt"].endswith("Z")
    stored = IncidentUpdate.objects.get(id=body["id"])
    assert stored.incident_id == incident["id"]
    assert stored.message == "Investigating database connectivity issues"
    assert stored.notify_subscribers is True


def test_added_update_appears_first_in_the_detail_timeline(admin, incident):
    added = admin.post(f"/api/incidents/{incident['id']}/updates", SEED_ADD_UPDATE, format="json").json()

    updates = admin.get(f"/api/incidents/{incident['id']}").json()["updates"]

    assert len(updates) == 2
    assert updates[0] == added


def test_add_update_without_notify_subscribers_defaults_to_false(admin, incident):
    response = admin.post(f"/api/incidents/{incident['id']}/updates", {"message": "Quiet note"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["notifySubscribers"] is False
    assert IncidentUpdate.objects.get(id=response.json()["id"]).notify_subscribers is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notifySubscribers": True}, "message"),
        ({"message": ""}, "message"),
        ({"message": None}, "message"),
        ({**SEED_ADD_UPDATE, "priority": "high"}, "priority"),
        ({**SEED_ADD_UPDATE, "id": "upd_chosenbyclient"}, "id"),
        ({**SEED_ADD_UPDATE, "notifySubscribers": "perhaps"}, "notifySubscribers"),
        ({**SEED_ADD_UPDATE, "status": "CLOSED"}, "status"),
    ],
)
def test_bad_add_update_is_400_and_nothing_is_stored(admin, incident, body, field):
    response = admin.post(f"/api/incidents/{incident['id']}/updates", body, format="json")

    assert_invalid(response, field)
    assert IncidentUpdate.objects.filter(incident_id=incident["id"]).count() == 1


def test_add_update_to_unknown_incident_is_404(admin):
    response = admin.post("/api/incidents/inc_doesnotexist/updates", SEED_ADD_UPDATE, format="json")

    assert response.status_code == 404
    assert IncidentUpdate.objects.count() == 0


# --- List and filters -----------------------------------------------------------------


def test_list_returns_the_envelope_with_summary_items(admin, incident):
    response = admin.get("/api/incidents")

    assert response.status_code == 200
    body = response.json()
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 1, "pages": 1}
    (item,) = body["data"]
    assert item["id"] == incident["id"]
    assert item["affectedComponents"] == ["mon_123", "mon_456"]
    assert item["impact"] == "high"
    assert "updates" not in item  # the timeline is on the detail


@pytest.mark.parametrize("status", ["INVESTIGATING", "IDENTIFIED", "MONITORING", "RESOLVED"])
def test_status_filter_returns_only_incidents_in_that_status(admin, status):
    expected = {
        IncidentFactory(organization=admin.organization, status=status).id,
        IncidentFactory(organization=admin.organization, status=status).id,
    }
    for other in set(IncidentStatus.values) - {status}:
        IncidentFactory(organization=admin.organization, status=other)

    response = admin.get("/api/incidents", {"status": status})

    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body["data"]} == expected
    assert all(item["status"] == status for item in body["data"])
    assert body["pagination"]["total"] == 2


@pytest.mark.parametrize("status", ["CLOSED", "resolved", "ACTIVE"])
def test_invalid_status_filter_is_400(admin, status):
    IncidentFactory(organization=admin.organization)

    response = admin.get("/api/incidents", {"status": status})

    assert_invalid(response, "status")


def test_incident_list_pages(admin):
    IncidentFactory.create_batch(25, organization=admin.organization)

    first = admin.get("/api/incidents", {"limit": 10}).json()
    last = admin.get("/api/incidents", {"limit": 10, "page": 3}).json()

    assert first["pagination"] == {"page": 1, "limit": 10, "total": 25, "pages": 3}
    assert len(first["data"]) == 10
    assert len(last["data"]) == 5
    assert admin.get("/api/incidents", {"limit": "0"}).status_code == 400


# --- Another organization -------------------------------------------------------------


def test_outsider_gets_404_reading_another_orgs_incident(outsider, incident):
    response = outsider.get(f"/api/incidents/{incident['id']}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_outsider_gets_404_updating_another_orgs_incident_and_it_is_unchanged(outsider, incident):
    response = outsider.put(f"/api/incidents/{incident['id']}", SEED_RESOLVE, format="json")

    assert response.status_code == 404
    stored = Incident.objects.get(id=incident["id"])
    assert stored.status == IncidentStatus.INVESTIGATING
    assert stored.resolved_at is None
    assert IncidentUpdate.objects.filter(incident=stored).count() == 1


def test_outsider_gets_404_deleting_another_orgs_incident_and_it_remains(outsider, incident):
    response = outsider.delete(f"/api/incidents/{incident['id']}")

    assert response.status_code == 404
    assert Incident.objects.filter(id=incident["id"]).exists()


def test_outsider_gets_404_adding_an_update_to_another_orgs_incident(outsider, incident):
    response = outsider.post(f"/api/incidents/{incident['id']}/updates", SEED_ADD_UPDATE, format="json")

    assert response.status_code == 404
    assert IncidentUpdate.objects.filter(incident_id=incident["id"]).count() == 1


def test_outsider_does_not_see_another_orgs_incident_in_its_list(outsider, incident):
    own = IncidentFactory(organization=outsider.organization)

    body = outsider.get("/api/incidents").json()

    assert [item["id"] for item in body["data"]] == [own.id]
    assert body["pagination"]["total"] == 1

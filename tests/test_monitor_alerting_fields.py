"""The monitor's alerting fields on /api/monitors: retryInterval, alertChannels,
reminderInterval, escalation, dependsOn, and the read-only acknowledgedAt/acknowledgedBy.

Alert channel ids are checked through monitors.channel_refs, against the real alert
channels table: through the lookup alerts registers when it is loaded."""

import pytest
import yaml
from django.utils import timezone

from alerts.models import AlertChannel
from monitors import channel_refs
from monitors.models import Monitor

from .factories import MonitorFactory

pytestmark = pytest.mark.django_db

BODY = {"name": "API", "type": "http", "url": "https://api.example.com/health", "interval": 300}


def channel(organization, name: str = "On call") -> str:
    return AlertChannel.objects.create(
        organization=organization, name=name, type="email", config={"address": "oncall@example.com"}
    ).id


def create(client, **fields):
    return client.post("/api/monitors", {**BODY, **fields}, format="json")


def assert_invalid(response, field: str) -> list[str]:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in error["fields"], error
    return error["fields"][field]


# --- Stored and shown ----------------------------------------------------------------


def test_create_with_every_alerting_field_stores_and_returns_them(admin, org):
    first, second = channel(org, "Email"), channel(org, "Pager")
    database = MonitorFactory(organization=org, name="Database")
    escalation = [{"afterMinutes": 15, "channels": [second]}, {"afterMinutes": 60, "channels": [first, second]}]

    response = create(
        admin,
        retries=2,
        retryInterval=20,
        alertChannels=[first],
        reminderInterval=30,
        escalation=escalation,
        dependsOn=[database.id],
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["retryInterval"] == 20
    assert body["alertChannels"] == [first]
    assert body["reminderInterval"] == 30
    assert body["escalation"] == escalation
    assert body["dependsOn"] == [database.id]
    assert body["acknowledgedAt"] is None and body["acknowledgedBy"] is None
    monitor = Monitor.objects.get(id=body["id"])
    assert (monitor.retry_interval, monitor.alert_channels, monitor.reminder_interval) == (20, [first], 30)
    assert monitor.escalation == escalation
    assert list(monitor.depends_on.values_list("id", flat=True)) == [database.id]
    assert list(database.dependents.values_list("id", flat=True)) == [monitor.id]


def test_a_new_monitor_has_no_alerting_settings(admin):
    body = create(admin).json()

    assert {key: body[key] for key in ("retryInterval", "alertChannels", "reminderInterval", "escalation")} == {
        "retryInterval": None,
        "alertChannels": [],
        "reminderInterval": None,
        "escalation": [],
    }
    assert (body["dependsOn"], body["acknowledgedAt"], body["acknowledgedBy"]) == ([], None, None)


def test_detail_and_list_show_the_dependencies_and_acknowledgement(admin, org):
    database, cache = MonitorFactory(organization=org), MonitorFactory(organization=org)
    acknowledged_at = timezone.now().replace(microsecond=0)
    api = MonitorFactory(
        organization=org, status=Monitor.Status.DOWN, acknowledged_at=acknowledged_at, acknowledged_by="ana@example.com"
    )
    api.depends_on.set([database, cache])

    detail = admin.get(f"/api/monitors/{api.id}").json()
    listed = {item["id"]: item for item in admin.get("/api/monitors").json()["data"]}

    assert detail["dependsOn"] == sorted([database.id, cache.id])
    assert detail["acknowledgedAt"] == acknowledged_at.isoformat().replace("+00:00", "Z")
    assert detail["acknowledgedBy"] == "ana@example.com"
    assert listed[api.id] == detail
    assert listed[database.id]["dependsOn"] == []


def test_put_changes_only_the_alerting_fields_sent(admin, org):
    ach = channel(org)
    database = MonitorFactory(organization=org)
    monitor_id = create(admin, retryInterval=30, alertChannels=[ach], dependsOn=[database.id]).json()["id"]

    response = admin.put(f"/api/monitors/{monitor_id}", {"reminderInterval": 120}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["retryInterval"], body["alertChannels"], body["reminderInterval"]) == (30, [ach], 120)
    assert body["dependsOn"] == [database.id]


def test_put_replaces_or_clears_dependencies_and_settings(admin, org):
    database, cache = MonitorFactory(organization=org), MonitorFactory(organization=org)
    monitor_id = create(admin, retryInterval=30, reminderInterval=5, dependsOn=[database.id]).json()["id"]

    replaced = admin.put(f"/api/monitors/{monitor_id}", {"dependsOn": [cache.id]}, format="json")
    cleared = admin.put(
        f"/api/monitors/{monitor_id}",
        {"dependsOn": [], "retryInterval": None, "reminderInterval": None, "escalation": []},
        format="json",
    )

    assert replaced.status_code == 200 and replaced.json()["dependsOn"] == [cache.id]
    assert cleared.status_code == 200, cleared.content
    body = cleared.json()
    assert (body["dependsOn"], body["retryInterval"], body["reminderInterval"], body["escalation"]) == (
        [],
        None,
        None,
        [],
    )
    assert not Monitor.objects.get(id=monitor_id).depends_on.exists()


def test_deleting_a_monitor_removes_it_from_its_dependents(admin, org):
    database = MonitorFactory(organization=org)
    monitor_id = create(admin, dependsOn=[database.id]).json()["id"]

    assert admin.delete(f"/api/monitors/{database.id}").status_code == 204

    assert admin.get(f"/api/monitors/{monitor_id}").json()["dependsOn"] == []


@pytest.mark.parametrize(
    ("key", "value"), [("acknowledgedAt", "2030-01-01T00:00:00Z"), ("acknowledgedBy", "me"), ("acknowledgedBy", None)]
)
def test_acknowledgement_cannot_be_written(admin, org, key, value):
    monitor = MonitorFactory(organization=org)

    response = admin.put(f"/api/monitors/{monitor.id}", {key: value}, format="json")

    assert assert_invalid(response, key) == ["This field is read-only."]
    monitor.refresh_from_db()
    assert (monitor.acknowledged_at, monitor.acknowledged_by) == (None, "")


# --- Bounds ----------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value"), [("retryInterval", 10), ("retryInterval", 86400), ("reminderInterval", 1)])
def test_intervals_at_their_bounds_are_accepted(admin, key, value):
    response = create(admin, **{key: value})

    assert response.status_code == 201, response.content
    assert response.json()[key] == value


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("retryInterval", 9),
        ("retryInterval", 86401),
        ("retryInterval", "soon"),
        ("retryInterval", 10**30),
        ("reminderInterval", 0),
        ("reminderInterval", 10081),
        ("reminderInterval", 1.5),
    ],
)
def test_intervals_out_of_bounds_are_400_and_nothing_is_stored(admin, key, value):
    assert_invalid(create(admin, **{key: value}), key)
    assert not Monitor.objects.exists()


# --- Alert channels ---------------------------------------------------------------------


def test_another_organizations_channel_is_refused_like_a_missing_one(admin, org, other_org):
    theirs = channel(other_org)
    missing = "ach_" + "0" * 20

    foreign_message = assert_invalid(create(admin, alertChannels=[theirs]), "alertChannels")
    missing_message = assert_invalid(create(admin, alertChannels=[missing]), "alertChannels")

    assert foreign_message == [f"Unknown alert channel: {theirs}."]
    assert missing_message == [f"Unknown alert channel: {missing}."]
    assert not Monitor.objects.exists()


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        (["twice", "twice"], "An id is listed twice."),
        (["not-a-channel"], "Unknown alert channel: not-a-channel."),
        ("ach_x", 'Expected a list of items but got type "str".'),
    ],
)
def test_bad_alert_channel_lists_are_400(admin, channels, message):
    assert assert_invalid(create(admin, alertChannels=channels), "alertChannels") == [message]


def test_at_most_50_alert_channels(admin, org):
    ids = [f"ach_{n:020d}" for n in range(51)]

    assert assert_invalid(create(admin, alertChannels=ids), "alertChannels") == [
        "Ensure this field has no more than 50 elements."
    ]


def test_an_update_with_an_unknown_channel_changes_nothing(admin, org):
    ach = channel(org)
    monitor_id = create(admin, alertChannels=[ach]).json()["id"]

    response = admin.put(
        f"/api/monitors/{monitor_id}", {"alertChannels": [ach, "ach_" + "1" * 20], "retryInterval": 20}, format="json"
    )

    assert_invalid(response, "alertChannels")
    monitor = Monitor.objects.get(id=monitor_id)
    assert (monitor.alert_channels, monitor.retry_interval) == ([ach], None)


def test_without_a_registered_lookup_only_the_shape_of_a_channel_id_is_checked(admin, monkeypatch):
    monkeypatch.setattr(channel_refs, "_lookup", None)
    well_formed = "ach_" + "a1" * 10

    accepted = create(admin, alertChannels=[well_formed])
    refused = create(admin, alertChannels=["ach_short"])

    assert accepted.status_code == 201 and accepted.json()["alertChannels"] == [well_formed]
    assert assert_invalid(refused, "alertChannels") == ["Unknown alert channel: ach_short."]


# --- Escalation ---------------------------------------------------------------------------


def test_escalation_steps_must_increase(admin, org):
    ach = channel(org)
    steps = [{"afterMinutes": 30, "channels": [ach]}, {"afterMinutes": 30, "channels": [ach]}]

    assert assert_invalid(create(admin, escalation=steps), "escalation") == [
        "Steps must come in strictly increasing afterMinutes."
    ]


def test_escalation_to_an_unknown_channel_is_400(admin, org, other_org):
    theirs = channel(other_org)

    messages = assert_invalid(create(admin, escalation=[{"afterMinutes": 5, "channels": [theirs]}]), "escalation")

    assert messages == [f"Unknown alert channel: {theirs}."]


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"afterMinutes": 0, "channels": ["ach_" + "a" * 20]}, "escalation.0.afterMinutes"),
        ({"afterMinutes": 10081, "channels": ["ach_" + "a" * 20]}, "escalation.0.afterMinutes"),
        ({"afterMinutes": 5, "channels": []}, "escalation.0.channels"),
        ({"afterMinutes": 5, "channels": [f"ach_{n:020d}" for n in range(21)]}, "escalation.0.channels"),
        ({"afterMinutes": 5, "channels": ["ach_" + "a" * 20] * 2}, "escalation.0.channels"),
        ({"channels": ["ach_" + "a" * 20]}, "escalation.0.afterMinutes"),
        ({"afterMinutes": 5, "channels": ["ach_" + "a" * 20], "notify": "all"}, "escalation.0.notify"),
    ],
)
def test_bad_escalation_step_is_400_naming_it(admin, step, field):
    assert_invalid(create(admin, escalation=[step]), field)
    assert not Monitor.objects.exists()


def test_at_most_5_escalation_steps(admin, org):
    ach = channel(org)
    steps = [{"afterMinutes": minutes, "channels": [ach]} for minutes in range(1, 7)]

    assert_invalid(create(admin, escalation=steps), "escalation")
    assert create(admin, escalation=steps[:5]).status_code == 201


# --- Dependencies ---------------------------------------------------------------------------


def test_another_organizations_monitor_is_refused_like_a_missing_one(admin, other_org):
    theirs = MonitorFactory(organization=other_org).id
    missing = "mon_" + "0" * 20

    assert assert_invalid(create(admin, dependsOn=[theirs]), "dependsOn") == [f"Unknown monitor: {theirs}."]
    assert assert_invalid(create(admin, dependsOn=[missing]), "dependsOn") == [f"Unknown monitor: {missing}."]
    assert not Monitor.objects.filter(organization=admin.organization).exists()


def test_a_monitor_cannot_depend_on_itself(admin, org):
    monitor = MonitorFactory(organization=org)

    response = admin.put(f"/api/monitors/{monitor.id}", {"dependsOn": [monitor.id]}, format="json")

    assert assert_invalid(response, "dependsOn") == ["A monitor cannot depend on itself."]
    assert not monitor.depends_on.exists()


def test_a_dependency_cycle_is_refused(admin, org):
    first, second, third = (MonitorFactory(organization=org) for _ in range(3))
    second.depends_on.set([first])
    third.depends_on.set([second])

    response = admin.put(f"/api/monitors/{first.id}", {"dependsOn": [third.id]}, format="json")

    assert assert_invalid(response, "dependsOn") == [
        f"{third.id} already depends on this monitor: that would be a cycle."
    ]
    assert not first.depends_on.exists()
    # Sharing a dependency is no cycle.
    assert (
        admin.put(f"/api/monitors/{third.id}", {"dependsOn": [second.id, first.id]}, format="json").status_code == 200
    )


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        (["mon_" + "0" * 20] * 2, "dependsOn", "An id is listed twice."),
        ([f"mon_{n:020d}" for n in range(51)], "dependsOn", "Ensure this field has no more than 50 elements."),
        ([{"id": "mon_x"}], "dependsOn.0", "Not a valid string."),
    ],
)
def test_bad_dependency_lists_are_400(admin, value, field, message):
    assert assert_invalid(create(admin, dependsOn=value), field) == [message]


def test_outsider_cannot_see_or_change_dependencies(admin, outsider, org):
    database = MonitorFactory(organization=org)
    mine = create(admin, dependsOn=[database.id]).json()["id"]

    assert outsider.put(f"/api/monitors/{mine}", {"dependsOn": []}, format="json").status_code == 404
    assert list(Monitor.objects.get(id=mine).depends_on.values_list("id", flat=True)) == [database.id]


# --- Schema ---------------------------------------------------------------------------------


def test_schema_describes_the_alerting_fields(client):
    components = yaml.safe_load(client.get("/api/schema").content)["components"]["schemas"]
    monitor, request = components["Monitor"]["properties"], components["PatchedMonitorRequest"]["properties"]
    step = components["EscalationStepRequest"]

    assert monitor["retryInterval"]["nullable"] and monitor["acknowledgedAt"]["nullable"]
    assert monitor["acknowledgedBy"]["nullable"] and monitor["acknowledgedAt"]["readOnly"]
    assert (request["retryInterval"]["minimum"], request["retryInterval"]["maximum"]) == (10, 86400)
    assert (request["reminderInterval"]["minimum"], request["reminderInterval"]["maximum"]) == (1, 10080)
    assert request["alertChannels"]["maxItems"] == 50 and request["dependsOn"]["maxItems"] == 50
    assert request["escalation"]["maxItems"] == 5
    assert request["alertChannels"]["uniqueItems"] and request["dependsOn"]["uniqueItems"]
    assert "acknowledgedAt" not in request and "acknowledgedBy" not in request
    assert step["additionalProperties"] is False and set(step["required"]) == {"afterMinutes", "channels"}
    assert step["properties"]["channels"]["minItems"] == 1 and step["properties"]["channels"]["maxItems"] == 20

"""The Statuspage API v2 JSON made from a status page's Snapshot."""

import json
import re
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.utils import timezone

from incidents.models import AffectedComponent, ComponentStatus, Impact, IncidentUpdate, Maintenance
from monitors.models import Monitor
from statuspages import snapshot as snapshots
from statuspages import statuspage_json as sp
from statuspages.models import StatusPageComponent

from .factories import IncidentFactory, MonitorFactory, StatusPageFactory

URL = "https://status.example.com/"
TIMESTAMP = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
INDICATORS = {"none", "minor", "major", "critical"}
COMPONENT_STATUSES = {"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
STR, OPT_STR, TIME, OPT_TIME = "str", "str|None", "time", "time|None"

PAGE_FIELDS = {"id": STR, "name": STR, "url": STR, "time_zone": STR, "updated_at": TIME}
COMPONENT_FIELDS = {
    "id": STR,
    "name": STR,
    "status": STR,
    "created_at": TIME,
    "updated_at": TIME,
    "position": int,
    "description": None,
    "showcase": bool,
    "start_date": None,
    "group_id": OPT_STR,
    "page_id": STR,
    "group": bool,
    "only_show_if_degraded": bool,
}
UPDATE_FIELDS = {
    "id": STR,
    "status": STR,
    "body": STR,
    "incident_id": STR,
    "created_at": TIME,
    "updated_at": TIME,
    "display_at": TIME,
    "affected_components": None,
}
INCIDENT_FIELDS = {
    "id": STR,
    "name": STR,
    "status": STR,
    "created_at": TIME,
    "updated_at": TIME,
    "monitoring_at": None,
    "resolved_at": OPT_TIME,
    "impact": STR,
    "shortlink": STR,
    "started_at": TIME,
    "page_id": STR,
    "incident_updates": list,
    "components": list,
}
MAINTENANCE_FIELDS = {
    **INCIDENT_FIELDS,
    "resolved_at": None,
    "scheduled_for": TIME,
    "scheduled_until": TIME,
}


def check_fields(obj: dict, fields: dict) -> None:
    """Every field there, of its type: a type, None (always null), or one of the names above."""
    missing = set(fields) - set(obj)
    assert not missing, f"missing {missing} in {obj}"
    for name, kind in fields.items():
        value = obj[name]
        if kind is None:
            assert value is None, name
        elif kind == STR:
            assert isinstance(value, str) and value, name
        elif kind == OPT_STR:
            assert value is None or isinstance(value, str), name
        elif kind == TIME:
            assert isinstance(value, str) and TIMESTAMP.match(value), (name, value)
        elif kind == OPT_TIME:
            assert value is None or TIMESTAMP.match(value), (name, value)
        elif kind is int:
            assert isinstance(value, int) and not isinstance(value, bool), name
        else:
            assert isinstance(value, kind), name


def check_component(obj: dict, page_id: str) -> None:
    check_fields(obj, COMPONENT_FIELDS)
    assert obj["status"] in COMPONENT_STATUSES
    assert obj["page_id"] == page_id
    if obj["group"]:
        assert obj["group_id"] is None
        assert isinstance(obj["components"], list) and obj["components"]
    else:
        assert obj["showcase"] is True
        assert "components" not in obj


@pytest.fixture
def scene(org):
    """A page with two groups (API: down + degraded; Web: in maintenance + up), one
    ungrouped component, and an outsider monitor of the same organization that is on no
    page but shares the incident and the maintenance."""
    page = StatusPageFactory(organization=org)
    api_down = MonitorFactory(organization=org, name="API down", status=Monitor.Status.DOWN)
    api_slow = MonitorFactory(organization=org, name="API slow", status=Monitor.Status.DEGRADED)
    web_maint = MonitorFactory(organization=org, name="Web maint", status=Monitor.Status.UP, in_maintenance=True)
    web_up = MonitorFactory(organization=org, name="Web up", status=Monitor.Status.UP)
    lone = MonitorFactory(organization=org, name="Lone", status=Monitor.Status.UP)
    outsider = MonitorFactory(organization=org, name="Secret backend zq7", status=Monitor.Status.DOWN)
    for position, (monitor, group) in enumerate(
        [(api_down, "API"), (api_slow, "API"), (web_maint, "Web"), (web_up, "Web"), (lone, "")]
    ):
        StatusPageComponent.objects.create(page=page, monitor=monitor, group=group, position=position)

    incident = IncidentFactory(organization=org, title="API outage", impact=Impact.HIGH)
    AffectedComponent.objects.create(incident=incident, monitor=api_down, status=ComponentStatus.MAJOR_OUTAGE)
    AffectedComponent.objects.create(
        incident=incident, monitor=outsider, status=ComponentStatus.MAJOR_OUTAGE, position=1
    )
    update = IncidentUpdate.objects.create(incident=incident, status="INVESTIGATING", message="Looking into it.")
    hidden = IncidentFactory(organization=org, title="Outsider only", impact=Impact.CRITICAL)
    AffectedComponent.objects.create(incident=hidden, monitor=outsider, status=ComponentStatus.MAJOR_OUTAGE)

    now = timezone.now()
    maintenance = Maintenance.objects.create(
        organization=org,
        title="Web upgrade",
        status="in_progress",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=1),
    )
    maintenance.monitors.set([web_maint, outsider])
    upcoming = Maintenance.objects.create(
        organization=org, title="DB move", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2)
    )
    upcoming.monitors.set([lone])
    hidden_maintenance = Maintenance.objects.create(
        organization=org, title="Outsider work", status="in_progress", starts_at=now, ends_at=now + timedelta(hours=1)
    )
    hidden_maintenance.monitors.set([outsider])

    return {
        "page": page,
        "snapshot": snapshots.build(page),
        "monitors": {"api_down": api_down, "api_slow": api_slow, "web_maint": web_maint, "web_up": web_up},
        "lone": lone,
        "outsider": outsider,
        "incident": incident,
        "update": update,
        "maintenance": maintenance,
        "upcoming": upcoming,
    }


def test_summary_fields_and_enums(scene):
    page, snap = scene["page"], scene["snapshot"]
    data = sp.summary(snap, URL)
    assert set(data) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    json.dumps(data)  # JSON-ready as is

    check_fields(data["page"], PAGE_FIELDS)
    assert data["page"] == {**data["page"], "id": page.id, "name": page.name, "url": URL, "time_zone": "Etc/UTC"}

    assert data["status"] == {"indicator": snap.indicator, "description": snap.description}
    assert data["status"]["indicator"] in INDICATORS
    assert data["status"]["indicator"] == "major"  # a component in major outage, a high-impact incident
    assert data["status"]["description"] == "Partial System Outage"
    assert sp.status(snap, URL)["status"] == data["status"]

    for component in data["components"]:
        check_component(component, page.id)

    assert [i["id"] for i in data["incidents"]] == [scene["incident"].id]
    for incident in data["incidents"]:
        check_fields(incident, INCIDENT_FIELDS)
        assert incident["status"] in INCIDENT_STATUSES
        assert incident["impact"] in INDICATORS
        assert incident["page_id"] == page.id
        for update in incident["incident_updates"]:
            check_fields(update, UPDATE_FIELDS)
            assert update["status"] in INCIDENT_STATUSES
            assert update["incident_id"] == incident["id"]
        for component in incident["components"]:
            check_component(component, page.id)

    assert [m["id"] for m in data["scheduled_maintenances"]] == [scene["maintenance"].id, scene["upcoming"].id]
    for maintenance in data["scheduled_maintenances"]:
        check_fields(maintenance, MAINTENANCE_FIELDS)
        assert maintenance["status"] in MAINTENANCE_STATUSES
        assert maintenance["impact"] == "maintenance"
        assert maintenance["incident_updates"] == []
        for component in maintenance["components"]:
            check_component(component, page.id)


def test_component_statuses_and_groups(scene):
    page, snap, monitors = scene["page"], scene["snapshot"], scene["monitors"]
    objects = sp.components(snap, URL)["components"]
    by_id = {obj["id"]: obj for obj in objects}
    groups = {obj["name"]: obj for obj in objects if obj["group"]}
    assert set(groups) == {"API", "Web"}

    api, web = groups["API"], groups["Web"]
    assert api["components"] == [monitors["api_down"].id, monitors["api_slow"].id]
    assert web["components"] == [monitors["web_maint"].id, monitors["web_up"].id]
    assert api["status"] == "major_outage"  # the worst child
    assert web["status"] == "under_maintenance"
    assert api["id"] != web["id"] and api["id"] == sp.group_id(snap, "API")  # stable: from page id and name
    assert sp.group_id(snapshots.build(page), "API") == api["id"]

    assert by_id[monitors["api_down"].id]["status"] == "major_outage"
    assert by_id[monitors["api_slow"].id]["status"] == "degraded_performance"
    assert by_id[monitors["web_maint"].id]["status"] == "under_maintenance"
    assert by_id[monitors["web_up"].id]["status"] == "operational"
    for name, group in groups.items():
        for child_id in group["components"]:
            assert by_id[child_id]["group_id"] == group["id"], name
    assert by_id[scene["lone"].id]["group_id"] is None

    # Each group comes just before its children, in page order.
    order = [obj["id"] for obj in objects]
    assert order == [
        api["id"],
        *api["components"],
        web["id"],
        *web["components"],
        scene["lone"].id,
    ]


def test_incident_and_maintenance_objects(scene):
    page, snap = scene["page"], scene["snapshot"]
    [incident] = snap.incidents
    obj = sp.incident_object(snap, incident, URL)
    assert obj["name"] == "API outage"
    assert obj["status"] == "investigating"
    assert obj["impact"] == "major"
    assert obj["shortlink"] == f"https://status.example.com/incidents/{incident.id}"
    assert obj["started_at"] == obj["created_at"]
    assert obj["resolved_at"] is None
    [update] = obj["incident_updates"]
    assert update["id"] == scene["update"].id
    assert update["body"] == "Looking into it."
    assert [c["id"] for c in obj["components"]] == [scene["monitors"]["api_down"].id]

    [active] = snap.active_maintenances
    obj = sp.maintenance_object(snap, active, URL)
    assert obj["status"] == "in_progress"
    assert obj["scheduled_for"] == sp.timestamp(scene["maintenance"].starts_at)
    assert obj["scheduled_until"] == sp.timestamp(scene["maintenance"].ends_at)
    assert [c["id"] for c in obj["components"]] == [scene["monitors"]["web_maint"].id]
    assert obj["page_id"] == page.id


def test_list_endpoints(scene):
    snap = scene["snapshot"]
    assert sp.status(snap, URL) == {"page": sp.page_object(snap, URL), "status": sp.status_object(snap)}
    data = sp.components(snap, URL)
    assert set(data) == {"page", "components"} and data["components"] == sp.summary(snap, URL)["components"]

    # Resolved incidents too, as the caller picks them.
    incident = scene["incident"]
    incident.status = "RESOLVED"
    incident.resolved_at = timezone.now()
    incident.save()
    page = scene["page"]
    ids = [c.id for c in snap.components]
    chosen = snapshots.incidents(page, ids, {c.id: c.name for c in snap.components})
    data = sp.incidents_list(snap, URL, chosen)
    assert set(data) == {"page", "incidents"}
    [obj] = data["incidents"]
    assert obj["status"] == "resolved"
    assert TIMESTAMP.match(obj["resolved_at"])

    data = sp.scheduled_maintenances(snap, URL, snap.upcoming_maintenances)
    assert set(data) == {"page", "scheduled_maintenances"}
    [obj] = data["scheduled_maintenances"]
    assert obj["status"] == "scheduled" and obj["name"] == "DB move"


def test_monitor_not_on_page_never_appears(scene):
    snap, outsider = scene["snapshot"], scene["outsider"]
    documents = [
        sp.summary(snap, URL),
        sp.status(snap, URL),
        sp.components(snap, URL),
        sp.incidents_list(snap, URL, snap.incidents),
        sp.scheduled_maintenances(snap, URL, snap.active_maintenances + snap.upcoming_maintenances),
    ]
    text = json.dumps(documents)
    assert outsider.id not in text
    assert outsider.name not in text
    # Nor what lists only that monitor.
    assert "Outsider only" not in text and "Outsider work" not in text


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (Impact.NONE, "none"),
        (Impact.LOW, "minor"),
        (Impact.MEDIUM, "minor"),
        (Impact.HIGH, "major"),
        (Impact.CRITICAL, "critical"),
        ("none", "none"),
        ("critical", "critical"),
    ],
)
def test_impact_mapping(ours, theirs):
    assert sp.impact(ours) == theirs


def test_timestamp():
    assert sp.timestamp(None) is None
    assert sp.timestamp(datetime(2026, 11, 26, 19, 35, 36, tzinfo=UTC)) == "2026-11-26T19:35:36.000Z"
    paris = dt_timezone(timedelta(hours=1))
    assert sp.timestamp(datetime(2026, 11, 26, 20, 35, 36, 123456, tzinfo=paris)) == "2026-11-26T19:35:36.123Z"


OPERATIONAL, DEGRADED, PARTIAL, MAJOR, MAINTENANCE = (
    ComponentStatus.OPERATIONAL,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.UNDER_MAINTENANCE,
)


def _component(status: str) -> snapshots.Component:
    return snapshots.Component(
        id="mon_1",
        name="API",
        group="",
        position=0,
        status=str(status),
        uptime=None,
        days=[],
        updated_at=timezone.now(),
    )


def _open_incident(impact: str) -> snapshots.IncidentView:
    now = timezone.now()
    return snapshots.IncidentView(
        id="inc_1",
        title="Trouble",
        status="investigating",
        impact=impact,
        created_at=now,
        updated_at=now,
        resolved_at=None,
        updates=[],
        components=[],
    )


# (component statuses, open incident impacts, maintenance going on) -> Statuspage's status
@pytest.mark.parametrize(
    ("statuses", "impacts", "maintenance", "expected"),
    [
        ([], [], False, ("none", "All Systems Operational")),
        ([OPERATIONAL, OPERATIONAL], [Impact.NONE], False, ("none", "All Systems Operational")),
        ([OPERATIONAL, MAINTENANCE], [], False, ("none", "Service Under Maintenance")),
        ([OPERATIONAL], [], True, ("none", "Service Under Maintenance")),
        ([OPERATIONAL, DEGRADED], [], False, ("minor", "Partially Degraded Service")),  # never "Partial System Outage"
        ([DEGRADED], [], True, ("minor", "Partially Degraded Service")),
        ([OPERATIONAL, PARTIAL], [], False, ("minor", "Minor Service Outage")),
        ([OPERATIONAL, DEGRADED], [Impact.LOW], False, ("minor", "Minor Service Outage")),
        ([OPERATIONAL], [Impact.MEDIUM], False, ("minor", "Minor Service Outage")),
        ([OPERATIONAL, MAJOR], [], False, ("major", "Partial System Outage")),
        ([DEGRADED, PARTIAL], [Impact.HIGH], False, ("major", "Partial System Outage")),
        ([MAJOR, MAJOR], [Impact.CRITICAL], False, ("critical", "Major Service Outage")),
        ([OPERATIONAL], [Impact.LOW, Impact.CRITICAL], True, ("critical", "Major Service Outage")),
    ],
)
def test_overall_status_uses_statuspage_wording(statuses, impacts, maintenance, expected):
    components = [_component(status) for status in statuses]
    incidents = [_open_incident(impact) for impact in impacts]

    assert snapshots.overall_status(components, incidents, maintenance_active=maintenance) == expected


def test_status_json_description_is_the_snapshots(org):
    """status.json and summary.json say what the banner says: the snapshot's pair."""
    slow = MonitorFactory(organization=org, status=Monitor.Status.DEGRADED)
    page = StatusPageFactory(organization=org)
    StatusPageComponent.objects.create(page=page, monitor=slow)
    snap = snapshots.build(page)

    expected = {"indicator": "minor", "description": "Partially Degraded Service"}
    assert (snap.indicator, snap.description) == tuple(expected.values())
    assert sp.status(snap, URL)["status"] == sp.summary(snap, URL)["status"] == expected

"""The dashboard's home: monitor counts by status, open incidents and the latest status
changes, each linking on; a fixed number of queries however many monitors there are."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitors.models import Monitor, StatusChange

from .factories import IncidentFactory, MonitorFactory


def _tile(html: str, key: str) -> tuple[str, int]:
    """(href, count) of one tile."""
    match = re.search(rf'<a class="tile {key}[^"]*" href="([^"]+)" data-tile="{key}"><span class="count">(\d+)', html)
    assert match, key
    return match.group(1).replace("&amp;", "&"), int(match.group(2))


def _monitors(org, statuses: dict[str, int], maintenance: int = 0) -> list[Monitor]:
    made = []
    for status, count in statuses.items():
        made += MonitorFactory.create_batch(count, organization=org, status=status)
    for monitor in made[:maintenance]:
        Monitor.objects.filter(pk=monitor.pk).update(in_maintenance=True)
    return made


def test_home_sends_a_signed_in_person_to_the_overview(client, person, org):
    person(org, "viewer", client)
    assert client.get("/").url == "/overview"
    assert client.get("/overview").status_code == 200


def test_the_overview_needs_a_login(client, person, org):
    person(org, "viewer")
    assert client.get("/overview").url.startswith("/login")


def test_overview_counts_monitors_by_status_and_links_each_to_its_list(client, person, org, other_org):
    person(org, "viewer", client)
    _monitors(org, {"UP": 3, "DOWN": 2, "DEGRADED": 1, "PAUSED": 1, "PENDING": 2}, maintenance=1)
    _monitors(other_org, {"DOWN": 5})  # not ours: not counted
    html = client.get("/overview").content.decode()

    expected = {"UP": 3, "DOWN": 2, "DEGRADED": 1, "PAUSED": 1, "PENDING": 2}
    for status, count in expected.items():
        assert _tile(html, status) == (f"/monitors/?status={status}", count)
    assert _tile(html, "MAINTENANCE") == ("/monitors/?maintenance=1", 1)
    # Where each tile leads lists just those monitors.
    assert client.get("/monitors/?status=DOWN").content.decode().count('class="badge DOWN"') == 2
    listed = client.get("/monitors/?maintenance=1").content.decode()
    assert listed.count("<tr data-monitor=") == 1


def test_overview_lists_open_incidents_newest_first_and_counts_them(client, person, org, other_org):
    person(org, "viewer", client)
    IncidentFactory(organization=org, title="Old and open", status="IDENTIFIED")
    IncidentFactory(organization=org, title="Checkout errors", status="INVESTIGATING")
    IncidentFactory(organization=org, title="Fixed already", status="RESOLVED")
    IncidentFactory(organization=other_org, title="Someone else's")
    page = client.get("/overview")
    html = page.content.decode()

    assert _tile(html, "INCIDENTS") == ("/incidents/?status=open", 2)
    assert html.index("Checkout errors") < html.index("Old and open")
    assert "Fixed already" not in html and "Someone else" not in html
    incident = page.context["incidents"][0]
    assert f'href="/incidents/{incident.id}/"' in html


def test_overview_counts_every_open_incident_beyond_the_few_it_shows(client, person, org):
    person(org, "viewer", client)
    IncidentFactory.create_batch(7, organization=org)
    html = client.get("/overview").content.decode()
    assert _tile(html, "INCIDENTS")[1] == 7
    assert html.count("<tr data-incident=") == 5
    assert "All 7 open incidents" in html


def test_overview_shows_the_latest_status_changes_with_their_monitor(client, person, org, other_org):
    person(org, "viewer", client)
    api = MonitorFactory(organization=org, name="Checkout API", status="DOWN")
    StatusChange.objects.create(monitor=api, from_status="PENDING", to_status="UP")
    StatusChange.objects.create(monitor=api, from_status="UP", to_status="DOWN", error="connection refused")
    theirs = MonitorFactory(organization=other_org, name="Theirs")
    StatusChange.objects.create(monitor=theirs, from_status="UP", to_status="DOWN")
    html = client.get("/overview").content.decode()

    rows = re.findall(r'<tr data-change="\d+">(.*?)</tr>', html, re.S)
    assert len(rows) == 2
    newest = rows[0]
    assert f'href="/monitors/{api.id}/"' in newest and "Checkout API" in newest
    assert '<span class="badge UP">Up</span> → <span class="badge DOWN">Down</span>' in newest
    assert "connection refused" in newest and "<time datetime=" in newest
    assert "Theirs" not in html


def test_a_new_organization_sees_zeros_and_a_way_to_its_first_monitor(client, person, org):
    person(org, "owner", client)
    html = client.get("/overview").content.decode()
    for key in ("UP", "DOWN", "DEGRADED", "PAUSED", "PENDING", "MAINTENANCE", "INCIDENTS"):
        assert _tile(html, key)[1] == 0
    assert "No monitors yet" in html and 'href="/monitors/new"' in html
    assert "No status changes yet." in html and "No open incidents." in html


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/overview").status_code == 200
    return len(queries)


@pytest.mark.parametrize("more", [1, 40])
def test_overview_queries_do_not_grow_with_monitors_incidents_or_changes(client, person, org, more):
    person(org, "viewer", client)
    _monitors(org, {"UP": 2, "DOWN": 1})
    IncidentFactory.create_batch(2, organization=org)
    baseline = _queries(client)
    for monitor in _monitors(org, {"UP": more, "DOWN": more}, maintenance=more):
        StatusChange.objects.create(monitor=monitor, from_status="PENDING", to_status=monitor.status)
    IncidentFactory.create_batch(more + 5, organization=org)
    # Session, user, the person's time zone, membership; monitor counts; open incidents counted
    # and shown; status changes; the check regions' last reports; the menu's organizations.
    assert _queries(client) == baseline <= 10

"""Each person chooses the time zone the dashboard shows times in (UTC until they do);
the dates and times they type are read in it. Public status pages and the API stay in UTC."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Profile
from incidents.models import Incident, Maintenance
from monitors.models import CheckResult
from statuspages.services import status_page_create

from .factories import IncidentFactory, MonitorFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def member(client, person, org):
    return person(org, "member", client)


def choose(client, zone: str):
    return client.post("/settings/preferences", {"time_zone": zone})


def test_the_default_is_utc(client, member):
    page = client.get("/settings/preferences").content.decode()
    assert '<option value="UTC" selected>' in page
    assert "Dashboard times are shown in <strong>UTC</strong>" in page
    assert not Profile.objects.filter(user=member).exists()


def test_a_person_chooses_a_zone_and_it_is_stored(client, member):
    response = choose(client, "Europe/Paris")
    assert response.status_code == 302 and response.url == "/settings/preferences"
    assert Profile.objects.get(user=member).time_zone == "Europe/Paris"
    page = client.get("/settings/preferences").content.decode()
    assert '<option value="Europe/Paris" selected>' in page
    assert "Times are now shown in Europe/Paris." in page
    assert "Dashboard times are shown in <strong>Europe/Paris</strong>" in page


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "europe/paris", "UTC\x00"])
def test_a_bad_zone_name_is_refused_and_nothing_is_stored(client, member, zone):
    choose(client, "Asia/Tokyo")
    response = choose(client, zone)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert Profile.objects.get(user=member).time_zone == "Asia/Tokyo"


def test_the_preferences_page_needs_a_signed_in_person(client, db):
    response = client.get("/settings/preferences")
    assert response.status_code == 302 and response.url.startswith("/login")


def test_the_top_bar_links_to_the_preferences(client, member):
    page = client.get("/monitors/").content.decode()
    assert 'href="/settings/preferences"' in page


def test_a_check_time_is_shown_in_the_persons_zone(client, member, org):
    monitor = MonitorFactory(organization=org)
    at = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    CheckResult.objects.create(monitor=monitor, scheduled_at=at, started_at=at, status="UP", response_time=80)
    utc_text = f"{at:%b} {at.day}, {at:%H:%M:%S}"
    assert utc_text in client.get(f"/monitors/{monitor.id}/").content.decode()

    choose(client, "Europe/Paris")
    local = at.astimezone(PARIS)
    page = client.get(f"/monitors/{monitor.id}/").content.decode()
    assert f"{local:%b} {local.day}, {local:%H:%M:%S}" in page
    assert utc_text not in page


def test_incident_times_carry_the_zones_abbreviation_not_a_fixed_utc(client, member, org):
    incident = IncidentFactory(organization=org, title="Checkout errors")
    Incident.objects.filter(pk=incident.pk).update(created_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    assert "Jan 15, 2026 12:00 UTC" in client.get("/incidents/").content.decode()
    choose(client, "Europe/Paris")
    page = client.get("/incidents/").content.decode()
    assert "Jan 15, 2026 13:00 CET" in page and "12:00 UTC" not in page


@pytest.mark.parametrize(
    ("day", "stored_hour"),
    [("2099-01-15", 9), ("2099-07-15", 8)],  # CET is UTC+1, CEST UTC+2
)
def test_a_maintenance_typed_in_paris_time_is_stored_in_utc(client, member, org, day, stored_hour):
    choose(client, "Europe/Paris")
    form = client.get("/incidents/maintenance/new").content.decode()
    assert "Starts (Europe/Paris)" in form and "Ends (Europe/Paris)" in form
    response = client.post(
        "/incidents/maintenance/new",
        {"title": "Upgrade", "status": "scheduled", "startsAt": f"{day}T10:00", "endsAt": f"{day}T11:30"},
    )
    assert response.status_code == 302
    window = Maintenance.objects.get(organization=org)
    year, month, date = (int(part) for part in day.split("-"))
    assert window.starts_at == datetime(year, month, date, stored_hour, 0, tzinfo=UTC)
    assert window.ends_at == datetime(year, month, date, stored_hour + 1, 30, tzinfo=UTC)
    # The edit form shows the times as they were typed.
    form = client.get(f"/incidents/maintenance/{window.id}/edit").content.decode()
    assert f'value="{day}T10:00"' in form and f'value="{day}T11:30"' in form


def test_an_impossible_date_is_still_the_apis_error(client, member, org):
    choose(client, "Europe/Paris")
    response = client.post(
        "/incidents/maintenance/new",
        {"title": "Upgrade", "status": "scheduled", "startsAt": "2099-13-01T10:00", "endsAt": "2099-01-01T11:00"},
    )
    assert response.status_code == 400
    assert "Datetime has wrong format" in response.content.decode()
    assert not Maintenance.objects.exists()


def test_public_pages_and_the_api_stay_in_utc_for_a_signed_in_person(client, member, org, make_client):
    choose(client, "Europe/Paris")
    start = datetime(2099, 1, 15, 9, 0, tzinfo=UTC)
    maintenance = Maintenance.objects.create(
        organization=org, title="Upgrade", starts_at=start, ends_at=start + timedelta(hours=1)
    )
    api = make_client(org, "read")
    assert api.get(f"/api/maintenances/{maintenance.id}").json()["startsAt"] == "2099-01-15T09:00:00Z"
    status_page_create(organization=org, name="Acme status", slug="acme", components=[])
    page = client.get("/status/acme/").content.decode()
    assert "Jan 15, 09:00 – Jan 15, 10:00 UTC" in page

"""Dashboard: first run, login, and the monitor pages, by role."""

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Membership, Organization
from monitors.models import Monitor

from .factories import MonitorFactory, OrganizationFactory

PASSWORD = "a long enough pass-phrase 7"


# --- first run and login ---


def test_first_run_offers_setup_and_creates_the_owner_and_organization(client, db):
    assert client.get("/").url == "/setup"
    page = client.get("/setup")
    assert b"Welcome to StatusApp" in page.content

    response = client.post(
        "/setup",
        {
            "organization": "Acme Inc",
            "username": "ada",
            "email": "ada@example.com",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="ada")
    assert membership.role == "owner" and membership.organization.name == "Acme Inc"
    assert client.get("/").url == "/overview"
    # Once someone exists, setup is closed.
    assert client.get("/setup").url == "/"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password_again", "something else 123", "The two passwords differ."),
        ("password", "short", "This password is too short"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("organization", "!!!", "Use at least one letter or digit."),
    ],
)
def test_setup_shows_errors_next_to_fields_and_saves_nothing(client, db, field, value, message):
    data = {
        "organization": "Acme",
        "username": "ada",
        "email": "ada@example.com",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    data[field] = value
    response = client.post("/setup", data)
    assert response.status_code == 200
    html = response.content.decode()
    field_html = html[html.index(f'for="id_{field}"') :]
    assert message in field_html[: field_html.index("</div>")]
    assert not get_user_model().objects.exists()
    assert not Organization.objects.exists()


def test_login_and_logout(client, db):
    organization = OrganizationFactory()
    user = get_user_model().objects.create_user("bob", password=PASSWORD)
    Membership.objects.create(user=user, organization=organization, role="member")
    assert client.get("/monitors/").url.startswith("/login")

    assert client.post("/login", {"username": "bob", "password": "wrong"}).status_code == 200
    assert client.post("/login", {"username": "bob", "password": PASSWORD}).status_code == 302
    assert client.get("/monitors/").status_code == 200
    client.post("/logout")
    assert client.get("/monitors/").status_code == 302


# --- the list ---


def test_list_shows_own_monitors_with_status_and_polls_its_rows(client, person, org, other_org):
    person(org, "viewer", client)
    mine = MonitorFactory(organization=org, name="Checkout API", status="UP", response_time=87)
    MonitorFactory(organization=other_org, name="Someone else's")

    page = client.get("/monitors/").content.decode()
    assert "Checkout API" in page and "87 ms" in page and 'class="badge UP"' in page
    assert "Someone else&#x27;s" not in page and "Someone else's" not in page
    assert 'hx-get="/monitors/rows?' in page and 'hx-trigger="every 5s"' in page
    assert "New monitor" not in page  # a viewer cannot create

    Monitor.objects.filter(pk=mine.pk).update(status="DOWN")
    rows = client.get("/monitors/rows").content.decode()
    assert 'class="badge DOWN"' in rows and "<html" not in rows


def test_list_filters_by_status_type_and_name(client, person, org):
    person(org, "viewer", client)
    MonitorFactory(organization=org, name="Alpha", status="UP")
    MonitorFactory(organization=org, name="Beta", status="DOWN")
    page = client.get("/monitors/?status=DOWN").content.decode()
    assert "Beta" in page and "Alpha" not in page
    assert "Alpha" in client.get("/monitors/?q=alp").content.decode()
    assert client.get("/monitors/?status=nonsense").status_code == 200


# --- create and edit ---


def test_member_creates_an_http_monitor(client, person, org):
    person(org, "member", client)
    response = client.post(
        "/monitors/new",
        {
            "name": "Website",
            "type": "http",
            "url": "https://example.com/health",
            "method": "GET",
            "interval": "60",
            "followRedirects": "on",
            "headers": "X-Probe: statusapp",
            "host": "ignored.example.com",  # another type's field: left out
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    monitor = Monitor.objects.get(organization=org)
    assert monitor.url == "https://example.com/health"
    assert monitor.request_headers == {"X-Probe": "statusapp"}
    assert monitor.host == ""


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "X", "type": "http", "url": "ftp://example.com"}, "url", "URL must be valid HTTP/HTTPS"),
        ({"name": "X", "type": "http"}, "url", "Required for http monitors."),
        (
            {"name": "X", "type": "tcp", "host": "db.example.com", "port": "99999"},
            "port",
            "less than or equal to 65535",
        ),
        ({"name": "X", "type": "http", "url": "https://e.com", "interval": "5"}, "interval", "at least"),
        ({"name": "", "type": "http", "url": "https://e.com"}, "name", "This field is required."),
        ({"name": "X", "type": "http", "url": "http://169.254.169.254/"}, "url", "Address not allowed"),
    ],
)
def test_bad_forms_show_the_api_message_next_to_the_field_and_save_nothing(client, person, org, data, field, message):
    person(org, "member", client)
    response = client.post("/monitors/new", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="e-{field}"' in html
    error = html[html.index(f'id="e-{field}"') :]
    assert message in error[: error.index("</p>")]
    assert not Monitor.objects.exists()


def test_edit_changes_only_what_the_form_holds(client, person, org):
    person(org, "member", client)
    monitor = MonitorFactory(organization=org, name="Old", url="https://old.example.com")
    page = client.get(f"/monitors/{monitor.id}/edit").content.decode()
    assert 'value="Old"' in page and "https://old.example.com" in page

    response = client.post(
        f"/monitors/{monitor.id}/edit",
        {"name": "New", "url": "https://new.example.com", "method": "GET", "interval": "120", "followRedirects": "on"},
    )
    assert response.status_code == 302
    monitor.refresh_from_db()
    assert (monitor.name, monitor.url, monitor.interval) == ("New", "https://new.example.com", 120)


def test_viewer_cannot_create_edit_pause_or_delete(client, person, org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    assert client.get("/monitors/new").status_code == 403
    assert client.post("/monitors/new", {"name": "X", "type": "http", "url": "https://e.com"}).status_code == 403
    assert client.post(f"/monitors/{monitor.id}/edit", {"name": "Y"}).status_code == 403
    assert client.post(f"/monitors/{monitor.id}/pause").status_code == 403
    assert client.post(f"/monitors/{monitor.id}/delete").status_code == 403
    assert (
        client.post("/monitors/bulk", {"action": "delete", "ids": [monitor.id], "confirmed": "yes"}).status_code == 403
    )
    monitor.refresh_from_db()
    assert monitor.name != "Y" and monitor.status != "PAUSED"


def test_another_organizations_monitor_is_a_404(client, person, org, other_org):
    person(org, "admin", client)
    theirs = MonitorFactory(organization=other_org)
    assert client.get(f"/monitors/{theirs.id}/edit").status_code == 404
    assert client.post(f"/monitors/{theirs.id}/pause").status_code == 404
    assert client.post(f"/monitors/{theirs.id}/delete").status_code == 404
    client.post("/monitors/bulk", {"action": "delete", "ids": [theirs.id], "confirmed": "yes"})
    assert Monitor.objects.filter(pk=theirs.pk).exists()


# --- pause, delete, bulk ---


def test_pause_and_resume(client, person, org):
    person(org, "member", client)
    monitor = MonitorFactory(organization=org, status="UP")
    client.post(f"/monitors/{monitor.id}/pause")
    monitor.refresh_from_db()
    assert monitor.status == "PAUSED"
    client.post(f"/monitors/{monitor.id}/pause")
    monitor.refresh_from_db()
    assert monitor.status == "PENDING"


def test_delete_asks_first(client, person, org):
    person(org, "member", client)
    monitor = MonitorFactory(organization=org, name="Doomed")
    confirm = client.get(f"/monitors/{monitor.id}/delete")
    assert b"cannot be undone" in confirm.content
    assert Monitor.objects.filter(pk=monitor.pk).exists()
    client.post(f"/monitors/{monitor.id}/delete")
    assert not Monitor.objects.filter(pk=monitor.pk).exists()


def test_bulk_pause_and_delete_with_confirmation(client, person, org):
    person(org, "member", client)
    first, second = MonitorFactory(organization=org), MonitorFactory(organization=org)
    client.post("/monitors/bulk", {"action": "pause", "ids": [first.id, second.id]})
    assert set(Monitor.objects.values_list("status", flat=True)) == {"PAUSED"}

    confirm = client.post("/monitors/bulk", {"action": "delete", "ids": [first.id, second.id]})
    assert b"these 2 monitors" in confirm.content
    assert Monitor.objects.count() == 2
    client.post("/monitors/bulk", {"action": "delete", "ids": [first.id, second.id], "confirmed": "yes"})
    assert not Monitor.objects.exists()


def test_forms_need_the_csrf_token(person, org):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    person(org, "member", client)
    assert client.post("/monitors/new", {"name": "X", "type": "http", "url": "https://e.com"}).status_code == 403
    assert not Monitor.objects.exists()


# --- the monitor's page ---


def test_detail_shows_chart_data_checks_and_changes(client, person, org):
    from datetime import UTC, datetime, timedelta

    from monitors.checking import Observation, record_observations
    from monitors.engine import CheckResult as Outcome

    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org, name="Checkout")
    # Both in the previous hour, so they share one hourly rollup whatever the time now.
    now = datetime.now(UTC).replace(minute=3, second=0, microsecond=0) - timedelta(hours=1)
    record_observations(
        [
            Observation(monitor.id, now - timedelta(minutes=2), now, Outcome(status="UP", response_time_ms=120)),
            Observation(
                monitor.id,
                now - timedelta(minutes=1),
                now,
                Outcome(status="DOWN", response_time_ms=None, error="HTTP 503"),
            ),
        ]
    )
    page = client.get(f"/monitors/{monitor.id}/").content.decode()
    assert 'id="chart-data"' in page and '"response": [120]' in page
    assert "HTTP 503" in page
    assert "PENDING → " in page or "UP → " in page
    assert client.get(f"/monitors/{monitor.id}/?window=90d").status_code == 200
    assert client.get(f"/monitors/{monitor.id}/?window=nonsense").status_code == 200


def test_detail_of_another_organizations_monitor_is_a_404(client, person, org, other_org):
    person(org, "viewer", client)
    assert client.get(f"/monitors/{MonitorFactory(organization=other_org).id}/").status_code == 404


def test_detail_shows_the_daily_uptime_bar_and_loads_the_monitors_incidents(client, person, org):
    from datetime import UTC, datetime, time

    from django.utils import timezone

    from incidents.services import incident_create
    from monitors.models import Rollup

    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    today = datetime.combine(timezone.now().date(), time.min, tzinfo=UTC)
    Rollup.objects.create(monitor=monitor, period="day", bucket=today, checks=100, up=90, degraded=0)
    page = client.get(f"/monitors/{monitor.id}/").content.decode()
    cells = page[page.index('class="daybar"') :].split("</div>")[0]
    assert cells.count("<i ") == 90
    assert cells.rstrip().endswith(f'<i class="x" title="{timezone.now():%b %-d, %Y}: 90.00%"></i>')
    assert f'hx-get="/incidents/for-monitor/{monitor.id}"' in page

    incident_create(organization=org, title="Slow checkout", impact="low", affected=[(monitor, None)])
    incident_create(organization=org, title="Unrelated", impact="low", affected=[])
    fragment = client.get(f"/incidents/for-monitor/{monitor.id}").content.decode()
    assert "Slow checkout" in fragment and "Unrelated" not in fragment and "<html" not in fragment


def test_a_monitors_incidents_of_another_organization_are_a_404(client, person, org, other_org):
    person(org, "viewer", client)
    assert client.get(f"/incidents/for-monitor/{MonitorFactory(organization=other_org).id}").status_code == 404

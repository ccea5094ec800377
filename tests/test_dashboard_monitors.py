"""Dashboard: first run, login, and the monitor pages, by role."""

import json
import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Membership, Organization
from monitors.models import CheckResult, Monitor, Rollup

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
    # 24 hours: every check; a failed one is flagged, with no response time.
    assert 'id="chart-data"' in page and '"response": [120, null]' in page and '"failed": [false, true]' in page
    assert "HTTP 503" in page
    assert '<span class="badge PENDING">Pending</span> → <span class="badge UP">Up</span>' in page
    # 7 days: the hourly rollup's mean.
    assert '"response": [120]' in client.get(f"/monitors/{monitor.id}/?window=7d").content.decode()
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


# --- the heartbeat strip and the 24-hour chart, from raw checks ---


def _checks(monitor, outcomes, *, start=None, step=timedelta(seconds=12)) -> list[CheckResult]:
    """Raw check results, oldest first, ending about now (the rollups are not needed here)."""
    start = start or timezone.now().replace(microsecond=0) - step * len(outcomes)
    return CheckResult.objects.bulk_create(
        CheckResult(
            monitor=monitor, scheduled_at=start + step * n, started_at=start + step * n, status=status, response_time=ms
        )
        for n, (status, ms) in enumerate(outcomes)
    )


def _chart_data(html: str) -> dict:
    return json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html).group(1))


def test_the_heartbeat_strip_shows_the_latest_checks_oldest_first_with_their_details(client, person, org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    checks = _checks(monitor, [("UP", 80), ("DOWN", None), ("DEGRADED", 900)])
    html = client.get(f"/monitors/{monitor.id}/").content.decode()

    strip = html[html.index('<ol class="beats"') : html.index("</ol>")]
    assert strip.count("<li") == 60  # always 60 cells: empty ones first
    cells = re.findall(r'<li class="(\w+)" title="([^"]*)">', strip)
    assert [status for status, _ in cells] == ["UP", "DOWN", "DEGRADED"]
    newest = timezone.localtime(checks[-1].scheduled_at).strftime("%b %-d, %H:%M:%S")
    assert cells[-1][1] == f"{newest} · Degraded · 900 ms"
    assert cells[1][1].endswith(" · Down")


def test_the_heartbeat_strip_holds_the_newest_sixty_checks(client, person, org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    _checks(monitor, [("DOWN", None)] * 10 + [("UP", 50)] * 60)
    html = client.get(f"/monitors/{monitor.id}/").content.decode()
    strip = html[html.index('<ol class="beats"') : html.index("</ol>")]
    assert strip.count('<li class="UP"') == 60 and 'class="DOWN"' not in strip


def test_the_heartbeat_strip_refreshes_itself(client, person, org, other_org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    page = client.get(f"/monitors/{monitor.id}/").content.decode()
    assert f'hx-get="/monitors/{monitor.id}/heartbeats" hx-trigger="every 10s"' in page

    _checks(monitor, [("UP", 80), ("DOWN", None)])
    strip = client.get(f"/monitors/{monitor.id}/heartbeats").content.decode()
    assert "<html" not in strip and strip.count("<li") == 60
    assert re.findall(r'<li class="(\w+)" title=', strip) == ["UP", "DOWN"]
    assert client.get(f"/monitors/{MonitorFactory(organization=other_org).id}/heartbeats").status_code == 404


def test_a_monitor_without_checks_says_so(client, person, org):
    person(org, "viewer", client)
    html = client.get(f"/monitors/{MonitorFactory(organization=org).id}/").content.decode()
    assert html.count('<li class="none">') == 60 and "No checks yet" in html
    assert "No checks in this window yet." in html and 'id="response-chart"' not in html


def test_a_minute_old_monitors_24_hour_chart_has_a_point_per_check(client, person, org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    checks = _checks(monitor, [("UP", 80), ("UP", 95), ("DOWN", None), ("DEGRADED", 640)])
    _checks(monitor, [("UP", 1)], start=timezone.now() - timedelta(hours=25))  # outside the window
    html = client.get(f"/monitors/{monitor.id}/").content.decode()

    chart = _chart_data(html)
    assert chart["period"] == "check"
    assert chart["labels"] == [check.scheduled_at.isoformat() for check in checks]
    assert chart["response"] == [80, 95, None, 640]
    assert chart["failed"] == [False, False, True, False]
    assert 'data-points="4"' in html and 'data-time-zone="UTC"' in html


def test_longer_windows_stay_on_the_rollups(client, person, org):
    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=30)
    Rollup.objects.create(
        monitor=monitor, period="hour", bucket=hour, checks=60, up=60, response_time_sum=6000, response_time_count=60
    )
    chart = _chart_data(client.get(f"/monitors/{monitor.id}/?window=7d").content.decode())
    assert chart == {"labels": [hour.isoformat()], "response": [100], "uptime": [100.0], "period": "hour"}
    assert _chart_data(client.get(f"/monitors/{monitor.id}/").content.decode())["labels"] == []


def test_more_checks_than_minutes_are_charted_per_minute(db):
    """A monitor checked every 10 s for a day has 8,640 checks: the chart gets a mean per minute."""
    from monitors import selectors

    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    monitor = MonitorFactory()
    start = now - timedelta(hours=24) + timedelta(seconds=10)
    outcomes = [("DOWN", None) if n == 7 else ("UP", 100 + n % 6 * 10) for n in range(8640)]
    _checks(monitor, outcomes, start=start, step=timedelta(seconds=10))

    points = selectors.checks_chart(monitor, now=now)
    assert len(points) == 1441  # 12:00 yesterday (5 checks) to 12:00 today (the last one)
    assert points[0] == (start.replace(second=0), 120, False)  # 100, 110, 120, 130, 140
    # One of its checks failed: the minute is failed, and the mean is of the others.
    assert points[1] == (start.replace(second=0) + timedelta(minutes=1), 128, True)
    assert points[-1] == (now, 150, False)


def test_times_show_in_the_persons_time_zone(client, person, org):
    from accounts.preferences import time_zone_set

    user = person(org, "viewer", client)
    time_zone_set(user=user, time_zone="America/New_York")
    monitor = MonitorFactory(organization=org)
    at = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    _checks(monitor, [("UP", 80)], start=at)
    html = client.get(f"/monitors/{monitor.id}/").content.decode()
    local = at.astimezone(zoneinfo.ZoneInfo("America/New_York")).strftime("%b %-d, %H:%M:%S")
    assert local != at.strftime("%b %-d, %H:%M:%S")
    assert f'<time datetime="{at.isoformat()}">{local}</time>' in html
    assert 'data-time-zone="America/New_York"' in html


# --- the list's bulk actions and the plan's limit ---


def test_bulk_actions_show_only_with_rows(client, person, org):
    person(org, "member", client)
    assert "Pause selected" not in client.get("/monitors/").content.decode()
    MonitorFactory(organization=org, name="Alpha")
    assert "Pause selected" in client.get("/monitors/").content.decode()
    assert "Pause selected" not in client.get("/monitors/?q=nothing-like-it").content.decode()


def _fill_to_limit(org, plan: str = "free") -> None:
    Organization.objects.filter(pk=org.pk).update(plan=plan)
    Monitor.objects.bulk_create(
        Monitor(organization=org, name=f"M{n}", type="http", url=f"https://m{n}.example.com") for n in range(50)
    )


def test_at_the_plan_limit_the_new_button_says_so_instead_of_offering_a_form(client, person, org):
    person(org, "member", client)
    Organization.objects.filter(pk=org.pk).update(plan="free")
    html = client.get("/monitors/").content.decode()
    assert '<a class="button" href="/monitors/new">New monitor</a>' in html and "Plan limit" not in html

    _fill_to_limit(org)
    html = client.get("/monitors/").content.decode()
    assert '<button type="button" disabled>New monitor</button>' in html
    assert '<a href="/settings/" data-plan-limit>Plan limit reached: 50 monitors on Free</a>' in html
    assert 'href="/monitors/new"' not in html
    response = client.get("/monitors/new", follow=True)
    assert response.redirect_chain == [("/monitors/", 302)]
    assert "Plan limit reached: 50 monitors on Free." in response.content.decode()


# --- clone ---


def test_clone_opens_the_new_monitor_form_filled_in_and_saves_nothing(client, person, org):
    person(org, "member", client)
    source = MonitorFactory(
        organization=org,
        name="Checkout API",
        url="https://shop.example.com/health",
        interval=30,
        request_headers={"X-Probe": "1"},
        keyword="ok",
        degraded_threshold=800,
    )
    assert f'href="/monitors/{source.id}/clone"' in client.get(f"/monitors/{source.id}/").content.decode()
    response = client.get(f"/monitors/{source.id}/clone")
    html = response.content.decode()
    assert response.status_code == 200 and "Clone Checkout API" in html
    assert 'value="Checkout API (copy)"' in html and 'value="https://shop.example.com/health"' in html
    assert 'value="30"' in html and "X-Probe: 1" in html and 'value="800"' in html
    assert "nothing is saved until you create it" in html
    assert Monitor.objects.count() == 1  # nothing saved yet


def test_a_submitted_clone_is_a_new_monitor_with_the_same_settings(client, person, org):
    person(org, "member", client)
    source = MonitorFactory(organization=org, name="Checkout API", interval=30, status="DOWN")
    form = client.get(f"/monitors/{source.id}/clone").context["values"]
    data = {name: value for name, value in form.items() if isinstance(value, str | int) and value not in ("", None)}
    response = client.post(f"/monitors/{source.id}/clone", {**data, "followRedirects": "on"})
    assert response.status_code == 302 and response.url == "/monitors/"
    copy = Monitor.objects.exclude(pk=source.pk).get()
    assert (copy.name, copy.url, copy.interval, copy.type) == ("Checkout API (copy)", source.url, 30, "http")
    assert copy.status == "PENDING" and copy.badge_token != source.badge_token


def test_a_cloned_heartbeat_monitor_gets_its_own_ping_url(client, person, org):
    person(org, "member", client)
    source = MonitorFactory(organization=org, name="Nightly backup", type="heartbeat", url="", ping_token="t" * 32)
    html = client.get(f"/monitors/{source.id}/clone").content.decode()
    assert "t" * 32 not in html
    response = client.post(
        f"/monitors/{source.id}/clone", {"name": "Nightly backup (copy)", "type": "heartbeat", "interval": "3600"}
    )
    assert response.status_code == 302
    copy = Monitor.objects.get(name="Nightly backup (copy)")
    assert copy.ping_token and copy.ping_token != source.ping_token


def test_clone_needs_the_member_role_and_the_organizations_own_monitor(client, person, org, other_org):
    viewer = person(org, "viewer", client)
    mine = MonitorFactory(organization=org)
    assert client.get(f"/monitors/{mine.id}/clone").status_code == 403
    Membership.objects.filter(user=viewer).update(role="member")
    assert client.get(f"/monitors/{MonitorFactory(organization=other_org).id}/clone").status_code == 404
    _fill_to_limit(org)
    assert client.get(f"/monitors/{mine.id}/clone").url == "/monitors/"


# --- a refused target says what allows it ---


def test_a_loopback_target_names_the_setting_that_allows_it(client, person, org):
    person(org, "member", client)
    response = client.post("/monitors/new", {"name": "Local", "type": "http", "url": "http://127.0.0.1:8080/"})
    assert response.status_code == 400
    assert "127.0.0.1 is loopback; set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses" in (
        response.content.decode()
    )
    assert not Monitor.objects.exists()


def test_the_monitors_incidents_show_times_in_the_checks_format(client, person, org):
    from incidents.services import incident_create

    person(org, "viewer", client)
    monitor = MonitorFactory(organization=org)
    incident = incident_create(organization=org, title="Slow checkout", impact="low", affected=[(monitor, None)])

    fragment = client.get(f"/incidents/for-monitor/{monitor.id}").content.decode()

    started = incident.created_at
    assert f'<time datetime="{started.isoformat()}">{started:%b %-d, %H:%M:%S}</time>' in fragment

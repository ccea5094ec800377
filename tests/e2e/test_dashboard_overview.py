"""The dashboard a new user meets, in Chromium: the overview's counts, a minute-old
monitor's heartbeat strip and 24-hour chart (drawn from its raw checks, in the active time
zone), the monitor list on a 390 px wide phone, cloning a monitor up to the plan's limit,
and a status page's description rendered from Markdown."""

import secrets
import zoneinfo
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import dateformat, timezone

from accounts.models import Membership, Organization
from accounts.preferences import time_zone_set
from incidents.models import IncidentStatus
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import CheckResult, Monitor, StatusChange
from monitors.templatetags.dashboard_time import TIME_FORMAT

from ..factories import IncidentFactory, MonitorFactory, OrganizationFactory, StatusPageFactory

PASSWORD = secrets.token_urlsafe(16)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ZONE = "Asia/Kolkata"


@pytest.fixture
def organization(transactional_db):
    organization = OrganizationFactory(name="Acme")
    user = get_user_model().objects.create_user("owner", password=PASSWORD)
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    return organization


def _log_in(browser, live_server, viewport: dict):
    page = browser.new_context(viewport=viewport).new_page()
    refused = []  # the dashboard's Content-Security-Policy allows no inline script or style
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    page.refused = refused
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    return page


def _make(organization, status: str, count: int, **fields) -> list[Monitor]:
    return MonitorFactory.create_batch(count, organization=organization, status=status, **fields)


def test_the_overview_counts_monitors_incidents_and_shows_the_latest_changes(
    browser, live_server, organization, artifacts
):
    up = _make(organization, "UP", 3)
    down = _make(organization, "DOWN", 2)
    _make(organization, "DEGRADED", 1)
    _make(organization, "PAUSED", 1)
    _make(organization, "PENDING", 1)
    Monitor.objects.filter(pk=up[0].pk).update(in_maintenance=True)
    StatusChange.objects.create(monitor=down[0], from_status="UP", to_status="DOWN", error="HTTP 503")
    IncidentFactory(organization=organization, title="Checkout errors", status=IncidentStatus.INVESTIGATING)
    IncidentFactory(organization=organization, title="Old news", status=IncidentStatus.RESOLVED)
    _make(OrganizationFactory(), "DOWN", 4)  # someone else's

    page = _log_in(browser, live_server, DESKTOP)
    assert page.url == f"{live_server.url}/overview"  # where "/" leads once signed in
    counts = {
        key: int(page.locator(f'[data-tile="{key}"] .count').inner_text())
        for key in ("UP", "DOWN", "DEGRADED", "PAUSED", "PENDING", "MAINTENANCE", "INCIDENTS")
    }
    assert counts == {
        "UP": 3,
        "DOWN": 2,
        "DEGRADED": 1,
        "PAUSED": 1,
        "PENDING": 1,
        "MAINTENANCE": 1,
        "INCIDENTS": 1,
    }
    change = page.locator("tr[data-change]")
    assert change.count() == 1
    assert "Up → Down" in change.inner_text() and down[0].name in change.inner_text()
    assert "Checkout errors" in page.locator("main").inner_text()
    assert "Old news" not in page.locator("main").inner_text()
    page.screenshot(path=artifacts / "dashboard-overview.png", full_page=True)

    with page.expect_navigation():
        page.locator('[data-tile="DOWN"]').click()
    assert page.url.endswith("/monitors/?status=DOWN")
    assert page.locator("tr[data-monitor]").count() == 2
    page.go_back()
    with page.expect_navigation():
        change.get_by_role("link", name=down[0].name).click()
    assert page.url == f"{live_server.url}/monitors/{down[0].id}/"
    assert page.refused == []
    page.context.close()


@pytest.fixture
def fresh_monitor(organization):
    """Created a minute ago, with five checks since (one failed); its owner has chosen
    India's time zone (+05:30, so a time left in UTC would show)."""
    time_zone_set(user=get_user_model().objects.get(username="owner"), time_zone=ZONE)
    monitor = MonitorFactory(organization=organization, name="Fresh API", degraded_threshold=500)
    now = timezone.now().replace(microsecond=0)
    outcomes = [("UP", 80), ("UP", 95), ("DOWN", None), ("UP", 110), ("DEGRADED", 640)]
    for n, (status, response_time) in enumerate(outcomes):  # one at a time, as the checks come
        at = now - timedelta(seconds=60 - n * 12)
        error = "HTTP 503" if status == "DOWN" else ""
        record_observations([Observation(monitor.id, at, at, Outcome(status, response_time, error=error))])
    return monitor


def test_a_minute_old_monitor_has_a_heartbeat_strip_and_a_chart_of_its_checks(
    browser, live_server, fresh_monitor, artifacts
):
    page = _log_in(browser, live_server, DESKTOP)
    page.goto(f"{live_server.url}/monitors/{fresh_monitor.id}/")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('response-chart'))")

    beats = page.locator(".beats > li[title]")
    assert beats.count() == 5
    assert [beats.nth(n).get_attribute("class") for n in range(5)] == ["UP", "UP", "DOWN", "UP", "DEGRADED"]
    checks = list(CheckResult.objects.filter(monitor=fresh_monitor).order_by("scheduled_at"))
    local = timezone.localtime(checks[-1].scheduled_at, zoneinfo.ZoneInfo(ZONE))
    shown = dateformat.format(local, TIME_FORMAT)
    assert beats.nth(4).get_attribute("title") == f"{shown} · Degraded · 640 ms"

    canvas = page.locator("#response-chart")
    assert canvas.get_attribute("data-time-zone") == ZONE
    chart = page.evaluate(
        """() => { const chart = Chart.getChart(document.getElementById('response-chart'));
        return {labels: chart.data.labels, response: chart.data.datasets[0].data,
                failed: chart.data.datasets[1].data}; }"""
    )
    assert chart["response"] == [80, 95, None, 110, 640]
    assert chart["failed"] == [None, None, 1, None, None]
    # The axis and the checks table show a check's time alike, in the active zone.
    assert chart["labels"][-1] == shown
    recent_checks = page.locator("section", has=page.get_by_role("heading", name="Recent checks"))
    assert recent_checks.locator("time").first.inner_text() == shown
    page.locator(".beats > li[title]").nth(2).hover()
    page.screenshot(path=artifacts / "dashboard-monitor-fresh.png", full_page=True)
    assert page.refused == []
    page.context.close()


def test_the_monitor_list_fits_a_390_px_phone(browser, live_server, organization, fresh_monitor, artifacts):
    for n in range(3):
        MonitorFactory(
            organization=organization,
            name=f"Payments gateway in the Frankfurt region, number {n}",
            url=f"https://payments-gateway-frankfurt-{n}.internal-services.example.com/health/deep/check",
            status=Monitor.Status.DOWN,
            response_time=1234,
        )
    page = _log_in(browser, live_server, PHONE)
    for path in ("/monitors/", "/overview", f"/monitors/{fresh_monitor.id}/"):
        page.goto(f"{live_server.url}{path}")
        widths = page.evaluate(
            """() => ({scroll: document.scrollingElement.scrollWidth, client: document.scrollingElement.clientWidth,
                       topbar: document.querySelector('.topbar').getBoundingClientRect().width})"""
        )
        name = {"/monitors/": "monitors", "/overview": "overview"}.get(path, "monitor")
        page.screenshot(path=artifacts / f"dashboard-{name}-390.png", full_page=True)
        assert widths["scroll"] <= widths["client"] == 390, (path, widths)
        assert widths["topbar"] == 390, (path, widths)
    page.goto(f"{live_server.url}/monitors/")
    assert page.get_by_role("link", name="New monitor").is_visible()
    assert page.get_by_role("button", name="Pause selected").is_visible()
    assert page.refused == []
    page.context.close()


def test_clone_a_monitor_then_see_the_plan_limit_and_a_rendered_page_description(
    browser, live_server, organization, artifacts
):
    Organization.objects.filter(pk=organization.pk).update(plan="free")
    source = MonitorFactory(organization=organization, name="Checkout API", interval=30)
    MonitorFactory.create_batch(48, organization=organization)  # Free allows 50: room for one more
    StatusPageFactory(
        organization=organization, name="Acme status", description="**All** systems, [docs](https://e.example)"
    )

    page = _log_in(browser, live_server, DESKTOP)
    page.goto(f"{live_server.url}/monitors/{source.id}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Clone").click()
    assert page.get_by_label("Name", exact=True).input_value() == "Checkout API (copy)"
    assert page.get_by_label("URL", exact=True).input_value() == source.url
    assert page.get_by_label("Interval (seconds)").input_value() == "30"
    page.screenshot(path=artifacts / "dashboard-monitor-clone.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Create monitor").click()
    assert Monitor.objects.filter(name="Checkout API (copy)", interval=30).count() == 1

    # That was the 50th: the list now says so where the New button was.
    assert page.get_by_role("button", name="New monitor").is_disabled()
    assert page.locator("[data-plan-limit]").inner_text() == "Plan limit reached: 50 monitors on Free"
    page.screenshot(path=artifacts / "dashboard-monitors-plan-limit.png")

    page.goto(f"{live_server.url}/pages/")
    description = page.locator(".description")
    assert description.inner_text() == "All systems, docs"
    assert description.locator("strong").inner_text() == "All"
    assert page.get_by_role("button", name="New status page").is_disabled()
    page.screenshot(path=artifacts / "dashboard-pages-markdown.png")
    assert page.refused == []
    page.context.close()

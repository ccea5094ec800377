"""A monitor checked from three regions, in Chromium: its page's regions panel, a chart line
per region, heartbeat cells that are each slot's verdict, on a desktop and on a phone; the
form's Regions fieldset; the overview's check regions panel."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Membership
from monitors import regions
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import Region

from ..factories import MonitorFactory, OrganizationFactory
from .test_dashboard_overview import PASSWORD, _log_in

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
EU, US, AP = "eu-west", "us-east", "ap-south"
SLOTS = 30


@pytest.fixture
def organization(transactional_db, settings):
    settings.STATUSAPP_REGIONS = [EU, US, AP]
    settings.STATUSAPP_REGION = EU
    settings.REGION_SILENT_AFTER = 3600  # the test's regions stay alive while it runs
    organization = OrganizationFactory(name="Acme")
    user = get_user_model().objects.create_user("owner", password=PASSWORD)
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    return organization


@pytest.fixture
def monitor(organization):
    """Checked every minute from EU, US and AP for half an hour: EU fails a few slots on
    its own (outvoted), EU and US fail two together (DOWN), and AP has been silent for
    the last ten minutes (more than REGION_SILENT_AFTER ago)."""
    for region in (EU, US, AP):
        regions.report_in(region)
    monitor = MonitorFactory(organization=organization, name="Checkout API", url="https://checkout.example.com/health")
    newest = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=1)
    for n in range(SLOTS):
        slot = newest - timedelta(minutes=SLOTS - 1 - n)
        seen = {
            EU: Outcome("UP", 120 + n % 5 * 15),
            US: Outcome("UP", 210 + n % 4 * 20),
            AP: Outcome("UP", 380 + n % 3 * 40),
        }
        if n in (5, 12, 19):
            seen[EU] = Outcome("DOWN", None, error="timed out")
        if n in (24, 25):
            seen[EU] = Outcome("DOWN", None, error="HTTP 503", status_code=503)
            seen[US] = Outcome("DOWN", None, error="HTTP 503", status_code=503)
        if n >= SLOTS - 10:
            del seen[AP]
        for region, outcome in seen.items():
            record_observations([Observation(monitor.id, slot, slot, outcome)], region)
    Region.objects.filter(name=AP).update(last_report_at=timezone.now() - timedelta(hours=2))
    return monitor


def test_a_multi_region_monitors_page_shows_each_region(browser, live_server, monitor, artifacts):
    page = _log_in(browser, live_server, DESKTOP)
    page.goto(f"{live_server.url}/monitors/{monitor.id}/")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('response-chart'))")

    chart = page.evaluate(
        """() => Chart.getChart(document.getElementById('response-chart')).data.datasets.map(
            (set) => ({label: set.label, type: set.type, points: set.data.filter((v) => v !== null).length}))"""
    )
    assert chart == [
        {"label": "eu-west (ms)", "type": "line", "points": SLOTS - 5},
        {"label": "us-east (ms)", "type": "line", "points": SLOTS - 2},
        {"label": "ap-south (ms)", "type": "line", "points": SLOTS - 10},
        {"label": "Failed check", "type": "bar", "points": 5},
    ]
    # A bar as high as the share of regions that failed: EU outvoted, then EU and US.
    bars = page.evaluate(
        "() => Chart.getChart(document.getElementById('response-chart')).data.datasets[3].data.filter((v) => v)"
    )
    assert [round(bar, 2) for bar in bars] == [0.33, 0.33, 0.33, 0.67, 0.67]

    panel = page.locator("section.regions")
    rows = panel.locator("tbody tr")
    assert [rows.nth(n).get_attribute("data-region") for n in range(3)] == [EU, US, AP]
    assert rows.nth(0).locator("[data-health]").inner_text() == "Alive"
    assert rows.nth(2).locator("[data-health]").inner_text() == "Silent"
    assert "83.333%" in rows.nth(0).inner_text()  # 25 of 30 from EU

    beats = page.locator(".beats > li[title]")
    assert beats.count() == SLOTS
    statuses = [beats.nth(n).get_attribute("class") for n in range(SLOTS)]
    assert statuses.count("DOWN") == 2 and statuses[24:26] == ["DOWN", "DOWN"]  # EU alone is outvoted
    assert "eu-west: Down · timed out" in beats.nth(5).get_attribute("title")

    recent = page.locator("section", has=page.get_by_role("heading", name="Recent checks"))
    assert recent.locator("thead th").nth(1).inner_text().lower() == "region"
    page.screenshot(path=artifacts / "regions-monitor.png", full_page=True)
    assert page.refused == []

    phone = _log_in(browser, live_server, PHONE)
    phone.goto(f"{live_server.url}/monitors/{monitor.id}/")
    phone.wait_for_function("window.Chart && Chart.getChart(document.getElementById('response-chart'))")
    phone.screenshot(path=artifacts / "regions-monitor-phone.png", full_page=True)
    # What this page adds by region fits the screen (a section scrolling sideways would not).
    overflowing = phone.evaluate(
        """() => [...document.querySelectorAll('main section')].filter((s) => s.scrollWidth > s.clientWidth)
            .map((s) => s.querySelector('h2').textContent)"""
    )
    assert not {"Latest checks", "Regions", "Response time per check", "Recent checks"} & set(overflowing), overflowing
    phone.context.close()
    page.context.close()


def test_the_form_and_the_overview_show_the_regions(browser, live_server, monitor, artifacts):
    page = _log_in(browser, live_server, DESKTOP)
    panel = page.locator("[data-check-regions]")
    assert [panel.locator("li").nth(n).get_attribute("data-region") for n in range(3)] == [EU, US, AP]
    assert "Silent" in panel.locator(f'li[data-region="{AP}"]').inner_text()
    page.screenshot(path=artifacts / "regions-overview.png", full_page=True)

    page.goto(f"{live_server.url}/monitors/{monitor.id}/edit")
    fieldset = page.locator("fieldset", has=page.locator("legend", has_text="Regions"))
    assert fieldset.is_visible()
    page.get_by_label(AP).check()
    page.get_by_label(EU).check()
    page.get_by_label("Confirmations").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "Must not exceed the number of regions it is checked from (2)." in fieldset.inner_text()
    fieldset.screenshot(path=artifacts / "regions-form-error.png")
    page.get_by_label("Confirmations").fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    monitor.refresh_from_db()
    assert (sorted(monitor.regions), monitor.confirmations) == ([AP, EU], 1)

    # A heartbeat monitor has no regions: the fieldset hides with its type.
    page.goto(f"{live_server.url}/monitors/new")
    assert fieldset.is_visible()
    page.get_by_label("Type", exact=True).select_option("heartbeat")
    assert fieldset.is_hidden()
    assert page.refused == []
    page.context.close()

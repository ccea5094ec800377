"""What a visitor of a public status page sees in Chromium: the past incidents day by day,
subscribing with a mistyped address, and the 90-day bars' tooltip over the hovered day at
desktop and phone width.

Screenshots are saved under tests/e2e/artifacts/ (public-*.png) for a person to look at.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from incidents.models import Incident, IncidentUpdate
from incidents.services import incident_create, incident_update
from monitors.models import Rollup
from statuspages.models import Subscriber
from statuspages.services import status_page_create

from ..factories import MonitorFactory, OrganizationFactory

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TIMEOUT_MS = 10_000
RECENT = "Checkout slow for some cards"  # resolved, 3 days ago: under that day
OLD = "Login outage last month"  # resolved, 20 days ago: not on the main page
# The ::after tooltip of a cell, as a box in the viewport's coordinates: it is laid out
# against the bar (its containing block), moved by its transform; its computed width is
# its content's, without the padding.
TOOLTIP_BOX = """cell => {
  const style = getComputedStyle(cell, "::after");
  const bar = cell.parentElement.getBoundingClientRect();
  const left = bar.left + parseFloat(style.left) + new DOMMatrixReadOnly(style.transform).m41;
  const width = ["width", "paddingLeft", "paddingRight"].reduce((sum, name) => sum + parseFloat(style[name]), 0);
  return {content: style.content, left: left, right: left + width};
}"""


def _midday(days_ago: int) -> datetime:
    return datetime.combine(timezone.now().date() - timedelta(days=days_ago), time(12), tzinfo=UTC)


def _resolved(org, title: str, days_ago: int, monitor, impact: str) -> Incident:
    incident = incident_create(organization=org, title=title, impact=impact, affected=[(monitor, None)])
    incident_update(incident=incident, status="RESOLVED", update="This incident has been resolved.")
    opened = _midday(days_ago)
    Incident.objects.filter(pk=incident.pk).update(created_at=opened, resolved_at=opened + timedelta(hours=1))
    updates = IncidentUpdate.objects.filter(incident=incident)
    updates.filter(status="INVESTIGATING").update(created_at=opened)
    updates.filter(status="RESOLVED").update(created_at=opened + timedelta(hours=1))
    return incident


@pytest.fixture
def acme(transactional_db):
    """The page "Acme Status": two monitors with 90 days of rollups (one of them slow
    today), an incident resolved 3 days ago and one resolved 20 days ago."""
    org = OrganizationFactory()
    api = MonitorFactory(organization=org, name="Public API", status="UP")
    web = MonitorFactory(organization=org, name="Website", status="DEGRADED")
    today = timezone.now().date()
    Rollup.objects.bulk_create(
        Rollup(
            monitor=monitor,
            period="day",
            bucket=datetime.combine(today - timedelta(days=days_ago), time.min, tzinfo=UTC),
            checks=1440,
            up=1440 - days_ago % 7,
            degraded=0,
        )
        for monitor in (api, web)
        for days_ago in range(90)
    )
    page = status_page_create(organization=org, name="Acme Status", slug="acme", components=[(api, ""), (web, "")])
    _resolved(org, RECENT, 3, api, "medium")
    _resolved(org, OLD, 20, api, "high")
    return page


def _open(browser, url: str, options: dict):
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    response = page.goto(url)
    assert response.status == 200, response.status
    return page


def test_subscribe_with_a_mistyped_address_shows_the_form_again(browser, live_server, acme, artifacts):
    page = _open(browser, f"{live_server.url}/status/acme/", DESKTOP)
    # The browser's own check lets "ann@example" through; the server refuses it (no domain).
    page.locator("#email").fill("ann@example")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Subscribe").click()
    page.screenshot(path=artifacts / "public-subscribe-invalid.png", full_page=True)

    assert navigation.value.status == 400
    assert page.title() == "Subscribe to updates · Acme Status"
    assert page.locator("#email-error").inner_text() == "Enter a valid email address."
    assert page.locator("#email").input_value() == "ann@example"  # kept, to correct it
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    assert not Subscriber.objects.exists()

    page.locator("#email").fill("ann@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Subscribe").click()
    assert page.locator("h1").inner_text() == "Check your inbox"
    assert Subscriber.objects.filter(page=acme, email="ann@example.com", confirmed_at=None).exists()
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]

    with page.expect_navigation():
        page.get_by_role("link", name="← Back to Acme Status").click()
    assert page.url == f"{live_server.url}/status/acme/"
    assert page.title() == "Acme Status"  # not "Acme Status status"
    page.context.close()


@pytest.mark.parametrize(("name", "options"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_past_incidents_are_listed_day_by_day(browser, live_server, acme, artifacts, name, options):
    page = _open(browser, f"{live_server.url}/status/acme/", options)
    past = page.locator(".past-incidents")
    past.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"public-past-incidents-{name}.png", full_page=True)

    assert page.locator(".banner h1").inner_text() == "Partially Degraded Service"
    assert past.locator("h2").inner_text() == "Past incidents"
    days = past.locator(".past-day")
    assert days.count() == 15
    day = timezone.now().date() - timedelta(days=3)
    three_days_ago = days.nth(3)
    assert three_days_ago.locator("h3").inner_text() == f"{day:%b} {day.day}, {day.year}"
    assert three_days_ago.locator(".past-incident h4 a").inner_text() == RECENT
    last_update = " ".join(three_days_ago.locator(".last-update").inner_text().split())
    assert last_update == "Resolved – This incident has been resolved."
    assert days.nth(0).inner_text().endswith("No incidents reported.")
    assert OLD not in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with page.expect_navigation():
        three_days_ago.get_by_role("link", name=RECENT).click()
    page.screenshot(path=artifacts / f"public-incident-{name}.png", full_page=True)
    assert page.locator("h1").inner_text().startswith(RECENT)
    assert page.locator("main").inner_text().count(RECENT) == 1  # the title once
    page.context.close()


@pytest.mark.parametrize(("name", "options"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_day_tooltip_sits_over_the_hovered_day(browser, live_server, acme, artifacts, name, options):
    page = _open(browser, f"{live_server.url}/status/acme/", options)
    cells = page.locator(".component").first.locator(".bar > i")
    width = page.evaluate("window.innerWidth")
    for where, index in (("left", 1), ("middle", 45), ("right", 88)):
        cell = cells.nth(index)
        cell.hover()
        page.screenshot(path=artifacts / f"public-tooltip-{name}-{where}.png")
        box = cell.bounding_box()
        tip = cell.evaluate(TOOLTIP_BOX)
        day = timezone.now().date() - timedelta(days=89 - index)
        assert tip["content"].startswith(f'"{day:%b} {day.day}, {day.year} · '), tip
        # Horizontally over the hovered cell, and whole on the screen.
        assert tip["left"] < box["x"] + box["width"] and tip["right"] > box["x"], (where, tip, box)
        assert tip["left"] >= 0 and tip["right"] <= width, (where, tip, width)
    page.context.close()

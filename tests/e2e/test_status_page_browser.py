"""The public status page in Chromium: banner, components, the 90-day bar and its
tooltip at desktop and phone width, and subscribing by email.

Screenshots are saved under tests/e2e/artifacts/ for a person to look at.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from incidents.models import ComponentStatus
from incidents.services import incident_create
from monitors.models import Rollup
from statuspages.bars import LEVEL_CLASS
from statuspages.models import Subscriber
from statuspages.services import status_page_create

from ..factories import MonitorFactory, OrganizationFactory

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TIMEOUT_MS = 10_000
# Days ago -> successful checks of 1440, and the colour of that day's cell.
DAILY = {1: (1440, "up"), 2: (1430, "minor"), 3: (1400, "partial"), 4: (1000, "major"), 5: (1440, "up")}
# (monitor name, monitor status, component status shown on the page: its label, in any case)
COMPONENTS = [
    ("Public API", "DOWN", ComponentStatus.MAJOR_OUTAGE.label),
    ("Dashboard", "DEGRADED", ComponentStatus.DEGRADED_PERFORMANCE.label),
    ("Docs site", "UP", ComponentStatus.OPERATIONAL.label),
]
INCIDENT_TITLE = "API requests failing"
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def acme(transactional_db):
    """The page "acme": one monitor down (with an open incident), one degraded, one up;
    a few days of rollups for each, so the bars have colours."""
    org = OrganizationFactory()
    monitors = [MonitorFactory(organization=org, name=name, status=status) for name, status, _ in COMPONENTS]
    today = timezone.now().date()
    for monitor in monitors:
        for days_ago, (up, _level) in DAILY.items():
            bucket = datetime.combine(today - timedelta(days=days_ago), time.min, tzinfo=UTC)
            Rollup.objects.create(monitor=monitor, period="day", bucket=bucket, checks=1440, up=up, degraded=0)
    page = status_page_create(
        organization=org,
        name="Acme",
        slug="acme",
        components=[(monitors[0], "Core"), (monitors[1], "Core"), (monitors[2], "")],
    )
    incident_create(
        organization=org,
        title=INCIDENT_TITLE,
        description="Most API requests fail with a 502; we are looking into it.",
        impact="high",
        affected=[(monitors[0], None)],
    )
    return page


def _open(browser, url: str, options: dict):
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    response = page.goto(url)
    assert response.status == 200, response.status
    return page


def _check_page(page) -> dict[str, str]:
    """Check the page's banner, incident, groups and bars; return each component's status
    text (checked by the caller once the screenshots are saved)."""
    assert page.locator(".banner h1").inner_text() == "Partial System Outage"  # major: a component down
    # The stylesheet was served and applied (the banner is red, not unstyled).
    assert page.locator(".banner").evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(220, 38, 38)"
    assert INCIDENT_TITLE in page.locator(".incidents").inner_text()
    assert page.locator(".group-name").all_inner_texts() == ["CORE"]  # text-transform: uppercase
    statuses = {}
    for name, _monitor_status, _shown in COMPONENTS:
        component = page.locator(".component", has=page.locator(".name", has_text=name))
        statuses[name] = component.locator(".status").inner_text().lower()
        assert component.locator(".bar > i").count() == 90
    cells = page.locator(".component").first.locator(".bar > i")
    classes = cells.evaluate_all("els => els.slice(-6).map(el => el.className)")
    # A good day has no class.
    assert classes == [LEVEL_CLASS[DAILY[days_ago][1]] for days_ago in range(5, 0, -1)] + ["n"]
    return statuses


def test_status_page_in_chromium(browser, live_server, acme, artifacts):
    url = f"{live_server.url}/status/acme/"
    today = timezone.now().date()

    desktop = _open(browser, url, DESKTOP)
    desktop_statuses = _check_page(desktop)
    assert desktop.evaluate(NO_OVERFLOW)
    desktop.screenshot(path=artifacts / "status-desktop.png", full_page=True)

    phone = _open(browser, url, PHONE)
    phone_statuses = _check_page(phone)
    assert phone.evaluate("window.innerWidth") == 390
    assert phone.evaluate(NO_OVERFLOW), phone.evaluate("document.documentElement.scrollWidth")
    phone.screenshot(path=artifacts / "status-phone.png", full_page=True)
    # For a person to look at: the tooltip of a cell near the left end at phone width.
    phone.locator(".component").first.locator(".bar > i").nth(8).hover()
    phone.screenshot(path=artifacts / "status-hover-phone.png")
    phone.context.close()

    # The tooltip is the cell's ::after, shown on hover: the day, its uptime and incidents.
    cell = desktop.locator(".component").first.locator(".bar > i").nth(89 - 3)
    after = "el => getComputedStyle(el, '::after').content"
    assert cell.evaluate(after) == "none"
    cell.hover()
    day = today - timedelta(days=3)
    assert cell.evaluate(after) == f'"{day:%b %-d, %Y} · 97.22% uptime · no incidents"'
    desktop.screenshot(path=artifacts / "status-hover.png", full_page=True)
    last = desktop.locator(".component").first.locator(".bar > i").last
    last.hover()
    assert cell.evaluate(after) == "none"
    assert last.evaluate(after) == f'"{today:%b %-d, %Y} · no data · {INCIDENT_TITLE}"'

    desktop.locator("#email").fill("reader@example.com")
    with desktop.expect_navigation():
        desktop.get_by_role("button", name="Subscribe").click()
    assert desktop.url == f"{live_server.url}/status/acme/subscribe"
    assert desktop.locator("h1").inner_text() == "Check your inbox"
    assert "reader@example.com" in desktop.locator("main").inner_text()
    desktop.screenshot(path=artifacts / "subscribed.png", full_page=True)
    desktop.context.close()

    subscriber = Subscriber.objects.get(page=acme, email="reader@example.com")
    assert subscriber.confirmed_at is None
    assert subscriber.unsubscribed_at is None
    assert [message.to for message in mail.outbox] == [["reader@example.com"]]

    expected = {name: shown.lower() for name, _monitor_status, shown in COMPONENTS}
    assert desktop_statuses == expected
    assert phone_statuses == expected

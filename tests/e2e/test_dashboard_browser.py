"""The dashboard in Chromium: first-run setup, then a monitor created against a local
HTTP server that turns UP on the list without a reload."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from monitors.checking import run_check_batch
from monitors.models import Monitor

from ..http_target import Target

PASSWORD = "a long enough pass-phrase 7"


def _check(monitor_id: str) -> int:
    try:
        return run_check_batch([(monitor_id, timezone.now())])
    finally:
        connection.close()


DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def target(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True  # the target is on 127.0.0.1
    target = Target()
    yield target
    target.close()


def test_first_run_then_a_monitor_goes_up_without_reloading(browser, live_server, transactional_db, target, artifacts):
    page = browser.new_context(viewport=DESKTOP).new_page()
    refused = []  # the dashboard's Content-Security-Policy allows no inline script or style
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/setup"
    assert page.locator("h1").inner_text() == "Welcome to StatusApp"
    page.screenshot(path=artifacts / "dashboard-setup.png", full_page=True)

    page.get_by_label("Organization name").fill("Acme")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{live_server.url}/overview")
    assert "No monitors yet" in page.locator("main").inner_text()

    page.get_by_role("link", name="New monitor").click()
    page.get_by_label("Name", exact=True).fill("Local API")
    page.get_by_label("Type", exact=True).select_option("http")
    assert page.get_by_label("Port").is_hidden()  # another type's field
    page.get_by_label("URL", exact=True).fill(target.url)
    page.get_by_label("Interval (seconds)").fill("30")
    page.screenshot(path=artifacts / "dashboard-monitor-form.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Create monitor").click()
    row = page.locator("tr", has=page.locator("strong", has_text="Local API"))
    assert row.locator(".badge").inner_text() == "Pending"

    # The scheduler's part, done here: the check itself is real, against the target. In a
    # thread of its own, as a worker runs it: this one has Playwright's event loop.
    monitor = Monitor.objects.get(name="Local API")
    recorded = []
    worker = threading.Thread(target=lambda: recorded.append(_check(monitor.id)))
    worker.start()
    worker.join(30)
    assert recorded == [1]
    assert target.hits == 1
    # No reload: the list's rows refresh themselves.
    row.locator(".badge", has_text="Up").wait_for(timeout=15_000)
    page.screenshot(path=artifacts / "dashboard-monitors.png", full_page=True)

    row.get_by_role("link", name="Local API").click()
    page.locator("#response-chart").wait_for()
    page.wait_for_timeout(300)  # the chart draws and the incidents fragment loads
    page.screenshot(path=artifacts / "dashboard-monitor.png", full_page=True)
    assert refused == []
    page.context.close()

"""Dashboard flows in Chromium: an API key made in the browser works against the API until
it is revoked there; an incident created in the browser shows on the public page; and a
screenshot of each main page for a person to look at."""

import secrets

import pytest
import requests
from django.contrib.auth import get_user_model

from accounts.models import Membership
from monitors.models import Monitor
from statuspages.services import status_page_create

from ..factories import MonitorFactory, OrganizationFactory

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = secrets.token_urlsafe(16)


@pytest.fixture
def owner(transactional_db):
    organization = OrganizationFactory(name="Acme")
    user = get_user_model().objects.create_user("owner", password=PASSWORD)
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    api = MonitorFactory(organization=organization, name="Public API", status=Monitor.Status.UP, response_time=84)
    MonitorFactory(organization=organization, name="Website", status=Monitor.Status.DEGRADED, response_time=912)
    status_page_create(organization=organization, name="Acme status", slug="acme", components=[(api, "Core")])
    return organization


@pytest.fixture
def page(browser, live_server, owner):
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    yield page
    page.context.close()


def _api(live_server, key: str) -> int:
    # requests from a thread of its own would do too; this thread is Playwright's, and
    # the live server answers in its own thread.
    return requests.get(
        f"{live_server.url}/api/monitors", headers={"Authorization": f"Bearer {key}"}, timeout=10
    ).status_code


def test_an_api_key_made_in_the_browser_works_until_revoked_there(page, live_server, artifacts):
    page.goto(f"{live_server.url}/api-keys/new")
    page.get_by_label("Name").fill("laptop")
    page.get_by_label("Read", exact=False).first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Create key").click()
    key = page.locator("#secret").input_value()
    assert key.startswith("sk_live_")
    page.screenshot(path=artifacts / "dashboard-api-key-created.png", full_page=True)
    assert _api(live_server, key) == 200

    page.goto(f"{live_server.url}/api-keys/")
    assert key not in page.content()
    page.get_by_role("link", name="Revoke").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke").click()
    assert "Revoked" in page.locator("main").inner_text()
    page.screenshot(path=artifacts / "dashboard-api-keys.png", full_page=True)
    assert _api(live_server, key) == 401


def test_an_incident_made_in_the_browser_shows_on_the_public_page(page, live_server, artifacts):
    page.goto(f"{live_server.url}/incidents/new")
    page.get_by_label("Title").fill("Checkout errors")
    page.get_by_label("Description").fill("Some payments fail; we are on it.")
    page.get_by_label("Impact").select_option("high")
    page.get_by_label("Public API", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Report incident").click()
    page.screenshot(path=artifacts / "dashboard-incident.png", full_page=True)

    public = page.context.new_page()
    public.goto(f"{live_server.url}/status/acme/")
    assert (
        public.locator(".banner h1").inner_text() == "Partial System Outage"
    )  # Statuspage: a high-impact incident is major
    assert "Checkout errors" in public.locator(".incidents").inner_text()
    assert "Some payments fail; we are on it." in public.locator(".incidents").inner_text()
    public.screenshot(path=artifacts / "public-page-with-incident.png", full_page=True)


MAIN_PAGES = {
    "monitors": "/monitors/",
    "monitor-new": "/monitors/new",
    "incidents": "/incidents/",
    "maintenance": "/incidents/maintenance/",
    "pages": "/pages/",
    "webhooks": "/webhooks/",
    "webhook-new": "/webhooks/new",
    "api-keys-empty": "/api-keys/",
    "settings": "/settings/",
    "members": "/settings/members",
}


def test_main_pages_render_without_overflow_or_policy_violations(page, live_server, artifacts):
    refused = []
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    for name, path in MAIN_PAGES.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        page.screenshot(path=artifacts / f"dashboard-{name}.png", full_page=True)
    page.goto(f"{live_server.url}/pages/")
    page.get_by_role("link", name="Edit").first.click()
    assert page.get_by_label("Name", exact=True).input_value() == "Acme status"
    page.screenshot(path=artifacts / "dashboard-page-edit.png", full_page=True)
    page.goto(f"{live_server.url}/monitors/")
    page.get_by_role("link", name="Public API").click()
    page.locator("#response-chart, .empty").first.wait_for()
    page.wait_for_timeout(300)  # the incidents fragment loads after the page
    assert refused == []

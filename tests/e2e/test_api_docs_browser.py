"""/api/docs in Chromium, as a new user tries it: authorize with a key, open "Create a
monitor", try it out with the example the page shows, execute: a 201 and a stored monitor."""

import json

import pytest

from apikeys.services import api_key_create
from monitors.models import Monitor

from ..factories import OrganizationFactory

DESKTOP = {"width": 1280, "height": 1000}


@pytest.fixture
def context(browser, live_server, transactional_db):
    context = browser.new_context(viewport=DESKTOP)
    yield context
    context.close()


def test_the_docs_create_monitor_example_creates_a_monitor(context, live_server, artifacts):
    organization = OrganizationFactory(name="Acme")
    _, raw_key = api_key_create(organization=organization, name="docs", permission="admin")
    page = context.new_page()
    page.goto(f"{live_server.url}/api/docs")

    page.locator("button.authorize").first.click()
    page.locator(".modal-ux input[type=text], .modal-ux input[type=password]").first.fill(raw_key)
    page.locator(".modal-ux button.authorize").click()
    page.locator(".modal-ux button.btn-done").click()

    operation = page.locator("#operations-monitors-monitors_create")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    shown = json.loads(operation.locator("textarea.body-param__text").input_value())
    assert shown["name"] == "API Health Check"
    assert shown["url"] == "https://api.example.com/health"
    operation.locator("button.execute").click()

    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "201"
    operation.screenshot(path=artifacts / "api-docs-create-monitor.png")
    stored = Monitor.objects.get(organization=organization)
    assert (stored.name, stored.type, stored.url) == ("API Health Check", "http", "https://api.example.com/health")

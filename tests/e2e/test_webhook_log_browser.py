"""A webhook's delivery log in Chromium: "Send test" against a real receiver on 127.0.0.1
adds a pending row, which turns to its outcome (with what it is about and the HTTP status)
without a reload, and then stops polling."""

import secrets

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Membership
from webhooks.models import Delivery

from ..factories import OrganizationFactory, WebhookEndpointFactory
from ..webhook_receiver import Answer, Receiver

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = secrets.token_urlsafe(16)


@pytest.fixture
def receiver(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True  # the receiver is on 127.0.0.1
    # Slower than the task waits (WEBHOOK_TASK_FIRST_WAIT): the page first shows the delivery
    # pending, and the sender's recorder writes the outcome a moment later.
    receiver = Receiver(Answer(status=202, body=b"queued", delay=2.5))
    yield receiver
    receiver.close()


@pytest.fixture
def endpoint(transactional_db, receiver):
    organization = OrganizationFactory(name="Acme")
    user = get_user_model().objects.create_user("ada", password=PASSWORD)
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.ADMIN)
    return WebhookEndpointFactory(organization=organization, url=receiver.url, description="Ops bot")


@pytest.fixture
def page(browser, live_server, endpoint):
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    yield page
    page.context.close()


def test_a_test_delivery_turns_to_its_result_without_a_reload(page, live_server, endpoint, receiver, artifacts):
    refused = []  # the dashboard's Content-Security-Policy allows no inline script or style
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    polls = []
    page.on("request", lambda request: "/deliveries/rows" in request.url and polls.append(request.url))
    url = f"{live_server.url}/webhooks/{endpoint.id}/"
    page.goto(url)
    assert "No deliveries yet." in page.locator("#delivery-log").inner_text()
    page.evaluate("window.notReloaded = true")

    page.get_by_role("button", name="Send test").click()
    row = page.locator("#delivery-log tbody tr").first
    row.locator(".badge", has_text="Pending").wait_for(timeout=5000)
    assert "Test event" in row.inner_text()
    page.screenshot(path=artifacts / "webhook-log-pending.png", full_page=True)

    row.locator(".badge", has_text="Delivered").wait_for(timeout=10000)
    cells = row.inner_text()
    assert "HTTP 202" in cells and "Test event" in cells and "1" in cells
    assert page.evaluate("window.notReloaded") is True and page.url == url
    assert len(receiver.requests) == 1
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == Delivery.Status.DELIVERED
    assert row.get_attribute("data-delivery") == delivery.id
    page.screenshot(path=artifacts / "webhook-log-delivered.png", full_page=True)

    # Every row has its outcome: the log stops polling.
    assert polls and page.locator("#delivery-log[hx-trigger]").count() == 0
    seen = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == seen
    assert refused == []

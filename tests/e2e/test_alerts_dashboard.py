"""Alert channels in Chromium: a Slack channel made through the form (pointed at a real
receiver on 127.0.0.1), Test, and the test alert turning from pending to delivered in the
channel's log without a reload; its attempt log opened; the pages at 390 px."""

import json
import secrets

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Membership
from alerts.models import Alert, AlertChannel

from ..factories import OrganizationFactory
from ..webhook_receiver import Answer, Receiver

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = secrets.token_urlsafe(16)
NO_OVERFLOW = "document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"


@pytest.fixture
def receiver(settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True  # the "Slack" receiver is on 127.0.0.1
    # Slower than the task waits (WEBHOOK_TASK_FIRST_WAIT): the log first shows the alert
    # pending, and the sender's recorder writes the outcome a moment later.
    receiver = Receiver(Answer(status=200, body=b"ok", delay=2.5))
    yield receiver
    receiver.close()


@pytest.fixture
def organization(transactional_db):
    organization = OrganizationFactory(name="Acme")
    user = get_user_model().objects.create_user("ada", email="ada@example.com", password=PASSWORD)
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.ADMIN)
    return organization


def log_in(browser, live_server, viewport):
    page = browser.new_context(viewport=viewport).new_page()
    page.refused = []  # the dashboard's Content-Security-Policy allows no inline script or style
    page.on("console", lambda message: "Content Security Policy" in message.text and page.refused.append(message.text))
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    return page


def test_create_a_slack_channel_test_it_and_see_the_delivery(browser, live_server, organization, receiver, artifacts):
    slack_url = f"{receiver.url}/services/T0001/B0001/s3cr3tTOKENabcdefghijkl"
    page = log_in(browser, live_server, DESKTOP)
    polls = []
    page.on("request", lambda request: "/log?" in request.url and polls.append(request.url))

    page.get_by_role("link", name="Alerts").click()
    page.get_by_role("link", name="New channel").click()
    page.locator('a[data-type="slack"]').click()
    assert "Apps › Incoming Webhooks" in page.locator("[data-hint]").inner_text()
    page.get_by_label("Name", exact=True).fill("#ops on Slack")
    page.get_by_label("Webhook URL").fill(slack_url)
    assert page.get_by_label("Webhook URL").get_attribute("type") == "password"
    with page.expect_navigation():
        page.get_by_role("button", name="Create channel").click()

    channel = AlertChannel.objects.get(organization=organization)
    assert channel.config == {"url": slack_url} and channel.type == "slack"
    assert "Alert channel #ops on Slack created." in page.locator(".messages").inner_text()
    assert "s3cr3t" not in page.content()
    assert "No alerts sent to this channel yet." in page.locator("#alert-log").inner_text()
    detail_url = page.url
    page.evaluate("window.notReloaded = true")

    page.get_by_role("button", name="Test").click()
    row = page.locator("#alert-log tbody[data-alert]").first
    row.locator(".badge", has_text="Pending").wait_for(timeout=5000)
    assert "Test alert queued." in page.locator("#alert-log").inner_text()
    assert "StatusApp test alert" in row.inner_text()

    row.locator(".badge", has_text="Delivered").wait_for(timeout=10000)
    assert page.evaluate("window.notReloaded") is True and page.url == detail_url
    alert = Alert.objects.get(channel=channel)
    assert (alert.kind, alert.status) == ("test", "delivered")
    assert row.get_attribute("data-alert") == alert.id
    assert "HTTP 200" in row.inner_text()
    assert len(receiver.requests) == 1
    assert "StatusApp test alert" in json.loads(receiver.requests[0].body)["text"]

    row.get_by_text("Attempt log (1)").click()
    attempt = row.locator("details li").first
    assert "HTTP 200" in attempt.inner_text() and "ms" in attempt.inner_text()
    assert attempt.locator("code").inner_text() == "ok"
    # Every alert has its outcome: the log stops polling.
    assert polls and page.locator("#alert-log[hx-trigger]").count() == 0
    page.screenshot(path=artifacts / "alerts-channel.png", full_page=True)
    page.get_by_role("link", name="Alerts").click()
    assert "#ops on Slack" in page.locator(f'tr[data-channel="{channel.id}"]').inner_text()
    page.screenshot(path=artifacts / "alerts-list.png", full_page=True)
    assert page.refused == []
    page.context.close()

    phone = log_in(browser, live_server, PHONE)
    pages = {"list": "/alerts/channels/", "types": "/alerts/channels/new", "form": "/alerts/channels/new/slack"}
    for name, path in {**pages, "channel": f"/alerts/channels/{channel.id}/"}.items():
        phone.goto(f"{live_server.url}{path}")
        if name == "channel":
            phone.get_by_text("Attempt log (1)").click()
        phone.screenshot(path=artifacts / f"alerts-{name}-390.png", full_page=True)
        assert phone.evaluate(NO_OVERFLOW), (path, phone.evaluate("document.scrollingElement.scrollWidth"))
    assert phone.refused == []
    phone.context.close()

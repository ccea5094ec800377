"""The 404 page in Chromium: styled by the dashboard's stylesheet, with the navigation for a
signed-in person and a way to log in for a visitor."""

import secrets

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Membership

from ..factories import OrganizationFactory

DESKTOP = {"width": 1280, "height": 900}
PASSWORD = secrets.token_urlsafe(16)
TOPBAR_COLOUR = "rgb(31, 41, 51)"  # .topbar's background in static/dashboard/app.css


@pytest.fixture
def context(browser, live_server, transactional_db):
    context = browser.new_context(viewport=DESKTOP)
    yield context
    context.close()


def test_a_signed_in_persons_404_is_styled_with_the_navigation(context, live_server, artifacts):
    organization = OrganizationFactory(name="Acme")
    user = get_user_model().objects.create_user("ada", password=PASSWORD)
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    page = context.new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    response = page.goto(f"{live_server.url}/monitors/mon_gone/")
    assert response.status == 404
    assert page.title() == "Page not found · StatusApp"
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor") == TOPBAR_COLOUR
    navigation = page.get_by_role("navigation", name="Main")
    assert navigation.get_by_role("link", name="Monitors").is_visible()
    page.screenshot(path=artifacts / "error-404-signed-in.png", full_page=True)

    page.get_by_role("link", name="Go to your monitors").click()
    page.wait_for_url(f"{live_server.url}/monitors/")


def test_a_visitors_404_is_styled_and_offers_to_log_in(context, live_server, artifacts):
    page = context.new_page()
    response = page.goto(f"{live_server.url}/no-such-page")
    assert response.status == 404
    assert page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor") == TOPBAR_COLOUR
    assert page.get_by_role("navigation", name="Main").count() == 0
    assert "/no-such-page" in page.locator("main").inner_text()
    page.screenshot(path=artifacts / "error-404-visitor.png", full_page=True)
    page.get_by_role("link", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/login")

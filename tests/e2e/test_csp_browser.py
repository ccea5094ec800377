"""The API docs and the Django admin work in Chromium under the Content-Security-Policy
they are now sent: Swagger UI renders its operations and tries one out, the admin's
login logs in and its pages open, and the browser reports no violation on the way."""

import pytest
from django.contrib.auth import get_user_model

from apikeys.services import api_key_create

from ..factories import OrganizationFactory

DESKTOP = {"width": 1280, "height": 1000}
# Every violation the page sees, as `directive blocked-uri`, kept on the window.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class Watched:
    """A page whose CSP violations, as events and as console errors, are recorded."""

    def __init__(self, context):
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        self.page.add_init_script(RECORD_VIOLATIONS)

    def goto(self, url: str):
        response = self.page.goto(url)
        assert response.ok, f"{url}: {response.status}"
        assert "content-security-policy" in response.headers, f"{url} sent no CSP"
        return response

    def assert_no_violations(self) -> None:
        self.page.wait_for_load_state("networkidle")
        violations = self.page.evaluate("window.cspViolations")
        console = [line for line in self.console if "Content Security Policy" in line]
        assert violations == [] and console == [], f"violations: {violations}, console: {console}"


@pytest.fixture
def context(browser, live_server, transactional_db):
    context = browser.new_context(viewport=DESKTOP)
    yield context
    context.close()


def test_the_api_docs_render_their_operations_and_try_one_out_without_a_csp_violation(context, live_server, artifacts):
    organization = OrganizationFactory(name="Acme")
    _, raw_key = api_key_create(organization=organization, name="docs", permission="read")
    watched = Watched(context)
    page = watched.page
    response = watched.goto(f"{live_server.url}/api/docs")
    assert "script-src 'self';" in response.headers["content-security-policy"]

    operation = page.locator("#operations-monitors-monitors_list")
    operation.wait_for()
    assert page.locator(".opblock").count() > 20, "every operation is listed"
    page.locator("button.authorize").first.click()
    page.locator(".modal-ux input[type=text], .modal-ux input[type=password]").first.fill(raw_key)
    page.locator(".modal-ux button.authorize").click()
    page.locator(".modal-ux button.btn-done").click()
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    page.screenshot(path=artifacts / "csp-api-docs.png")
    watched.assert_no_violations()


def test_the_admin_logs_in_and_its_pages_open_without_a_csp_violation(context, live_server, artifacts):
    get_user_model().objects.create_superuser("root", "root@example.com", "a long enough pass-phrase 7")
    watched = Watched(context)
    page = watched.page
    watched.goto(f"{live_server.url}/admin/login/")
    page.screenshot(path=artifacts / "csp-admin-login.png")
    page.fill("#id_username", "root")
    page.fill("#id_password", "a long enough pass-phrase 7")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("#site-name").is_visible()
    assert page.locator("#user-tools").inner_text().upper().startswith("WELCOME")

    # A change list (actions, filters) and a change form (its scripts, the date widgets).
    watched.goto(f"{live_server.url}/admin/auth/user/")
    page.locator("#result_list").wait_for()
    page.locator("#action-toggle").check()
    assert page.locator(".action-counter").inner_text().startswith("1 of 1")
    watched.goto(f"{live_server.url}/admin/auth/user/add/")
    page.locator("#id_username").wait_for()
    page.screenshot(path=artifacts / "csp-admin-add-user.png")
    watched.goto(f"{live_server.url}/admin/incidents/maintenance/add/")
    page.locator(".datetimeshortcuts a").first.click()  # "Today"
    assert page.locator(".vDateField").first.input_value() != ""
    page.screenshot(path=artifacts / "csp-admin-date-widget.png")
    watched.assert_no_violations()

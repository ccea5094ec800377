"""A status page may also email its subscribers the incidents opened automatically
(`notifyAutomaticIncidents`, off by default): their opening, recoveries and resolution
go to the confirmed subscribers of the pages showing the monitor, like posted updates."""

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import Incident, IncidentStatus
from monitors.checking import Observation, record_observations
from monitors.engine import CheckResult as Outcome
from monitors.models import Monitor
from statuspages import subscriptions, tasks
from statuspages.models import StatusPage, StatusPageComponent, Subscriber, SubscriberNotification

from .factories import MonitorFactory, StatusPageFactory

pytestmark = pytest.mark.django_db

BASE_URL = "https://status.example.com"
UP, DOWN = Monitor.Status.UP, Monitor.Status.DOWN
_slots = itertools.count()
# The whole path from a check result: record_observations commits, which runs the
# incident automation, whose commit runs the sending (Celery is eager in tests).
journey = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.STATUSAPP_BASE_URL = BASE_URL


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def observe(monitor: Monitor, status: str, error: str = "") -> None:
    """One check result through the engine's real write path."""
    slot = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=next(_slots))
    record_observations([Observation(monitor.id, slot, slot, Outcome(status=status, response_time_ms=5, error=error))])


def page_showing(org, *monitors: Monitor, slug: str, automatic: bool) -> StatusPage:
    page = StatusPageFactory(organization=org, name=f"{slug.title()} Status", slug=slug)
    page.notify_automatic_incidents = automatic
    page.save()
    for position, monitor in enumerate(monitors):
        StatusPageComponent.objects.create(page=page, monitor=monitor, position=position)
    return page


def subscriber(page: StatusPage, email: str, *, confirmed: bool = True, unsubscribed: bool = False) -> Subscriber:
    now = timezone.now()
    return Subscriber.objects.create(
        page=page,
        email=email,
        token=subscriptions.new_token(),
        confirmed_at=now if confirmed else None,
        unsubscribed_at=now if unsubscribed else None,
    )


def unsubscribe_path(subscriber: Subscriber) -> str:
    return f"/status/{subscriber.page.slug}/unsubscribe/{subscriber.token}"


def sent() -> list[tuple[str, str]]:
    return [(message.to[0], message.subject) for message in mail.outbox]


# --- the option off -------------------------------------------------------------------------


@journey
def test_pages_without_the_option_send_nothing_for_an_automatic_incident(org):
    monitor = MonitorFactory(organization=org, name="API", status=UP)
    page = page_showing(org, monitor, slug="acme", automatic=False)
    subscriber(page, "ann@example.com")

    observe(monitor, DOWN, "HTTP 500")
    observe(monitor, UP)

    incident = Incident.objects.get()
    assert incident.auto_opened and incident.status == IncidentStatus.RESOLVED
    assert incident.updates.count() == 2
    assert mail.outbox == []
    assert not SubscriberNotification.objects.exists()


def test_the_option_is_off_by_default(org):
    assert StatusPageFactory(organization=org).notify_automatic_incidents is False


# --- the option on --------------------------------------------------------------------------


@journey
def test_opening_and_resolution_are_emailed_with_the_unsubscribe_link(org):
    monitor = MonitorFactory(organization=org, name="API", status=UP)
    page = page_showing(org, monitor, slug="acme", automatic=True)
    ann = subscriber(page, "ann@example.com")

    observe(monitor, DOWN, "HTTP 500")

    [opened] = mail.outbox
    assert opened.to == ["ann@example.com"]
    assert opened.subject == "[Acme Status] API is down (Investigating)"
    assert "API is down: HTTP 500" in opened.body
    assert f"Unsubscribe: {BASE_URL}{unsubscribe_path(ann)}" in opened.body
    [(html, _type)] = opened.alternatives
    assert f"{BASE_URL}{unsubscribe_path(ann)}" in html
    assert opened.extra_headers["List-Unsubscribe"] == f"<{BASE_URL}{unsubscribe_path(ann)}>"

    observe(monitor, UP)

    resolved = mail.outbox[1]
    assert len(mail.outbox) == 2
    assert resolved.subject == "[Acme Status] API is down (Resolved)"
    assert "API is back up. All monitors are up: resolved automatically." in resolved.body
    assert f"Unsubscribe: {BASE_URL}{unsubscribe_path(ann)}" in resolved.body
    incident = Incident.objects.get()
    notified = SubscriberNotification.objects.filter(subscriber=ann)
    assert sorted(notified.values_list("update_id", flat=True)) == sorted(incident.updates.values_list("id", flat=True))
    assert all(n.sent_at is not None and n.error == "" for n in notified)


@journey
def test_a_monitor_joining_and_one_coming_back_up_are_emailed_too(org):
    api = MonitorFactory(organization=org, name="API", status=UP)
    web = MonitorFactory(organization=org, name="Web", status=UP)
    page = page_showing(org, api, web, slug="acme", automatic=True)
    subscriber(page, "ann@example.com")

    observe(api, DOWN, "HTTP 500")
    observe(web, DOWN, "timeout")
    observe(api, UP)
    observe(web, UP)

    bodies = [message.body for message in mail.outbox]
    assert len(bodies) == 4
    assert "API is down: HTTP 500" in bodies[0]
    assert "Web is down: timeout" in bodies[1]
    assert "API is back up." in bodies[2] and "resolved automatically" not in bodies[2]
    assert "Web is back up. All monitors are up: resolved automatically." in bodies[3]
    assert [message.subject.rsplit(" ", 1)[-1] for message in mail.outbox] == ["(Investigating)"] * 3 + ["(Resolved)"]


@journey
def test_unconfirmed_and_unsubscribed_addresses_get_nothing(org):
    monitor = MonitorFactory(organization=org, name="API", status=UP)
    page = page_showing(org, monitor, slug="acme", automatic=True)
    subscriber(page, "pending@example.com", confirmed=False)
    subscriber(page, "gone@example.com", unsubscribed=True)
    subscriber(page, "ann@example.com")

    observe(monitor, DOWN, "HTTP 500")
    observe(monitor, UP)

    assert [to for to, _subject in sent()] == ["ann@example.com", "ann@example.com"]


@journey
def test_only_pages_showing_the_monitor_are_emailed(org, other_org):
    monitor = MonitorFactory(organization=org, name="API", status=UP)
    elsewhere = MonitorFactory(organization=org, name="Billing", status=UP)
    showing = page_showing(org, monitor, slug="acme", automatic=True)
    not_showing = page_showing(org, elsewhere, slug="billing", automatic=True)
    foreign = page_showing(other_org, MonitorFactory(organization=other_org), slug="foreign", automatic=True)
    subscriber(showing, "ann@example.com")
    subscriber(not_showing, "bob@example.com")
    subscriber(foreign, "eve@example.com")

    observe(monitor, DOWN, "HTTP 500")

    assert sent() == [("ann@example.com", "[Acme Status] API is down (Investigating)")]


@journey
def test_an_address_on_two_pages_gets_each_entry_once(org):
    monitor = MonitorFactory(organization=org, name="API", status=UP)
    first = page_showing(org, monitor, slug="first", automatic=True)
    second = page_showing(org, monitor, slug="second", automatic=True)
    subscriber(first, "ann@example.com")
    subscriber(second, "ann@example.com")

    observe(monitor, DOWN, "HTTP 500")
    observe(monitor, UP)

    assert len(mail.outbox) == 2
    assert SubscriberNotification.objects.count() == 2
    assert tasks.send_notifications() == 0  # a re-run sends nothing again
    assert len(mail.outbox) == 2


@journey
def test_of_two_pages_showing_the_monitor_only_the_one_with_the_option_emails(org):
    monitor = MonitorFactory(organization=org, name="API", status=UP)
    subscriber(page_showing(org, monitor, slug="opted", automatic=True), "ann@example.com")
    subscriber(page_showing(org, monitor, slug="quiet", automatic=False), "bob@example.com")

    observe(monitor, DOWN, "HTTP 500")

    assert sent() == [("ann@example.com", "[Opted Status] API is down (Investigating)")]


# --- manual updates as before ----------------------------------------------------------------


def test_manual_incidents_email_only_the_updates_marked_for_subscribers(org, committed):
    monitor = MonitorFactory(organization=org, name="API")
    subscriber(page_showing(org, monitor, slug="opted", automatic=True), "ann@example.com")
    subscriber(page_showing(org, monitor, slug="quiet", automatic=False), "bob@example.com")

    with committed():
        incident = incident_services.incident_create(
            organization=org, title="Database slow", impact="medium", affected=[(monitor, None)]
        )
        incident_services.incident_add_update(incident=incident, message="Looking", notify_subscribers=False)
        incident_services.incident_update(incident=incident, status=IncidentStatus.IDENTIFIED, update="Found it")
    assert mail.outbox == []

    with committed():
        incident_services.incident_add_update(incident=incident, message="Fixed", notify_subscribers=True)
    assert sorted(sent()) == [
        ("ann@example.com", "[Opted Status] Database slow (Identified)"),
        ("bob@example.com", "[Quiet Status] Database slow (Identified)"),
    ]


@journey
def test_an_update_marked_for_subscribers_on_an_automatic_incident_is_emailed_once(org, admin):
    monitor = MonitorFactory(organization=org, name="API", status=UP)
    subscriber(page_showing(org, monitor, slug="opted", automatic=True), "ann@example.com")
    subscriber(page_showing(org, monitor, slug="quiet", automatic=False), "bob@example.com")
    observe(monitor, DOWN, "HTTP 500")
    assert [to for to, _subject in sent()] == ["ann@example.com"]

    incident = Incident.objects.get()
    response = admin.post(
        f"/api/incidents/{incident.id}/updates", {"message": "Failing over", "notifySubscribers": True}, format="json"
    )

    assert response.status_code == 201, response.content
    assert sorted(to for to, _subject in sent()[1:]) == ["ann@example.com", "bob@example.com"]
    assert all("Failing over" in message.body for message in mail.outbox[1:])


@journey
def test_a_person_s_update_not_marked_for_subscribers_stays_unsent_on_an_automatic_incident(org, admin):
    """The option covers what incidents writes by itself, not a person's quiet note."""
    monitor = MonitorFactory(organization=org, name="API", status=UP)
    subscriber(page_showing(org, monitor, slug="opted", automatic=True), "ann@example.com")
    observe(monitor, DOWN, "HTTP 500")
    assert len(sent()) == 1

    incident = Incident.objects.get()
    response = admin.post(
        f"/api/incidents/{incident.id}/updates", {"message": "Internal note", "notifySubscribers": False}, format="json"
    )

    assert response.status_code == 201, response.content
    assert len(sent()) == 1


# --- the API --------------------------------------------------------------------------------


def test_the_api_creates_reads_and_changes_the_option(admin, org):
    created = admin.post("/api/status-pages", {"name": "Acme", "notifyAutomaticIncidents": True}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["notifyAutomaticIncidents"] is True
    page = StatusPage.objects.get(pk=body["id"])
    assert page.notify_automatic_incidents is True
    assert admin.get(f"/api/status-pages/{page.id}").json()["notifyAutomaticIncidents"] is True

    changed = admin.put(f"/api/status-pages/{page.id}", {"notifyAutomaticIncidents": False}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["notifyAutomaticIncidents"] is False
    page.refresh_from_db()
    assert page.notify_automatic_incidents is False

    plain = admin.post("/api/status-pages", {"name": "Plain"}, format="json")
    assert plain.status_code == 201 and plain.json()["notifyAutomaticIncidents"] is False


@pytest.mark.parametrize("value", ["sometimes", None, [True], {"on": True}, 2])
def test_a_bad_value_for_the_option_is_a_400(admin, org, value):
    page = StatusPageFactory(organization=org)
    response = admin.put(f"/api/status-pages/{page.id}", {"notifyAutomaticIncidents": value}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert list(error["fields"]) == ["notifyAutomaticIncidents"]
    page.refresh_from_db()
    assert page.notify_automatic_incidents is False

    created = admin.post("/api/status-pages", {"name": "Acme", "notifyAutomaticIncidents": value}, format="json")
    assert created.status_code == 400 and StatusPage.objects.count() == 1


def test_a_read_key_cannot_change_the_option(reader, org):
    page = StatusPageFactory(organization=org)
    response = reader.put(f"/api/status-pages/{page.id}", {"notifyAutomaticIncidents": True}, format="json")
    assert response.status_code == 403
    page.refresh_from_db()
    assert page.notify_automatic_incidents is False


# --- the dashboard and the admin ----------------------------------------------------------------


def dashboard_form(**changes) -> dict:
    return {"name": "Acme", "slug": "acme", "description": "", "accentColor": "#2563eb", "privacy": "public"} | changes


CHECKBOX = re.compile(r'<input type="checkbox" name="notifyAutomaticIncidents"[^>]*>')


def test_the_dashboard_form_shows_and_saves_the_option(client, person, org):
    person(org, "member", client)
    html = client.get("/pages/new").content.decode()
    [box] = CHECKBOX.findall(html)
    assert "checked" not in box and 'aria-describedby="h-notifyAutomaticIncidents"' in box
    assert 'id="h-notifyAutomaticIncidents"' in html

    response = client.post("/pages/new", dashboard_form(notifyAutomaticIncidents="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = StatusPage.objects.get(slug="acme")
    assert page.notify_automatic_incidents is True
    [box] = CHECKBOX.findall(client.get(f"/pages/{page.id}/edit").content.decode())
    assert "checked" in box

    # An unchecked box is absent from the form: the option goes off.
    response = client.post(f"/pages/{page.id}/edit", dashboard_form())
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.notify_automatic_incidents is False


def test_a_form_shown_again_keeps_the_box_as_ticked(client, person, org):
    person(org, "member", client)
    response = client.post("/pages/new", dashboard_form(name="", notifyAutomaticIncidents="on"))
    assert response.status_code == 400
    [box] = CHECKBOX.findall(response.content.decode())
    assert "checked" in box
    assert not StatusPage.objects.exists()


def test_the_admin_edits_the_option(client, django_user_model, org):
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", "unused-password-1")
    client.force_login(superuser)
    page = StatusPageFactory(organization=org)
    html = client.get(f"/admin/statuspages/statuspage/{page.id}/change/").content.decode()
    assert 'name="notify_automatic_incidents"' in html
    listed = client.get("/admin/statuspages/statuspage/?notify_automatic_incidents__exact=1")
    assert listed.status_code == 200

"""Dashboard: webhook endpoints and their delivery logs (admins only).

The forms and actions go through the API's serializer and services; these tests check
what the pages show and store. Deliveries are checked as rows (what is leased and queued
for after the commit), and once end to end against a real receiver on 127.0.0.1.
"""

import time
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.test import Client
from django.utils import timezone

from accounts.plans import Plan
from webhooks import tasks
from webhooks.models import TEST_EVENT, Delivery, DeliveryAttempt, Event, WebhookEndpoint

from .factories import OrganizationFactory, WebhookEndpointFactory
from .webhook_receiver import Answer, Receiver

BASE = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def admin_client(client, person, org):
    person(org, "admin", client)
    return client


@pytest.fixture
def endpoint(org):
    # Nothing is sent to it in these tests: deliveries stay rows until their transaction
    # commits, which the test's own transaction never does.
    return WebhookEndpointFactory(organization=org, url="https://hooks.example.com/a", description="Ops bot")


def make_delivery(endpoint, *, minutes=0, event_type="monitor.down", status="delivered", attempts=(200,), head="ok"):
    created_at = BASE + timedelta(minutes=minutes)
    body = orjson.dumps({"event": event_type, "timestamp": created_at.isoformat()}).decode()
    event = Event.objects.create(
        organization_id=endpoint.organization_id, type=event_type, body=body, created_at=created_at
    )
    finished = status != Delivery.Status.PENDING
    delivery = Delivery.objects.create(
        event=event,
        endpoint=endpoint,
        status=status,
        attempts=len(attempts),
        created_at=created_at,
        finished_at=created_at if finished else None,
        next_attempt_at=None if finished else created_at + timedelta(minutes=5),
    )
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(
            delivery=delivery,
            attempted_at=created_at + timedelta(seconds=n),
            status_code=code,
            duration_ms=40 + n,
            error="" if code and code < 300 else (f"HTTP {code}" if code else "connection refused"),
            response_head=head if code else "",
        )
        for n, code in enumerate(attempts)
    )
    return delivery


def form(**overrides) -> dict:
    data = {
        "url": "https://hooks.example.com/new",
        "description": "Pager",
        "events": ["monitor.down", "incident.created"],
        "enabled": "on",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def field_error(html: str, field: str) -> str:
    assert f'id="e-{field}"' in html, html[:3000]
    error = html[html.index(f'id="e-{field}"') :]
    return error[: error.index("</p>")]


# --- the list ---


def test_list_shows_own_endpoints_with_events_state_and_failing_since(admin_client, org, other_org):
    WebhookEndpointFactory(organization=org, url="https://hooks.example.com/ok", events=["monitor.down"])
    WebhookEndpointFactory(
        organization=org,
        url="https://hooks.example.com/gone",
        enabled=False,
        disabled_reason=WebhookEndpoint.DisabledReason.GONE,
        failing_since=timezone.now() - timedelta(hours=3),
    )
    WebhookEndpointFactory(organization=other_org, url="https://theirs.example.com/hook")

    response = admin_client.get("/webhooks/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "https://hooks.example.com/ok" in html and "Monitor down" in html
    assert 'class="badge UP">Enabled' in html
    assert 'class="badge DOWN">Disabled' in html and "The receiver answered 410 Gone" in html
    assert "3\xa0hours ago" in html  # failing since
    assert "theirs.example.com" not in html
    assert "2 of the 50 endpoints" in html  # the professional plan


# --- create: the secret once ---


def test_admin_creates_an_endpoint_and_sees_its_secret_once(admin_client, org):
    response = admin_client.post("/webhooks/new", form())

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(organization=org)
    assert (endpoint.url, endpoint.description, endpoint.enabled) == ("https://hooks.example.com/new", "Pager", True)
    assert endpoint.events == ["monitor.down", "incident.created"]
    html = response.content.decode()
    assert endpoint.secret.startswith("whsec_") and f'value="{endpoint.secret}"' in html
    assert "data-copyable" in html and "dashboard/copy.js" in html
    assert "no-store" in response["Cache-Control"]

    for url in ("/webhooks/", f"/webhooks/{endpoint.id}/", f"/webhooks/{endpoint.id}/edit"):
        later = admin_client.get(url)
        assert later.status_code == 200
        assert endpoint.secret not in later.content.decode()
    assert endpoint.secret not in admin_client.get(f"/webhooks/{endpoint.id}/deliveries").content.decode()


def test_the_create_form_offers_every_event_checked(admin_client):
    html = admin_client.get("/webhooks/new").content.decode()
    for event in ("monitor.down", "monitor.up", "incident.created", "incident.updated", "incident.resolved"):
        assert f'value="{event}" checked' in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"url": "ftp://example.com/hook"}, "url", "URL must be valid HTTP/HTTPS"),
        ({"url": "http://169.254.169.254/latest"}, "url", "Address not allowed"),
        ({"url": "http://10.0.0.7/hook"}, "url", "Address not allowed"),
        ({"url": ""}, "url", "This field may not be blank."),
        ({"events": None}, "events", "This list may not be empty."),
        ({"events": ["monitor.sideways"]}, "events", "is not a valid choice"),
        ({"description": "x" * 501}, "description", "no more than 500 characters"),
    ],
)
def test_bad_forms_show_the_api_message_next_to_the_field_and_save_nothing(admin_client, overrides, field, message):
    response = admin_client.post("/webhooks/new", form(**overrides))

    assert response.status_code == 400
    html = response.content.decode()
    assert message in field_error(html, field)
    assert 'aria-invalid="true"' in html and f'aria-describedby="e-{field}"' in html
    assert not WebhookEndpoint.objects.exists()
    assert "whsec_" not in html


def test_plan_limit_is_shown_and_nothing_saved(client, person):
    organization = OrganizationFactory(plan=Plan.FREE)
    person(organization, "admin", client)
    WebhookEndpointFactory.create_batch(2, organization=organization)

    response = client.post("/webhooks/new", form())

    assert response.status_code == 400
    assert "The free plan allows 2 webhook endpoints." in response.content.decode()
    assert WebhookEndpoint.objects.filter(organization=organization).count() == 2


# --- edit, disable, delete ---


def test_edit_changes_the_endpoint_and_disabling_records_why(admin_client, endpoint):
    page = admin_client.get(f"/webhooks/{endpoint.id}/edit").content.decode()
    assert 'value="https://hooks.example.com/a"' in page and 'value="Ops bot"' in page

    response = admin_client.post(
        f"/webhooks/{endpoint.id}/edit",
        form(url="https://hooks.example.com/b", description="", events=["incident.resolved"], enabled=None),
    )

    assert response.status_code == 302 and response.url == f"/webhooks/{endpoint.id}/"
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.description, endpoint.events) == (
        "https://hooks.example.com/b",
        "",
        ["incident.resolved"],
    )
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, "user")
    assert "Disabled by a user" in admin_client.get(f"/webhooks/{endpoint.id}/").content.decode()

    admin_client.post(f"/webhooks/{endpoint.id}/edit", form(url="https://hooks.example.com/b"))
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (True, "")


def test_a_bad_edit_shows_the_message_and_changes_nothing(admin_client, endpoint):
    response = admin_client.post(f"/webhooks/{endpoint.id}/edit", form(url="http://127.0.0.1:8000/hook"))

    assert response.status_code == 400
    assert "Address not allowed" in field_error(response.content.decode(), "url")
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/a"


def test_delete_asks_first(admin_client, endpoint):
    confirm = admin_client.get(f"/webhooks/{endpoint.id}/delete")
    assert b"cannot be undone" in confirm.content
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()

    response = admin_client.post(f"/webhooks/{endpoint.id}/delete")

    assert response.status_code == 302 and response.url == "/webhooks/"
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


# --- rotate the secret ---


def test_rotate_secret_shows_the_new_secret_once_and_the_old_one_signs_for_24_hours(admin_client, endpoint):
    old = endpoint.secret
    assert admin_client.get(f"/webhooks/{endpoint.id}/rotate-secret").status_code == 405

    response = admin_client.post(f"/webhooks/{endpoint.id}/rotate-secret")

    assert response.status_code == 200
    endpoint.refresh_from_db()
    html = response.content.decode()
    assert endpoint.secret != old and f'value="{endpoint.secret}"' in html and old not in html
    assert "no-store" in response["Cache-Control"]
    assert endpoint.previous_secret == old
    overlap = endpoint.previous_secret_expires_at - timezone.now()
    assert timedelta(hours=23, minutes=59) < overlap <= timedelta(hours=24)

    detail = admin_client.get(f"/webhooks/{endpoint.id}/").content.decode()
    assert endpoint.secret not in detail and old not in detail
    assert "signed with the previous secret too until" in detail


# --- send a test, the delivery log, redeliver ---


def test_send_test_creates_a_test_delivery_queued_for_after_the_commit(
    admin_client, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(f"/webhooks/{endpoint.id}/test")

    delivery = Delivery.objects.get(endpoint=endpoint)
    assert response.status_code == 302 and response.url == f"/webhooks/{endpoint.id}/deliveries/{delivery.id}"
    assert delivery.event.type == TEST_EVENT
    assert orjson.loads(delivery.event.body)["endpoint"] == {"id": endpoint.id}
    assert delivery.status == Delivery.Status.PENDING and delivery.lease_token  # leased to the task
    assert len(callbacks) == 1  # the send, once committed
    page = admin_client.get(response.url).content.decode()
    assert "Test event sent." in page and TEST_EVENT in page and "No attempt yet." in page


def test_deliveries_are_paginated_newest_first_with_event_status_attempts_and_next_attempt(admin_client, endpoint):
    for minute in range(52):
        make_delivery(endpoint, minutes=minute, event_type="incident.created")
    make_delivery(endpoint, minutes=60, event_type="monitor.down", status="pending", attempts=(500, None))
    make_delivery(WebhookEndpointFactory(organization=endpoint.organization), minutes=70, event_type="monitor.up")

    first = admin_client.get(f"/webhooks/{endpoint.id}/deliveries").content.decode()
    second = admin_client.get(f"/webhooks/{endpoint.id}/deliveries?page=2").content.decode()

    assert "Page 1 of 2" in first
    rows = first.split('data-delivery="')[1:]
    assert len(rows) == 50
    newest = rows[0]
    assert "Monitor down" in newest and 'class="badge PENDING">Pending' in newest
    assert "<td>2</td>" in newest and "Mar 1, 13:05:00" in newest  # two attempts; the next one
    assert "Incident created" in rows[1] and 'class="badge UP">Delivered' in rows[1] and "<td>1</td>" in rows[1]
    assert len(second.split('data-delivery="')[1:]) == 3
    assert "Monitor up" not in first + second  # another endpoint's

    pending = admin_client.get(f"/webhooks/{endpoint.id}/deliveries?status=pending").content.decode()
    assert len(pending.split('data-delivery="')[1:]) == 1


def test_delivery_page_shows_every_attempt_with_the_response_escaped(admin_client, endpoint):
    delivery = make_delivery(endpoint, status="failed", attempts=(None, 503), head="<script>alert(1)</script>")

    response = admin_client.get(f"/webhooks/{endpoint.id}/deliveries/{delivery.id}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "503" in html and "HTTP 503" in html and "41 ms" in html
    assert "connection refused" in html and "no response" in html and "40 ms" in html
    assert html.index("HTTP 503") < html.index("connection refused")  # newest first
    assert "&quot;event&quot;: &quot;monitor.down&quot;" in html  # the payload
    assert "Redeliver" in html


def test_redeliver_requeues_the_delivery_now_and_keeps_its_attempts(
    admin_client, endpoint, django_capture_on_commit_callbacks
):
    delivery = make_delivery(endpoint, status="failed", attempts=(500, 500))

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(f"/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver")

    assert response.status_code == 302 and response.url == f"/webhooks/{endpoint.id}/deliveries/{delivery.id}"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.finished_at is None
    assert abs(delivery.next_attempt_at - timezone.now()) < timedelta(seconds=30)
    assert delivery.lease_token and len(callbacks) == 1
    assert delivery.attempt_log.count() == 2
    assert "Delivery queued to be sent again." in admin_client.get(response.url).content.decode()


def test_a_disabled_endpoint_refuses_tests_and_redeliveries_with_the_services_message(admin_client, endpoint):
    delivery = make_delivery(endpoint, status="failed", attempts=(410,))
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason="gone")

    test = admin_client.post(f"/webhooks/{endpoint.id}/test", follow=True)
    again = admin_client.post(f"/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver", follow=True)

    assert "The endpoint is disabled: enable it before sending a test." in test.content.decode()
    assert "The endpoint is disabled: enable it before redelivering." in again.content.decode()
    assert Delivery.objects.count() == 1 and Event.objects.count() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED


@pytest.fixture
def live(settings, transactional_db, monkeypatch):
    """A real receiver; each request's transaction commits, so deliveries are sent (eager Celery)."""
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    # The task waits for the outcome and records it itself (not the sender's recorder thread).
    settings.WEBHOOK_TASK_FIRST_WAIT = 10.0
    monkeypatch.setattr(tasks, "SLOW_GAP", 10.0)
    receiver = Receiver(Answer(status=200, body=b"<b>thanks</b>"), default=Answer(status=202, body=b"again"))
    yield receiver
    receiver.close()


def wait_for_attempts(delivery_id: str, count: int) -> Delivery:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        delivery = Delivery.objects.get(pk=delivery_id)
        if delivery.attempt_log.count() >= count:
            return delivery
        time.sleep(0.02)
    raise AssertionError(f"{count} attempts expected")


def test_send_test_and_redeliver_reach_a_real_receiver(client, person, live):
    organization = OrganizationFactory()
    person(organization, "admin", client)
    endpoint = WebhookEndpointFactory(organization=organization, url=live.url)

    response = client.post(f"/webhooks/{endpoint.id}/test")

    delivery = wait_for_attempts(Delivery.objects.get(endpoint=endpoint).id, 1)
    assert response.url == f"/webhooks/{endpoint.id}/deliveries/{delivery.id}"
    (request,) = live.wait_for_requests(1)
    assert request.headers["X-StatusApp-Event"] == TEST_EVENT and request.headers["webhook-id"] == delivery.event_id
    page = client.get(response.url).content.decode()
    assert 'class="badge UP">Delivered' in page and "&lt;b&gt;thanks&lt;/b&gt;" in page

    client.post(f"/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver")

    assert wait_for_attempts(delivery.id, 2).status == Delivery.Status.DELIVERED
    second = live.wait_for_requests(2)[1]
    assert second.headers["webhook-id"] == delivery.event_id
    page = client.get(response.url).content.decode()
    assert "202" in page and "again" in page


# --- the live delivery log ---


MONITOR_DOWN = {"monitor": {"id": "mon_1", "name": "Checkout API", "status": "DOWN"}, "incident": None}
INCIDENT_CREATED = {"incident": {"id": "inc_1", "title": "Payments failing", "status": "investigating"}}


def with_payload(delivery: Delivery, payload: dict) -> Delivery:
    event = delivery.event
    event.body = orjson.dumps({"id": event.id, "event": event.type, **payload}).decode()
    event.save(update_fields=["body"])
    return delivery


def rows_of(html: str) -> dict[str, str]:
    return {row.split('"', 1)[0]: row for row in html.split('data-delivery="')[1:]}


def test_the_log_shows_what_each_event_is_about_and_its_last_http_status(admin_client, endpoint):
    down = with_payload(make_delivery(endpoint, minutes=1, event_type="monitor.down", attempts=(200,)), MONITOR_DOWN)
    created = with_payload(
        make_delivery(endpoint, minutes=2, event_type="incident.created", status="failed", attempts=(200, 503)),
        INCIDENT_CREATED,
    )
    refused = make_delivery(endpoint, minutes=3, event_type=TEST_EVENT, status="failed", attempts=(None,))

    for url in (f"/webhooks/{endpoint.id}/deliveries/rows", f"/webhooks/{endpoint.id}/deliveries"):
        rows = rows_of(admin_client.get(url).content.decode())
        assert "<td>Checkout API</td>" in rows[down.id] and "HTTP 200" in rows[down.id]
        assert "<td>Payments failing</td>" in rows[created.id] and "HTTP 503" in rows[created.id]
        assert "<td>Test event</td>" in rows[refused.id] and "no response" in rows[refused.id]
        assert 'title="connection refused"' in rows[refused.id]

    detail = admin_client.get(f"/webhooks/{endpoint.id}/deliveries/{down.id}").content.decode()
    assert "<strong>About:</strong> Checkout API" in detail


def test_the_log_polls_while_a_delivery_is_pending_and_stops_when_none_is(admin_client, endpoint):
    pending = make_delivery(endpoint, status="pending", attempts=())
    rows_url = f"/webhooks/{endpoint.id}/deliveries/rows"

    for url, polled in (
        (f"/webhooks/{endpoint.id}/", f"{rows_url}?recent=1"),
        (rows_url + "?recent=1", f"{rows_url}?recent=1"),
        (f"/webhooks/{endpoint.id}/deliveries?status=pending", f"{rows_url}?status=pending&amp;page=1"),
        (f"{rows_url}?status=pending&page=1", f"{rows_url}?status=pending&amp;page=1"),
    ):
        html = admin_client.get(url).content.decode()
        assert f'hx-get="{polled}" hx-trigger="every 2s" hx-swap="outerHTML"' in html, url
        assert "No attempt" not in rows_of(html)[pending.id] and 'class="badge PENDING"' in html
    page = admin_client.get(f"/webhooks/{endpoint.id}/deliveries/{pending.id}").content.decode()
    assert 'hx-select="#delivery-view" hx-trigger="every 2s"' in page

    Delivery.objects.filter(pk=pending.pk).update(status=Delivery.Status.DELIVERED, finished_at=BASE)
    DeliveryAttempt.objects.create(delivery=pending, attempted_at=BASE, status_code=204, duration_ms=9)
    for url in (f"/webhooks/{endpoint.id}/", f"{rows_url}?recent=1", f"/webhooks/{endpoint.id}/deliveries"):
        html = admin_client.get(url).content.decode()
        assert 'id="delivery-log"' in html and "hx-trigger" not in html, url
        assert 'class="badge UP">Delivered' in rows_of(html)[pending.id] and "HTTP 204" in html
    page = admin_client.get(f"/webhooks/{endpoint.id}/deliveries/{pending.id}").content.decode()
    assert "hx-trigger" not in page


def test_an_unknown_status_filter_shows_and_polls_every_delivery(admin_client, endpoint):
    make_delivery(endpoint, status="pending", attempts=())
    html = admin_client.get(f"/webhooks/{endpoint.id}/deliveries/rows?status=bogus&page=x").content.decode()
    assert len(rows_of(html)) == 1
    assert f'hx-get="/webhooks/{endpoint.id}/deliveries/rows?page=1"' in html


def test_send_test_from_the_endpoints_page_answers_with_the_log_polling_the_new_delivery(admin_client, endpoint):
    make_delivery(endpoint, status="delivered")
    response = admin_client.post(f"/webhooks/{endpoint.id}/test", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="delivery-log"') and "<html" not in html
    delivery = Delivery.objects.get(endpoint=endpoint, event__type=TEST_EVENT)
    rows = list(rows_of(html))
    assert rows[0] == delivery.id and len(rows) == 2  # the new one on top
    assert 'hx-trigger="every 2s"' in html and "<td>Test event</td>" in html
    # Its message is not left for the next page.
    assert "Test event sent." not in admin_client.get(f"/webhooks/{endpoint.id}/").content.decode()


def test_the_log_reads_its_rows_in_a_fixed_number_of_queries(admin_client, endpoint, django_assert_num_queries):
    def read(count: int) -> None:
        for n in range(count):
            with_payload(make_delivery(endpoint, minutes=n, attempts=(500, 200)), MONITOR_DOWN)
        # Session, user, their time zone, membership with its organization, endpoint, the
        # paginator's count and the deliveries (with their event, attempt count and last attempt).
        with django_assert_num_queries(7):
            html = admin_client.get(f"/webhooks/{endpoint.id}/deliveries/rows?page=1").content.decode()
        assert html.count("<td>Checkout API</td>") == Delivery.objects.count()
        # The endpoint's page: the same with "is there more" instead of the count, and the
        # memberships of the layout's organization switcher.
        with django_assert_num_queries(8):
            admin_client.get(f"/webhooks/{endpoint.id}/")

    read(1)
    read(20)


# --- who may ---


def urls_of(endpoint: WebhookEndpoint, delivery: Delivery) -> list[tuple[str, str]]:
    base = f"/webhooks/{endpoint.id}"
    return [
        ("get", "/webhooks/"),
        ("get", "/webhooks/new"),
        ("post", "/webhooks/new"),
        ("get", f"{base}/"),
        ("get", f"{base}/edit"),
        ("post", f"{base}/edit"),
        ("get", f"{base}/delete"),
        ("post", f"{base}/delete"),
        ("post", f"{base}/rotate-secret"),
        ("post", f"{base}/test"),
        ("get", f"{base}/deliveries"),
        ("get", f"{base}/deliveries/rows"),
        ("get", f"{base}/deliveries/{delivery.id}"),
        ("post", f"{base}/deliveries/{delivery.id}/redeliver"),
    ]


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_below_admin_gets_403_on_every_page_and_action(client, person, org, endpoint, role):
    person(org, role, client)
    delivery = make_delivery(endpoint, status="failed", attempts=(500,))
    secret = endpoint.secret

    for method, url in urls_of(endpoint, delivery):
        response = getattr(client, method)(url, form() if method == "post" else None)
        assert response.status_code == 403, (method, url)
        assert secret not in response.content.decode()

    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert endpoint.secret == secret and endpoint.url == "https://hooks.example.com/a"
    assert delivery.status == Delivery.Status.FAILED
    assert WebhookEndpoint.objects.count() == 1 and Delivery.objects.count() == 1


def test_owner_may_do_what_an_admin_may(client, person, org, endpoint):
    person(org, "owner", client)
    assert client.get("/webhooks/").status_code == 200
    assert client.get(f"/webhooks/{endpoint.id}/").status_code == 200


def test_another_organizations_endpoint_and_deliveries_are_404(admin_client, other_org, endpoint):
    theirs = WebhookEndpointFactory(organization=other_org)
    their_delivery = make_delivery(theirs, status="failed", attempts=(500,))
    secret = theirs.secret

    for method, url in urls_of(theirs, their_delivery)[3:]:
        assert getattr(admin_client, method)(url).status_code == 404, (method, url)
    # Their delivery under my endpoint is no better.
    assert admin_client.get(f"/webhooks/{endpoint.id}/deliveries/{their_delivery.id}").status_code == 404
    assert admin_client.post(f"/webhooks/{endpoint.id}/deliveries/{their_delivery.id}/redeliver").status_code == 404

    theirs.refresh_from_db()
    their_delivery.refresh_from_db()
    assert theirs.secret == secret and their_delivery.status == Delivery.Status.FAILED


def test_forms_and_actions_need_the_csrf_token(person, org, endpoint):
    client = Client(enforce_csrf_checks=True)
    person(org, "admin", client)
    delivery = make_delivery(endpoint, status="failed", attempts=(500,))
    secret = endpoint.secret

    for url in (
        "/webhooks/new",
        f"/webhooks/{endpoint.id}/edit",
        f"/webhooks/{endpoint.id}/delete",
        f"/webhooks/{endpoint.id}/rotate-secret",
        f"/webhooks/{endpoint.id}/test",
        f"/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver",
    ):
        assert client.post(url, form()).status_code == 403, url

    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert endpoint.secret == secret and endpoint.url == "https://hooks.example.com/a"
    assert WebhookEndpoint.objects.count() == 1 and Delivery.objects.count() == 1
    assert delivery.status == Delivery.Status.FAILED

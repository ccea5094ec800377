"""Subscribers over the API: /api/status-pages/{id}/subscribers and
/api/status-pages/{id}/subscribers/{subscriberId}."""

from datetime import timedelta

import pytest
import yaml
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import services as incident_services
from statuspages import subscriptions
from statuspages.models import StatusPageComponent, Subscriber, SubscriberNotification

from .factories import MonitorFactory, StatusPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def page(org):
    return StatusPageFactory(organization=org, name="Acme Status", slug="acme")


def url(page, subscriber=None) -> str:
    base = f"/api/status-pages/{page.id}/subscribers"
    return base if subscriber is None else f"{base}/{subscriber.id}"


def add(page, email: str, *, confirmed: bool = True, unsubscribed: bool = False, age: int = 0) -> Subscriber:
    subscriber = Subscriber.objects.create(
        page=page,
        email=email,
        token=subscriptions.new_token(),
        confirmed_at=timezone.now() if confirmed else None,
        unsubscribed_at=timezone.now() if unsubscribed else None,
    )
    if age:  # created_at is set on insert; move it back to order the list
        Subscriber.objects.filter(pk=subscriber.pk).update(created_at=timezone.now() - timedelta(minutes=age))
        subscriber.refresh_from_db()
    return subscriber


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) >= {"code", "message", "details"}
    return error


# --- list ---------------------------------------------------------------------------------------


def test_list_shows_pending_and_confirmed_newest_first_in_the_list_envelope(reader, page):
    confirmed = add(page, "old@example.com", age=10)
    pending = add(page, "new@example.com", confirmed=False)
    add(page, "gone@example.com", unsubscribed=True)
    add(StatusPageFactory(organization=page.organization), "elsewhere@example.com")

    response = reader.get(url(page))

    assert response.status_code == 200
    body = response.json()
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 2, "pages": 1}
    assert [item["id"] for item in body["data"]] == [pending.id, confirmed.id]
    newest, oldest = body["data"]
    assert set(newest) == {"id", "email", "confirmed", "confirmedAt", "createdAt"}
    assert newest["id"].startswith("sub_")
    assert (newest["email"], newest["confirmed"], newest["confirmedAt"]) == ("new@example.com", False, None)
    assert (oldest["email"], oldest["confirmed"]) == ("old@example.com", True)
    assert oldest["confirmedAt"].endswith("Z") and oldest["createdAt"].endswith("Z")
    assert "token" not in response.content.decode()


def test_list_is_paginated(reader, page):
    for n in range(5):
        add(page, f"reader{n}@example.com")

    body = reader.get(url(page) + "?limit=2&page=3").json()

    assert len(body["data"]) == 1
    assert body["pagination"] == {"page": 3, "limit": 2, "total": 5, "pages": 3}


def test_another_organizations_page_is_404(outsider, page):
    subscriber = add(page, "ann@example.com")

    assert_error(outsider.get(url(page)), 404, "not_found")
    assert_error(outsider.post(url(page), {"email": "x@example.com"}, format="json"), 404, "not_found")
    assert_error(outsider.delete(url(page, subscriber)), 404, "not_found")
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["ann@example.com"]


def test_unknown_page_is_404(admin):
    assert_error(admin.get("/api/status-pages/sp_doesnotexist/subscribers"), 404, "not_found")


# --- create -------------------------------------------------------------------------------------


def test_create_subscribes_and_sends_a_confirmation(admin, page, committed):
    with committed():
        response = admin.post(url(page), {"email": " Ann@Example.com "}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "ann@example.com"
    assert (body["confirmed"], body["confirmedAt"]) == (False, None)
    assert body["createdAt"].endswith("Z")
    stored = Subscriber.objects.get(pk=body["id"])
    assert (stored.page_id, stored.email, stored.confirmed_at) == (page.id, "ann@example.com", None)
    [confirmation] = mail.outbox
    assert confirmation.to == ["ann@example.com"]
    assert stored.token in confirmation.body


def test_create_confirmed_skips_the_confirmation_and_gets_the_next_update(admin, org, page, committed):
    monitor = MonitorFactory(organization=org)
    StatusPageComponent.objects.create(page=page, monitor=monitor)

    with committed():
        response = admin.post(url(page), {"email": "imported@example.com", "confirmed": True}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["confirmed"] is True
    assert response.json()["confirmedAt"].endswith("Z")
    assert mail.outbox == []

    with committed():
        incident = incident_services.incident_create(organization=org, title="Down", affected=[(monitor, None)])
        incident_services.incident_add_update(incident=incident, message="Looking", notify_subscribers=True)
    assert [email.to for email in mail.outbox] == [["imported@example.com"]]


def test_create_is_idempotent_for_an_address_already_subscribed(admin, page, committed):
    existing = add(page, "ann@example.com")

    with committed():
        response = admin.post(url(page), {"email": "ANN@example.com"}, format="json")

    assert response.status_code == 201
    assert response.json()["id"] == existing.id
    assert response.json()["confirmed"] is True
    assert Subscriber.objects.count() == 1
    assert mail.outbox == []


def test_create_confirmed_cannot_override_an_unsubscribe(admin, page, committed):
    gone = add(page, "gone@example.com", unsubscribed=True)

    with committed():
        response = admin.post(url(page), {"email": "gone@example.com", "confirmed": True}, format="json")

    error = assert_error(response, 400, "invalid_request")
    assert "unsubscribed" in error["fields"]["confirmed"][0]
    gone.refresh_from_db()
    assert gone.unsubscribed_at is not None and gone.confirmed_at is not None
    assert mail.outbox == []


def test_create_unconfirmed_for_an_unsubscribed_address_asks_its_owner_again(admin, page, committed):
    gone = add(page, "gone@example.com", unsubscribed=True)

    with committed():
        response = admin.post(url(page), {"email": "gone@example.com"}, format="json")

    assert response.status_code == 201
    gone.refresh_from_db()
    assert (gone.unsubscribed_at, gone.confirmed_at) == (None, None)
    assert [email.to for email in mail.outbox] == [["gone@example.com"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({}, "email"),
        ({"email": 5}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"email": "ann\x00@example.com"}, "email"),
        ({"email": "ann@example.com", "confirmed": "maybe"}, "confirmed"),
        ({"email": "ann@example.com", "confirmedAt": "2026-01-01T00:00:00Z"}, "confirmedAt"),
        ({"email": "ann@example.com", "token": "mine"}, "token"),
        ({"email": "ann@example.com", "id": "sub_x"}, "id"),
    ],
)
def test_create_with_bad_input_is_400_naming_the_field(admin, page, body, field):
    error = assert_error(admin.post(url(page), body, format="json"), 400, "invalid_request")

    assert field in error["fields"]
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("persona", ["reader", "writer"])
def test_adding_and_removing_addresses_needs_an_admin_key(request, page, persona):
    client = request.getfixturevalue(persona)
    subscriber = add(page, "ann@example.com")

    assert_error(client.post(url(page), {"email": "x@example.com"}, format="json"), 403, "forbidden")
    assert_error(client.delete(url(page, subscriber)), 403, "forbidden")
    assert client.get(url(page)).status_code == 200
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["ann@example.com"]


# --- delete -------------------------------------------------------------------------------------


def test_delete_erases_the_subscriber_and_its_notifications(admin, org, page):
    subscriber = add(page, "ann@example.com")
    incident = incident_services.incident_create(organization=org, title="Down")
    incident_services.incident_add_update(incident=incident, message="x", notify_subscribers=True)
    assert SubscriberNotification.objects.filter(subscriber=subscriber).exists()

    response = admin.delete(url(page, subscriber))

    assert response.status_code == 204
    assert not Subscriber.objects.exists()
    assert not SubscriberNotification.objects.exists()


def test_delete_works_for_an_unsubscribed_address_too(admin, page):
    gone = add(page, "gone@example.com", unsubscribed=True)

    assert admin.delete(url(page, gone)).status_code == 204
    assert not Subscriber.objects.exists()


def test_delete_through_another_page_or_an_unknown_id_is_404(admin, org, page):
    other_page = StatusPageFactory(organization=org)
    subscriber = add(other_page, "ann@example.com")

    assert_error(admin.delete(url(page, subscriber)), 404, "not_found")
    assert_error(admin.delete(f"{url(page)}/sub_doesnotexist"), 404, "not_found")
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_a_single_subscriber_can_be_read_but_not_changed(admin, reader, page):
    subscriber = add(page, "ann@example.com")
    gone = add(page, "bob@example.com", unsubscribed=True)

    response = reader.get(url(page, subscriber))  # where a create's Location points
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["email"]) == (subscriber.id, "ann@example.com")
    assert_error(admin.get(url(page, gone)), 404, "not_found")  # as in the list: unsubscribed is gone
    assert_error(admin.put(url(page, subscriber), {"email": "b@example.com"}, format="json"), 405, "method_not_allowed")


# --- schema -------------------------------------------------------------------------------------


def test_schema_documents_the_subscriber_endpoints(client):
    schema = yaml.safe_load(client.get("/api/schema").content)

    assert {"get", "post"} <= set(schema["paths"]["/api/status-pages/{id}/subscribers"])
    assert {"delete"} <= set(schema["paths"]["/api/status-pages/{id}/subscribers/{subscriberId}"])


# --- query count --------------------------------------------------------------------------------

# Every request: the API key with its organization, then the rate limiter's counter UPDATE.
PER_REQUEST = 2


def measure(client, path: str, expected_items: int) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    assert len(response.json()["data"]) == expected_items
    return [query["sql"] for query in context.captured_queries]


def show(queries: list[str]) -> str:
    return "\n".join(f"{n}. {sql[:160]}" for n, sql in enumerate(queries, 1))


def test_subscriber_list_queries_do_not_grow_with_subscribers(steady_request_plumbing, reader, page):
    for n in range(5):
        add(page, f"reader{n}@example.com", confirmed=n % 2 == 0)
    reader.get(url(page))  # warm-up: the key's last-used time, the hour's counter
    few = measure(reader, url(page) + "?limit=100", 5)
    for n in range(5, 100):
        add(page, f"reader{n}@example.com", confirmed=n % 2 == 0)
    many = measure(reader, url(page) + "?limit=100", 100)

    # API key, rate-limit update, the status page, the page of subscribers with its total
    assert len(few) == len(many), f"5 items:\n{show(few)}\n\n100 items:\n{show(many)}"
    assert len(many) == PER_REQUEST + 2, show(many)

"""An endpoint's deliveries, redelivery, test events, secret rotation and `disabledReason`:
/api/webhooks/{id}/deliveries[/{deliveryId}[/redeliver]], /test, /rotate-secret (admin keys only).

The shapes are checked on rows written directly; what is sent is checked against a real
receiver on 127.0.0.1 (transactional tests, so deliveries go out when their transaction
commits, through the eager Celery task).
"""

import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from webhooks import publishing, recording, tasks
from webhooks.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint
from webhooks.sender import sender

from .factories import WebhookEndpointFactory
from .webhook_receiver import Answer, Receiver

ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
DELIVERY_KEYS = {
    "id",
    "eventId",
    "event",
    "status",
    "attempts",
    "nextAttemptAt",
    "createdAt",
    "finishedAt",
    "attemptLog",
}
ATTEMPT_KEYS = {"attemptedAt", "statusCode", "durationMs", "error", "response"}


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) >= {"code", "message", "details"}
    return error


def snapshot() -> tuple[list, list, list, list]:
    return (
        list(WebhookEndpoint.objects.order_by("pk").values()),
        list(Event.objects.order_by("pk").values()),
        list(Delivery.objects.order_by("pk").values()),
        list(DeliveryAttempt.objects.order_by("pk").values()),
    )


BASE = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def make_delivery(
    endpoint: WebhookEndpoint,
    *,
    minutes: int = 0,
    event_type: str = "monitor.down",
    status: str = Delivery.Status.DELIVERED,
    attempts: tuple[int | None, ...] = (200,),
) -> Delivery:
    """An event, its delivery to `endpoint` and one attempt per status code (None: no response), oldest first."""
    created_at = BASE + timedelta(minutes=minutes)
    event_id = f"evt_{minutes:04d}{endpoint.pk[-8:]}x"
    body = orjson.dumps(
        {
            "id": event_id,
            "event": event_type,
            "timestamp": created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "monitor": {"id": "mon_1", "name": "API", "status": "DOWN"},
        }
    ).decode()
    event = Event.objects.create(
        id=event_id, organization_id=endpoint.organization_id, type=event_type, body=body, created_at=created_at
    )
    finished = status != Delivery.Status.PENDING
    delivery = Delivery.objects.create(
        event=event,
        endpoint=endpoint,
        status=status,
        attempts=len(attempts),
        created_at=created_at,
        finished_at=created_at + timedelta(seconds=len(attempts)) if finished else None,
        next_attempt_at=None if finished else created_at + timedelta(minutes=5),
    )
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(
            delivery=delivery,
            attempted_at=created_at + timedelta(seconds=n),
            status_code=code,
            duration_ms=10 + n,
            error="" if code and 200 <= code < 300 else (f"HTTP {code}" if code else "connection refused"),
            response_head=f"answer {n}" if code else "",
        )
        for n, code in enumerate(attempts)
    )
    return delivery


@pytest.fixture
def endpoint(org):
    # Disabled unless a test enables it: nothing here could try to send to it.
    return WebhookEndpointFactory(organization=org, url="https://hooks.example.com/a", enabled=False)


@pytest.fixture
def other_endpoint(org):
    return WebhookEndpointFactory(organization=org, url="https://hooks.example.com/b", enabled=False)


# --- the list -------------------------------------------------------------------------------


def test_list_is_paginated_newest_first_with_every_attempt_newest_first(admin, endpoint):
    oldest = make_delivery(endpoint, minutes=1, status=Delivery.Status.FAILED, attempts=(500, None, 503))
    pending = make_delivery(endpoint, minutes=2, status=Delivery.Status.PENDING, attempts=())
    newest = make_delivery(endpoint, minutes=3, event_type="incident.created")

    response = admin.get(f"/api/webhooks/{endpoint.id}/deliveries")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 3, "pages": 1}
    assert [item["id"] for item in body["data"]] == [newest.id, pending.id, oldest.id]
    for item in body["data"]:
        assert set(item) == DELIVERY_KEYS
        assert item["id"].startswith("dlv_")
        assert ISO_Z.fullmatch(item["createdAt"])
        assert "payload" not in item

    first = body["data"][0]
    assert first["eventId"] == newest.event_id
    assert first["event"] == "incident.created"
    assert first["status"] == "delivered"
    assert first["attempts"] == 1
    assert first["nextAttemptAt"] is None
    assert first["createdAt"] == "2026-03-01T12:03:00Z"
    assert first["finishedAt"] == "2026-03-01T12:03:01Z"
    assert first["attemptLog"] == [
        {
            "attemptedAt": "2026-03-01T12:03:00Z",
            "statusCode": 200,
            "durationMs": 10,
            "error": "",
            "response": "answer 0",
        }
    ]

    second = body["data"][1]
    assert (second["status"], second["attempts"], second["attemptLog"]) == ("pending", 0, [])
    assert second["nextAttemptAt"] == "2026-03-01T12:07:00Z"
    assert second["finishedAt"] is None

    third = body["data"][2]
    assert third["status"] == "failed"
    assert third["attempts"] == 3
    log = third["attemptLog"]
    assert [attempt["attemptedAt"] for attempt in log] == [
        "2026-03-01T12:01:02Z",
        "2026-03-01T12:01:01Z",
        "2026-03-01T12:01:00Z",
    ]
    assert [attempt["statusCode"] for attempt in log] == [503, None, 500]
    assert log[1] == {
        "attemptedAt": "2026-03-01T12:01:01Z",
        "statusCode": None,
        "durationMs": 11,
        "error": "connection refused",
        "response": "",
    }
    assert all(set(attempt) == ATTEMPT_KEYS for attempt in log)


def test_list_pages_like_every_list(admin, endpoint):
    ids = [make_delivery(endpoint, minutes=n).id for n in range(5)][::-1]

    page2 = admin.get(f"/api/webhooks/{endpoint.id}/deliveries?limit=2&page=2").json()
    past = admin.get(f"/api/webhooks/{endpoint.id}/deliveries?limit=2&page=9").json()
    capped = admin.get(f"/api/webhooks/{endpoint.id}/deliveries?limit=1000").json()

    assert [item["id"] for item in page2["data"]] == ids[2:4]
    assert page2["pagination"] == {"page": 2, "limit": 2, "total": 5, "pages": 3}
    assert past["data"] == []
    assert capped["pagination"]["limit"] == 100


@pytest.mark.parametrize("query", ["limit=0", "limit=-1", "limit=abc", "page=0", "page=1.5", "limit="])
def test_list_with_bad_paging_is_400(admin, endpoint, query):
    error = assert_error(admin.get(f"/api/webhooks/{endpoint.id}/deliveries?{query}"), 400, "invalid_request")
    assert query.split("=")[0] in error["fields"]


def test_list_shows_only_this_endpoints_deliveries(admin, endpoint, other_endpoint):
    mine = make_delivery(endpoint, minutes=1)
    make_delivery(other_endpoint, minutes=2)

    body = admin.get(f"/api/webhooks/{endpoint.id}/deliveries").json()

    assert [item["id"] for item in body["data"]] == [mine.id]


@pytest.mark.parametrize("status", ["pending", "delivered", "failed", "cancelled"])
def test_list_filters_by_status(admin, endpoint, status):
    by_status = {
        value: make_delivery(endpoint, minutes=n, status=value, attempts=() if value == "pending" else (200,))
        for n, value in enumerate(["pending", "delivered", "failed", "cancelled"])
    }

    response = admin.get(f"/api/webhooks/{endpoint.id}/deliveries?status={status}")

    assert response.status_code == 200, response.content
    assert [item["id"] for item in response.json()["data"]] == [by_status[status].id]
    assert response.json()["pagination"]["total"] == 1


@pytest.mark.parametrize("status", ["DELIVERED", "sent", "", "pending%00", "x" * 300])
def test_list_with_bad_status_filter_is_400(admin, endpoint, status):
    make_delivery(endpoint)

    error = assert_error(admin.get(f"/api/webhooks/{endpoint.id}/deliveries?status={status}"), 400, "invalid_request")
    assert "status" in error["fields"]


# --- one delivery ---------------------------------------------------------------------------


def test_detail_is_the_list_shape_plus_the_payload_exactly_as_sent(admin, endpoint):
    delivery = make_delivery(endpoint, attempts=(500, 200))

    response = admin.get(f"/api/webhooks/{endpoint.id}/deliveries/{delivery.id}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == DELIVERY_KEYS | {"payload"}
    assert body["id"] == delivery.id
    assert body["attempts"] == 2
    assert [attempt["statusCode"] for attempt in body["attemptLog"]] == [200, 500]
    assert body["payload"] == json.loads(delivery.event.body)
    assert delivery.event.body in response.content.decode()  # the stored text, not a re-encoding
    listed = admin.get(f"/api/webhooks/{endpoint.id}/deliveries").json()["data"][0]
    assert {key: value for key, value in body.items() if key != "payload"} == listed


def test_unknown_delivery_is_404(admin, endpoint):
    assert_error(admin.get(f"/api/webhooks/{endpoint.id}/deliveries/dlv_doesnotexist"), 404, "not_found")
    assert_error(admin.post(f"/api/webhooks/{endpoint.id}/deliveries/dlv_doesnotexist/redeliver"), 404, "not_found")


@pytest.mark.parametrize("delivery_id", ["dlv-bad!", "x" * 65, "%00"])
def test_malformed_delivery_id_is_404(admin, endpoint, delivery_id):
    assert_error(admin.get(f"/api/webhooks/{endpoint.id}/deliveries/{delivery_id}"), 404, "not_found")


def test_delivery_of_another_endpoint_is_404(admin, endpoint, other_endpoint):
    theirs = make_delivery(other_endpoint)
    other_endpoint.enabled = endpoint.enabled = True
    WebhookEndpoint.objects.filter(pk__in=[endpoint.pk, other_endpoint.pk]).update(enabled=True)
    before = snapshot()

    assert_error(admin.get(f"/api/webhooks/{endpoint.id}/deliveries/{theirs.id}"), 404, "not_found")
    assert_error(admin.post(f"/api/webhooks/{endpoint.id}/deliveries/{theirs.id}/redeliver"), 404, "not_found")
    assert snapshot() == before


def test_unknown_endpoint_is_404(admin):
    for path in ("deliveries", "deliveries/dlv_x", "test", "rotate-secret"):
        method = admin.get if path.startswith("deliveries") else admin.post
        assert_error(method(f"/api/webhooks/wh_doesnotexist/{path}"), 404, "not_found")


# --- other organizations and permissions ------------------------------------------------------


def webhook_calls(endpoint: WebhookEndpoint, delivery: Delivery) -> list[tuple[str, str]]:
    return [
        ("GET", f"/api/webhooks/{endpoint.id}/deliveries"),
        ("GET", f"/api/webhooks/{endpoint.id}/deliveries/{delivery.id}"),
        ("POST", f"/api/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver"),
        ("POST", f"/api/webhooks/{endpoint.id}/test"),
        ("POST", f"/api/webhooks/{endpoint.id}/rotate-secret"),
    ]


CALL_IDS = ["deliveries", "delivery", "redeliver", "test", "rotate-secret"]


@pytest.mark.parametrize("call", range(5), ids=CALL_IDS)
def test_another_organizations_endpoint_and_delivery_are_404(outsider, endpoint, call):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=True)
    delivery = make_delivery(endpoint)
    method, path = webhook_calls(endpoint, delivery)[call]
    before = snapshot()

    response = getattr(outsider, method.lower())(path)

    assert_error(response, 404, "not_found")
    assert endpoint.secret not in response.content.decode()
    assert snapshot() == before


def test_another_organizations_delivery_under_my_endpoint_is_404(outsider, endpoint):
    mine = WebhookEndpointFactory(organization=outsider.organization, enabled=False)
    theirs = make_delivery(endpoint)

    assert_error(outsider.get(f"/api/webhooks/{mine.id}/deliveries/{theirs.id}"), 404, "not_found")
    assert outsider.get(f"/api/webhooks/{mine.id}/deliveries").json()["data"] == []


@pytest.mark.parametrize("permission", ["read", "write"])
@pytest.mark.parametrize("call", range(5), ids=CALL_IDS)
def test_read_and_write_keys_get_403(make_client, org, endpoint, permission, call):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=True)
    delivery = make_delivery(endpoint)
    method, path = webhook_calls(endpoint, delivery)[call]
    client = make_client(org, permission)
    before = snapshot()

    response = getattr(client, method.lower())(path)

    assert_error(response, 403, "forbidden")
    assert snapshot() == before


def test_no_key_is_401(client, endpoint):
    assert_error(client.get(f"/api/webhooks/{endpoint.id}/deliveries"), 401, "unauthorized")


# --- disabled endpoints -----------------------------------------------------------------------


def test_redeliver_to_a_disabled_endpoint_is_400_and_changes_nothing(admin, endpoint):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_reason="gone")
    delivery = make_delivery(endpoint, status=Delivery.Status.FAILED, attempts=(410,))
    before = snapshot()

    error = assert_error(
        admin.post(f"/api/webhooks/{endpoint.id}/deliveries/{delivery.id}/redeliver"), 400, "invalid_request"
    )

    assert "disabled" in error["message"]
    assert "gone" in error["message"]
    assert '"enabled": true' in error["message"]
    assert snapshot() == before


def test_test_event_to_a_disabled_endpoint_is_400_and_creates_nothing(admin, endpoint):
    before = snapshot()

    error = assert_error(admin.post(f"/api/webhooks/{endpoint.id}/test"), 400, "invalid_request")

    assert "disabled" in error["message"]
    assert snapshot() == before


def test_disabled_reason_is_shown_read_only_and_put_enabled_true_clears_it(admin, endpoint):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_reason="failing")

    detail = admin.get(f"/api/webhooks/{endpoint.id}").json()
    listed = admin.get("/api/webhooks").json()["data"][0]
    refused = admin.put(f"/api/webhooks/{endpoint.id}", {"disabledReason": ""}, format="json")
    enabled = admin.put(f"/api/webhooks/{endpoint.id}", {"enabled": True}, format="json")
    disabled = admin.put(f"/api/webhooks/{endpoint.id}", {"enabled": False}, format="json")

    assert (detail["enabled"], detail["disabledReason"]) == (False, "failing")
    assert listed["disabledReason"] == "failing"
    assert {"id", "url", "description", "events", "enabled", "createdAt", "updatedAt"} <= set(detail)
    assert "disabledReason" in assert_error(refused, 400, "invalid_request")["fields"]
    assert enabled.status_code == 200, enabled.content
    assert (enabled.json()["enabled"], enabled.json()["disabledReason"]) == (True, "")
    assert (disabled.json()["enabled"], disabled.json()["disabledReason"]) == (False, "user")
    stored = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (stored.enabled, stored.disabled_reason) == (False, "user")


def test_new_endpoint_has_an_empty_disabled_reason(admin):
    created = admin.post("/api/webhooks", {"url": "https://hooks.example.com/new"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["disabledReason"] == ""


# --- secret rotation --------------------------------------------------------------------------


def test_rotate_secret_returns_a_new_secret_once_and_never_the_old_one(admin, endpoint):
    old = endpoint.secret

    response = admin.post(f"/api/webhooks/{endpoint.id}/rotate-secret")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == endpoint.id
    assert {"url", "events", "enabled", "disabledReason", "createdAt", "updatedAt"} <= set(body)
    assert body["secret"].startswith("whsec_") and body["secret"] != old
    assert old not in response.content.decode()
    assert old.removeprefix("whsec_") not in response.content.decode()
    expires = datetime.fromisoformat(body["previousSecretExpiresAt"].replace("Z", "+00:00"))
    assert abs(expires - (timezone.now() + timedelta(hours=24))) < timedelta(minutes=1)
    stored = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (stored.secret, stored.previous_secret) == (body["secret"], old)

    # The secret is not shown again anywhere else.
    for later in (admin.get(f"/api/webhooks/{endpoint.id}"), admin.get("/api/webhooks")):
        text = later.content.decode()
        assert body["secret"] not in text and old not in text and '"secret"' not in text

    again = admin.post(f"/api/webhooks/{endpoint.id}/rotate-secret").json()
    assert again["secret"] not in (old, body["secret"])
    assert body["secret"] not in json.dumps(again).replace(again["secret"], "")


def test_rotate_secret_ignores_no_body_but_is_a_post(admin, endpoint):
    assert_error(admin.get(f"/api/webhooks/{endpoint.id}/rotate-secret"), 405, "method_not_allowed")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret


# --- query counts -----------------------------------------------------------------------------

PER_REQUEST = 2  # the API key with its organization; the rate limiter's counter


def count_queries(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(context.captured_queries), response.json()


def test_list_queries_do_not_grow_with_deliveries_or_attempts(steady_request_plumbing, admin, endpoint):
    for n in range(5):
        make_delivery(endpoint, minutes=n, attempts=(500, 502, 200))
    admin.get("/api/webhooks")  # warm-up: last-used time, the hour's counter
    few, few_body = count_queries(admin, f"/api/webhooks/{endpoint.id}/deliveries?limit=100")
    for n in range(5, 100):
        make_delivery(endpoint, minutes=n, attempts=(500, 502, 200))
    many, many_body = count_queries(admin, f"/api/webhooks/{endpoint.id}/deliveries?limit=100")

    assert len(few_body["data"]) == 5 and len(many_body["data"]) == 100
    assert all(len(item["attemptLog"]) == 3 for item in many_body["data"])
    # endpoint, page with its total and event types, attempts (one prefetch)
    assert few == many == PER_REQUEST + 3


def test_filtered_list_queries_do_not_grow(steady_request_plumbing, admin, endpoint):
    admin.get("/api/webhooks")
    for n in range(3):
        make_delivery(endpoint, minutes=n, status=Delivery.Status.FAILED, attempts=(500,) * 8)
    few, _ = count_queries(admin, f"/api/webhooks/{endpoint.id}/deliveries?status=failed")
    for n in range(3, 40):
        make_delivery(endpoint, minutes=n, status=Delivery.Status.FAILED, attempts=(500,) * 8)
    many, body = count_queries(admin, f"/api/webhooks/{endpoint.id}/deliveries?status=failed&limit=100")

    assert len(body["data"]) == 40
    assert few == many == PER_REQUEST + 3


def test_detail_queries_do_not_grow_with_attempts(steady_request_plumbing, admin, endpoint):
    small = make_delivery(endpoint, minutes=1, attempts=(200,))
    large = make_delivery(endpoint, minutes=2, attempts=(500,) * 60)
    admin.get("/api/webhooks")

    few, _ = count_queries(admin, f"/api/webhooks/{endpoint.id}/deliveries/{small.id}")
    many, body = count_queries(admin, f"/api/webhooks/{endpoint.id}/deliveries/{large.id}")

    assert len(body["attemptLog"]) == 60
    # endpoint, delivery with its event, attempts
    assert few == many == PER_REQUEST + 3


# --- against a real receiver --------------------------------------------------------------------


@pytest.fixture
def live(settings, transactional_db, monkeypatch):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    # The task waits for every outcome and records it itself: none is left to the sender's
    # recorder thread, whose own database connection would outlive the test database.
    settings.WEBHOOK_TASK_FIRST_WAIT = 10.0
    monkeypatch.setattr(tasks, "SLOW_GAP", 10.0)
    receivers: list[Receiver] = []

    def start(*answers: Answer, default: Answer | None = None) -> Receiver:
        receiver = Receiver(*answers, default=default)
        receivers.append(receiver)
        return receiver

    yield start
    for receiver in receivers:
        receiver.close()


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def settled(delivery_id: str, attempts: int) -> Delivery:
    """The delivery once `attempts` attempts are recorded."""
    sender(recording.record).wait_idle(10)
    return wait_for(
        lambda: (d := Delivery.objects.get(pk=delivery_id)) and d.attempt_log.count() >= attempts and d,
    )


def create_endpoint(admin, url: str, **extra) -> dict:
    response = admin.post("/api/webhooks", {"url": url, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_test_event_reaches_the_receiver_signed_now(admin, live):
    receiver = live()
    created = create_endpoint(admin, receiver.url, events=["incident.created"])

    response = admin.post(f"/api/webhooks/{created['id']}/test")

    assert response.status_code == 202, response.content
    body = response.json()
    # Where to follow the delivery the test event made.
    assert response["Location"] == f"/api/webhooks/{created['id']}/deliveries/{body['id']}"
    assert admin.get(response["Location"]).json()["id"] == body["id"]
    assert set(body) == DELIVERY_KEYS | {"payload"}
    assert body["event"] == "webhook.test"
    assert body["status"] in ("pending", "delivered")
    assert body["payload"]["event"] == "webhook.test"
    assert body["payload"]["id"] == body["eventId"]
    assert body["payload"]["endpoint"] == {"id": created["id"]}

    wait_for(lambda: receiver.requests)
    request = receiver.requests[0]
    secret = created["secret"]
    assert request.body == Event.objects.get(pk=body["eventId"]).body.encode()
    assert json.loads(request.body) == body["payload"]
    assert request.headers["X-StatusApp-Event"] == "webhook.test"
    assert request.headers["webhook-id"] == body["eventId"]
    # The API guide's verify_signature: hex HMAC-SHA256 of the body with the whole secret.
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-StatusApp-Signature"], expected)
    # And Standard Webhooks, with the package from PyPI.
    Webhook(secret).verify(request.body, request.headers)

    delivery = settled(body["id"], 1)
    assert delivery.status == Delivery.Status.DELIVERED
    shown = admin.get(f"/api/webhooks/{created['id']}/deliveries/{body['id']}").json()
    assert shown["status"] == "delivered"
    assert shown["attempts"] == 1
    assert shown["attemptLog"][0]["statusCode"] == 200
    assert shown["attemptLog"][0]["response"] == "ok"
    # A test event is for this endpoint alone and not an event of the organization's.
    assert admin.get("/api/events").json()["data"] == []
    assert len(receiver.requests) == 1


def test_redeliver_sends_the_same_event_again_and_logs_a_second_attempt(admin, org, live):
    receiver = live(Answer(status=500, body=b"boom"))
    created = create_endpoint(admin, receiver.url)

    (event,) = publishing.publish([(org.id, "monitor.down", {"monitor": {"id": "mon_1", "status": "DOWN"}})])
    delivery_id = Delivery.objects.get(event=event).id
    failed = settled(delivery_id, 1)
    assert failed.status == Delivery.Status.PENDING  # to be retried later
    shown = admin.get(f"/api/webhooks/{created['id']}/deliveries/{delivery_id}").json()
    assert shown["attemptLog"][0]["statusCode"] == 500
    assert shown["attemptLog"][0]["error"] == "HTTP 500"
    assert shown["attemptLog"][0]["response"] == "boom"
    assert shown["nextAttemptAt"] is not None

    response = admin.post(f"/api/webhooks/{created['id']}/deliveries/{delivery_id}/redeliver")

    assert response.status_code == 202, response.content
    assert response.json()["id"] == delivery_id
    assert response["Location"] == f"/api/webhooks/{created['id']}/deliveries/{delivery_id}"
    assert response.json()["payload"] == json.loads(event.body)
    wait_for(lambda: len(receiver.requests) >= 2)
    first, second = receiver.requests[:2]
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == event.id
    assert first.body == second.body == event.body.encode()
    Webhook(created["secret"]).verify(second.body, second.headers)

    settled(delivery_id, 2)
    shown = admin.get(f"/api/webhooks/{created['id']}/deliveries/{delivery_id}").json()
    assert shown["status"] == "delivered"
    assert shown["attempts"] == 2
    assert [attempt["statusCode"] for attempt in shown["attemptLog"]] == [200, 500]
    assert shown["finishedAt"] is not None and shown["nextAttemptAt"] is None

    # A delivered delivery can be sent again too.
    again = admin.post(f"/api/webhooks/{created['id']}/deliveries/{delivery_id}/redeliver")
    assert again.status_code == 202, again.content
    wait_for(lambda: len(receiver.requests) >= 3)
    assert receiver.requests[2].headers["webhook-id"] == event.id
    assert len(settled(delivery_id, 3).attempt_log.all()) == 3


def test_after_rotation_deliveries_are_signed_with_the_new_secret_and_the_old_one_for_the_overlap(admin, live):
    receiver = live()
    created = create_endpoint(admin, receiver.url)
    rotated = admin.post(f"/api/webhooks/{created['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.content
    old, new = created["secret"], rotated.json()["secret"]

    assert admin.post(f"/api/webhooks/{created['id']}/test").status_code == 202

    request = wait_for(lambda: receiver.requests and receiver.requests[0])
    expected = hmac.new(new.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-StatusApp-Signature"] == expected
    previous = hmac.new(old.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-StatusApp-Signature-Previous"] == previous
    Webhook(new).verify(request.body, request.headers)
    Webhook(old).verify(request.body, request.headers)


def test_reenabled_endpoint_receives_tests_and_redeliveries_again(admin, org, live):
    receiver = live()
    created = create_endpoint(admin, receiver.url)
    (event,) = publishing.publish([(org.id, "incident.created", {"incident": {"id": "inc_1"}})])
    delivery_id = Delivery.objects.get(event=event).id
    settled(delivery_id, 1)
    WebhookEndpoint.objects.filter(pk=created["id"]).update(enabled=False, disabled_reason="gone")

    assert_error(admin.post(f"/api/webhooks/{created['id']}/test"), 400, "invalid_request")
    assert_error(
        admin.post(f"/api/webhooks/{created['id']}/deliveries/{delivery_id}/redeliver"), 400, "invalid_request"
    )
    assert len(receiver.requests) == 1

    enabled = admin.put(f"/api/webhooks/{created['id']}", {"enabled": True}, format="json")
    assert (enabled.json()["enabled"], enabled.json()["disabledReason"]) == (True, "")
    assert admin.post(f"/api/webhooks/{created['id']}/deliveries/{delivery_id}/redeliver").status_code == 202
    assert admin.post(f"/api/webhooks/{created['id']}/test").status_code == 202
    wait_for(lambda: len(receiver.requests) >= 3)
    assert receiver.requests[1].headers["webhook-id"] == event.id
    assert receiver.requests[2].headers["X-StatusApp-Event"] == "webhook.test"

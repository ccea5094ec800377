"""/api/events and /api/events/{id}: the organization's events as their receivers got them,
newest first, cursor-paginated so that a receiver that was down can walk back through them."""

import base64
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from webhooks import publishing
from webhooks.models import Event, EventType

from .factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) >= {"code", "message", "details"}
    return error


def publish(org, count: int, event_type: str = "monitor.down") -> list[Event]:
    """`count` events in one transaction: they share one created_at, so only their ids order them."""
    return publishing.publish(
        [
            (org.id, event_type, {"monitor": {"id": f"mon_{n}", "name": f"Monitor {n}", "status": "DOWN"}})
            for n in range(count)
        ]
    )


def newest_first(events: list[Event]) -> list[str]:
    return [event.id for event in sorted(events, key=lambda e: (e.created_at, e.id), reverse=True)]


def walk(client, url: str, limit: int, during=None) -> tuple[list[str], list[dict]]:
    """Follow nextCursor to the end; `during(page_number)` runs between pages."""
    ids, pages = [], []
    cursor = None
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(f"{url}{'&' if '?' in url else '?'}{query}")
        assert response.status_code == 200, response.content
        page = response.json()
        pages.append(page)
        ids += [event["id"] for event in page["data"]]
        cursor = page["pagination"]["nextCursor"]
        if cursor is None:
            return ids, pages
        assert len(pages) < 100, "the walk does not end"
        if during:
            during(len(pages))


# --- the list -------------------------------------------------------------------------------


def test_list_is_the_event_bodies_exactly_as_delivered_newest_first(reader, org):
    first = publish(org, 1, "monitor.down")
    second = publish(org, 1, "incident.created")

    response = reader.get("/api/events")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"data", "pagination"}
    assert body["pagination"] == {"limit": 20, "nextCursor": None}
    assert [event["id"] for event in body["data"]] == [second[0].id, first[0].id]
    text = response.content.decode()
    for shown, event in zip(body["data"], [second[0], first[0]], strict=True):
        assert shown == json.loads(event.body)
        assert event.body in text  # byte for byte what the receivers got
        assert shown["id"].startswith("evt_")
        assert shown["event"] == event.type
        assert shown["timestamp"].endswith("Z")


def test_list_leaves_out_test_events_and_other_organizations(admin, org, other_org):
    mine = publish(org, 2)
    publish(other_org, 3)
    endpoint = WebhookEndpointFactory(organization=org, enabled=True)
    publishing.publish_test(endpoint)  # not sent: this test's transaction never commits

    body = admin.get("/api/events").json()

    assert sorted(event["id"] for event in body["data"]) == sorted(event.id for event in mine)
    assert Event.objects.filter(organization=org, type="webhook.test").count() == 1


def test_empty_list(reader):
    assert reader.get("/api/events").json() == {"data": [], "pagination": {"limit": 20, "nextCursor": None}}


@pytest.mark.parametrize("event_type", EventType.values)
def test_list_filters_by_type(reader, org, event_type):
    by_type = {value: publish(org, 2, value) for value in EventType.values}

    ids, _ = walk(reader, f"/api/events?type={event_type}", limit=1)

    assert ids == newest_first(by_type[event_type])


@pytest.mark.parametrize("event_type", ["webhook.test", "MONITOR.DOWN", "monitor", "", "monitor.down%00", "x" * 500])
def test_list_with_bad_type_is_400(reader, org, event_type):
    publish(org, 1)
    error = assert_error(reader.get(f"/api/events?type={event_type}"), 400, "invalid_request")
    assert "type" in error["fields"]


# --- limit ------------------------------------------------------------------------------------


def test_limit_default_and_cap(reader, org):
    publish(org, 105)

    default = reader.get("/api/events").json()
    capped = reader.get("/api/events?limit=1000").json()
    huge = reader.get("/api/events?limit=999999999999999999").json()
    three = reader.get("/api/events?limit=3").json()

    assert (len(default["data"]), default["pagination"]["limit"]) == (20, 20)
    assert (len(capped["data"]), capped["pagination"]["limit"]) == (100, 100)
    assert huge["pagination"]["limit"] == 100
    assert (len(three["data"]), three["pagination"]["limit"]) == (3, 3)
    assert default["pagination"]["nextCursor"]


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5", "", "%00", "1e3", "9" * 40])
def test_bad_limit_is_400(reader, org, limit):
    publish(org, 1)
    error = assert_error(reader.get(f"/api/events?limit={limit}"), 400, "invalid_request")
    assert "limit" in error["fields"]


# --- cursors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "batches",
    [[45], [15, 15, 15], [1] * 45],
    ids=["one-timestamp", "three-timestamps", "all-different"],
)
def test_walk_returns_every_event_once_newest_first_even_while_new_events_arrive(reader, org, batches):
    events = [event for size in batches for event in publish(org, size)]
    arrived = []

    ids, pages = walk(reader, "/api/events", limit=20, during=lambda n: arrived.extend(publish(org, 1)))

    assert ids == newest_first(events)
    assert len(ids) == len(set(ids)) == 45
    assert [len(page["data"]) for page in pages] == [20, 20, 5]
    assert len(arrived) == 2
    assert not {event.id for event in arrived} & set(ids)
    # The new ones are at the head of a fresh walk.
    assert reader.get("/api/events?limit=2").json()["data"][0]["id"] in {event.id for event in arrived}


def test_walk_with_an_exact_multiple_ends_with_a_null_cursor(reader, org):
    publish(org, 40)

    ids, pages = walk(reader, "/api/events", limit=20)

    assert len(ids) == len(set(ids)) == 40
    assert pages[-1]["pagination"]["nextCursor"] is None
    assert [len(page["data"]) for page in pages] == [20, 20]  # no empty last page


def test_walk_of_a_type_with_cursors(reader, org):
    downs = [event for _ in range(5) for event in publish(org, 3, "monitor.down")]
    publish(org, 7, "monitor.up")

    ids, _ = walk(reader, "/api/events?type=monitor.down", limit=4)

    assert ids == newest_first(downs)


def cursor_of(client) -> str:
    cursor = client.get("/api/events?limit=1").json()["pagination"]["nextCursor"]
    assert cursor
    return cursor


def tampered(cursor: str) -> str:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    key, signature = raw.rsplit(":", 1)
    micros, event_id = key.split(".", 1)
    forged = f"{int(micros) + 1}.{event_id}:{signature}"
    return base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")


def test_cursor_is_opaque(reader, org):
    events = publish(org, 2)
    cursor = cursor_of(reader)
    assert not any(event.id in cursor for event in events)
    assert all(ch.isalnum() or ch in "-_" for ch in cursor)


@pytest.mark.parametrize(
    "make",
    [
        lambda good: "garbage",
        lambda good: good[:-1] + ("A" if good[-1] != "A" else "B"),
        lambda good: good[:10],
        lambda good: good + good,
        tampered,
        lambda good: base64.urlsafe_b64encode(b"1700000000000000.evt_abc").decode().rstrip("="),
        lambda good: base64.urlsafe_b64encode(b"\xff\xfe\x00junk").decode(),
        lambda good: "",
        lambda good: "%00",
        lambda good: "a" * 5000,
        lambda good: "Zm9v====",
        lambda good: "!!!",
    ],
    ids=[
        "garbage",
        "last-char",
        "truncated",
        "doubled",
        "forged-key",
        "unsigned",
        "binary",
        "empty",
        "nul",
        "huge",
        "padding",
        "punctuation",
    ],
)
def test_malformed_or_tampered_cursor_is_400(reader, org, make):
    publish(org, 3)
    cursor = make(cursor_of(reader))

    error = assert_error(reader.get(f"/api/events?cursor={cursor}"), 400, "invalid_request")

    assert "cursor" in error["fields"]


def test_another_organizations_cursor_is_400(reader, org, make_client, other_org):
    publish(org, 3)
    publish(other_org, 3)
    theirs = cursor_of(make_client(other_org, "read"))

    error = assert_error(reader.get(f"/api/events?cursor={theirs}"), 400, "invalid_request")
    assert "cursor" in error["fields"]


def test_a_cursor_survives_the_event_it_names_being_gone(reader, org):
    events = publish(org, 1) + publish(org, 1) + publish(org, 1)
    cursor = cursor_of(reader)  # names the newest
    Event.objects.filter(pk=events[-1].pk).delete()

    body = reader.get(f"/api/events?cursor={cursor}").json()

    assert [event["id"] for event in body["data"]] == [events[1].id, events[0].id]


# --- one event --------------------------------------------------------------------------------


def test_detail_is_the_body_exactly_as_delivered(reader, org):
    (event,) = publish(org, 1, "incident.resolved")

    response = reader.get(f"/api/events/{event.id}")

    assert response.status_code == 200, response.content
    assert response.json() == json.loads(event.body)
    assert response.content.decode() == event.body


def test_detail_of_another_organizations_event_is_404(reader, other_org):
    (event,) = publish(other_org, 1)

    error = assert_error(reader.get(f"/api/events/{event.id}"), 404, "not_found")
    assert event.id not in json.dumps(error)


@pytest.mark.parametrize("event_id", ["evt_doesnotexist", "evt-bad!", "x" * 65])
def test_unknown_event_is_404(reader, event_id):
    assert_error(reader.get(f"/api/events/{event_id}"), 404, "not_found")


def test_a_test_event_can_be_looked_up_by_id(admin, org):
    delivery = publishing.publish_test(WebhookEndpointFactory(organization=org))

    response = admin.get(f"/api/events/{delivery.event_id}")

    assert response.status_code == 200
    assert response.json()["event"] == "webhook.test"


# --- permissions and methods ------------------------------------------------------------------


@pytest.mark.parametrize("permission", ["read", "write", "admin"])
def test_any_valid_key_may_read(make_client, org, permission):
    (event,) = publish(org, 1)
    client = make_client(org, permission)

    assert client.get("/api/events").status_code == 200
    assert client.get(f"/api/events/{event.id}").status_code == 200


def test_no_key_is_401(client, org):
    (event,) = publish(org, 1)
    assert_error(client.get("/api/events"), 401, "unauthorized")
    assert_error(client.get(f"/api/events/{event.id}"), 401, "unauthorized")


def test_events_cannot_be_written(admin, org):
    (event,) = publish(org, 1)
    before = list(Event.objects.values())

    assert_error(admin.post("/api/events", {"event": "monitor.down"}, format="json"), 405, "method_not_allowed")
    assert_error(
        admin.put(f"/api/events/{event.id}", {"event": "monitor.up"}, format="json"), 405, "method_not_allowed"
    )
    assert_error(admin.patch(f"/api/events/{event.id}", {}, format="json"), 405, "method_not_allowed")
    assert_error(admin.delete(f"/api/events/{event.id}"), 405, "method_not_allowed")
    assert list(Event.objects.values()) == before


# --- query counts -----------------------------------------------------------------------------

PER_REQUEST = 2  # the API key with its organization; the rate limiter's counter


def count_queries(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(context.captured_queries), response.json()


def test_list_queries_do_not_grow_with_page_size(steady_request_plumbing, reader, org):
    publish(org, 5)
    reader.get("/api/events")  # warm-up: last-used time, the hour's counter
    few, few_body = count_queries(reader, "/api/events?limit=100")
    publish(org, 200)
    many, many_body = count_queries(reader, "/api/events?limit=100")
    next_page, next_body = count_queries(
        reader, f"/api/events?limit=100&type=monitor.down&cursor={many_body['pagination']['nextCursor']}"
    )

    assert (len(few_body["data"]), len(many_body["data"]), len(next_body["data"])) == (5, 100, 100)
    # the page (one more row than the limit tells whether there is a next page)
    assert few == many == next_page == PER_REQUEST + 1


def test_detail_queries(steady_request_plumbing, reader, org):
    (event,) = publish(org, 1)
    reader.get("/api/events")

    queries, _ = count_queries(reader, f"/api/events/{event.id}")

    assert queries == PER_REQUEST + 1

"""Webhook delivery end to end: publish -> lease -> a signed POST to a real receiver on
127.0.0.1 -> the attempt log, retries, 410 and Retry-After, disabling, the per-endpoint
cap, the sweeper and the address guard.

Celery runs eagerly, so publishing sends when its transaction commits: these tests are
transactional. An answer slower than WEBHOOK_TASK_FIRST_WAIT / the sender's SLOW_GAP finishes on the sender's loop
and is recorded by its recorder thread, on another connection: tests wait for it in the
database. Retries are run by moving `next_attempt_at` into the past and calling the
sweeper, as beat would, instead of sleeping.
"""

import email.utils
import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from statusapp.api.fields import isoformat
from webhooks import recording
from webhooks.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint
from webhooks.publishing import publish
from webhooks.sender import sender
from webhooks.services import delivery_redeliver, webhook_endpoint_create, webhook_endpoint_update
from webhooks.tasks import send_deliveries, sweep_deliveries

from .webhook_receiver import Answer, Receiver

# Publishing sends on commit, and late outcomes are recorded on another connection: these
# tests commit. Flushing only these apps' tables after each keeps them fast on PostgreSQL.
APPS = ["accounts", "webhooks"]
pytestmark = pytest.mark.django_db(transaction=True, available_apps=APPS)

SCHEDULE = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)  # DESIGN.md, like Svix's
PENDING = Delivery.Status.PENDING
DELIVERED = Delivery.Status.DELIVERED
FAILED = Delivery.Status.FAILED
CANCELLED = Delivery.Status.CANCELLED


# --- fixtures and helpers (test_webhook_signing.py uses them too) ---


@pytest.fixture(autouse=True)
def _delivery_settings(settings):
    # The receivers are on 127.0.0.1; the guard tests turn this off again.
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    yield
    # Nothing a test started may be recorded into the next test.
    assert sender(recording.record).wait_idle(10)


@pytest.fixture
def make_receiver():
    made = []

    def make(*answers: Answer, default: Answer | None = None) -> Receiver:
        made.append(Receiver(*answers, default=default))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def monitor_down(org, name: str = "API Server") -> tuple[int, str, dict]:
    """A `monitor.down` event with the API guide's example payload."""
    return (
        org.id,
        "monitor.down",
        {
            "monitor": {"id": "mon_123", "name": name, "status": "DOWN", "lastCheck": "2024-01-21T10:29:58Z"},
            "incident": {"id": "inc_456", "status": "ACTIVE"},
        },
    )


def monitor_up(org) -> tuple[int, str, dict]:
    return (
        org.id,
        "monitor.up",
        {
            "monitor": {"id": "mon_123", "name": "API Server", "status": "UP", "lastCheck": "2024-01-21T10:45:00Z"},
            "incident": {"id": "inc_456", "status": "RESOLVED"},
        },
    )


def endpoint_for(org, receiver_or_url, events=("monitor.down",), **kwargs) -> WebhookEndpoint:
    url = receiver_or_url if isinstance(receiver_or_url, str) else receiver_or_url.url
    return webhook_endpoint_create(organization=org, url=url, events=list(events), **kwargs)


def header(request, name: str) -> str | None:
    """A request header, whatever its case on the wire."""
    return {key.lower(): value for key, value in request.headers.items()}.get(name.lower())


def wait_until(condition, timeout: float = 5.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout} s")
        time.sleep(0.02)


def attempts_of(delivery_id: str) -> list[DeliveryAttempt]:
    return list(DeliveryAttempt.objects.filter(delivery_id=delivery_id).order_by("attempted_at", "id"))


def wait_attempts(delivery_id: str, count: int, timeout: float = 5.0) -> list[DeliveryAttempt]:
    """The delivery's attempt log once it has `count` attempts (and no more). An attempt
    and its delivery's new state are written in one transaction."""
    wait_until(
        lambda: DeliveryAttempt.objects.filter(delivery_id=delivery_id).count() >= count,
        timeout,
        f"{count} attempts of {delivery_id}",
    )
    attempts = attempts_of(delivery_id)
    assert len(attempts) == count, [(a.status_code, a.error) for a in attempts]
    return attempts


def settle(timeout: float = 5.0) -> None:
    """Wait until every delivery being sent has its outcome recorded (a pending delivery
    keeps its lease token until then). A send usually ends before publish() returns, but
    one slower than WEBHOOK_TASK_FIRST_WAIT / SLOW_GAP (the first of a process also sets up its HTTP
    session) is recorded afterwards, by the recorder thread."""
    wait_until(
        lambda: not Delivery.objects.filter(status=PENDING).exclude(lease_token="").exists(),
        timeout,
        "the outstanding sends",
    )


def retry_due(*delivery_ids: str) -> int:
    """Bring the next attempt of these pending deliveries (all of them if none is named)
    to now and run the sweeper, as beat would; returns what the sweep took up."""
    pending = Delivery.objects.filter(status=PENDING)
    if delivery_ids:
        pending = pending.filter(id__in=delivery_ids)
    pending.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    return sweep_deliveries()


def seconds_between(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def assert_every_pair_once_and_finished() -> None:
    """One delivery per (event, endpoint), and every one delivered, failed or cancelled."""
    doubles = Delivery.objects.values("event_id", "endpoint_id").annotate(n=Count("id")).filter(n__gt=1)
    assert not doubles.exists(), list(doubles)
    unfinished = list(Delivery.objects.exclude(status__in=[DELIVERED, FAILED, CANCELLED]).values_list("id", "status"))
    assert unfinished == []


# --- the payload ---


def test_body_is_the_envelope_and_payload_serialized_once_and_sent_as_stored(org, make_receiver):
    first, second = make_receiver(), make_receiver()
    endpoints = [endpoint_for(org, first), endpoint_for(org, second)]
    org_id, event_type, payload = monitor_down(org, name='API Sérver ☕ "quoted" </script>')
    before = timezone.now().replace(microsecond=0)

    [event] = publish([(org_id, event_type, payload)])

    after = timezone.now()
    settle()
    stored = Event.objects.get()
    assert (stored.id, stored.type, stored.organization_id) == (event.id, "monitor.down", org.id)
    assert re.fullmatch(r"evt_[0-9a-z]+", stored.id)
    body = json.loads(stored.body)
    assert list(body) == ["id", "event", "timestamp", "monitor", "incident"]
    assert body == {"id": stored.id, "event": "monitor.down", "timestamp": isoformat(stored.created_at), **payload}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["timestamp"])
    assert before <= datetime.fromisoformat(body["timestamp"]) <= after
    # Each receiver had exactly the stored bytes.
    for receiver, endpoint in zip((first, second), endpoints, strict=True):
        [request] = receiver.requests
        assert request.body == stored.body.encode()
        delivery = Delivery.objects.get(endpoint=endpoint)
        assert header(request, "X-StatusApp-Delivery") == delivery.id
        assert header(request, "X-StatusApp-Event") == "monitor.down"
        assert header(request, "Content-Type") == "application/json"
        assert (delivery.event_id, delivery.status, delivery.attempts) == (stored.id, DELIVERED, 1)
        assert delivery.finished_at is not None and delivery.next_attempt_at is None
        assert (delivery.lease_token, delivery.lease_until) == ("", None)
    assert Event.objects.count() == 1
    assert_every_pair_once_and_finished()


def test_a_payload_cannot_replace_the_envelope(org, make_receiver):
    receiver = make_receiver()
    endpoint_for(org, receiver)
    org_id, event_type, payload = monitor_down(org)

    for key in ("id", "event", "timestamp"):
        with pytest.raises(ValueError, match=key):
            publish([monitor_up(org), (org_id, event_type, {key: "forged", **payload})])

    time.sleep(0.1)
    assert receiver.requests == []
    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_nothing_is_sent_before_the_cause_commits_and_nothing_at_all_when_it_rolls_back(org, make_receiver):
    receiver = make_receiver()
    endpoint_for(org, receiver)

    with pytest.raises(RuntimeError), transaction.atomic():
        publish([monitor_down(org)])
        assert Delivery.objects.count() == 1
        raise RuntimeError("the cause fails")

    time.sleep(0.3)
    assert receiver.requests == []
    assert not Event.objects.exists() and not Delivery.objects.exists()
    assert sweep_deliveries() == 0

    with transaction.atomic():
        publish([monitor_down(org)])
        assert receiver.requests == []  # not before the commit
    settle()
    assert len(receiver.requests) == 1
    assert Delivery.objects.get().status == DELIVERED


def test_sent_only_to_enabled_endpoints_of_the_organization_subscribed_to_the_type(org, other_org, make_receiver):
    down_only, up_only, both, disabled, foreign = (make_receiver() for _ in range(5))
    e_down = endpoint_for(org, down_only, ["monitor.down"])
    e_up = endpoint_for(org, up_only, ["monitor.up"])
    e_both = endpoint_for(org, both, ["monitor.down", "monitor.up", "incident.created"])
    endpoint_for(org, disabled, ["monitor.down", "monitor.up"], enabled=False)
    e_foreign = endpoint_for(other_org, foreign, ["monitor.down", "monitor.up"])

    down, up, foreign_down = publish([monitor_down(org), monitor_up(org), monitor_down(other_org)])
    settle()

    assert set(Delivery.objects.values_list("event_id", "endpoint_id")) == {
        (down.id, e_down.id),
        (down.id, e_both.id),
        (up.id, e_up.id),
        (up.id, e_both.id),
        (foreign_down.id, e_foreign.id),
    }

    def ids(receiver):
        return sorted(json.loads(request.body)["id"] for request in receiver.requests)

    assert ids(down_only) == [down.id]
    assert ids(up_only) == [up.id]
    assert ids(both) == sorted([down.id, up.id])
    assert ids(disabled) == []
    assert ids(foreign) == [foreign_down.id]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DELIVERED}
    assert_every_pair_once_and_finished()


# --- failures and retries ---


def test_a_failed_attempt_is_logged_and_retried_5_seconds_later_then_delivered_exactly_once(org, make_receiver):
    receiver = make_receiver(
        Answer(status=500, body=b"x" * 300 + b"y" * 600, delay=0.3), default=Answer(status=200, body=b"thanks")
    )
    endpoint = endpoint_for(org, receiver)

    publish([monitor_down(org)])

    delivery = Delivery.objects.get()
    [first] = wait_attempts(delivery.id, 1)
    assert (first.status_code, first.error) == (500, "HTTP 500")
    assert first.response_head == "x" * 300 + "y" * 200  # the first 500 bytes
    assert 300 <= first.duration_ms < 3000
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.finished_at) == (PENDING, 1, None)
    assert (delivery.lease_token, delivery.lease_until) == ("", None)
    assert 5 <= seconds_between(delivery.next_attempt_at, first.attempted_at) < 8
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is not None

    # Not due yet: the sweeper leaves it alone.
    assert sweep_deliveries() == 0
    assert len(receiver.requests) == 1

    assert retry_due(delivery.id) == 1

    first, second = wait_attempts(delivery.id, 2)
    assert (second.status_code, second.error, second.response_head) == (200, "", "thanks")
    assert 0 <= second.duration_ms < 3000
    assert [a.status_code for a in (first, second)] == [500, 200]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DELIVERED, 2, None)
    assert delivery.finished_at is not None
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None

    # Delivered is final: no later sweep sends it again.
    assert retry_due() == 0
    assert len(receiver.requests) == 2
    assert_every_pair_once_and_finished()


def test_a_hanging_receiver_times_out_without_holding_the_task_and_the_retry_delivers(org, make_receiver, settings):
    settings.WEBHOOK_TIMEOUT = 1
    receiver = make_receiver(Answer(delay=3), default=Answer())
    endpoint_for(org, receiver)

    started = time.monotonic()
    publish([monitor_down(org)])
    assert time.monotonic() - started < 1.0  # the task went on; the hang waits on the sender's loop

    delivery = Delivery.objects.get()
    receiver.wait_for_requests(1)
    [attempt] = wait_attempts(delivery.id, 1, timeout=5)
    assert (attempt.status_code, attempt.error, attempt.response_head) == (None, "timed out after 1 s", "")
    assert 1000 <= attempt.duration_ms < 2500
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_token, delivery.lease_until) == (PENDING, 1, "", None)
    assert 5 <= seconds_between(delivery.next_attempt_at, attempt.attempted_at) < 9
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=3)

    assert retry_due(delivery.id) == 1

    _, retry = wait_attempts(delivery.id, 2)
    assert (retry.status_code, retry.error) == (200, "")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DELIVERED, 2)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body
    assert_every_pair_once_and_finished()


def test_an_unreachable_receiver_is_a_logged_failure_and_retried(org, make_receiver):
    closed = make_receiver()
    url = closed.url
    closed.close()  # nothing listens on that port any more
    endpoint_for(org, url)

    publish([monitor_down(org)])

    delivery = Delivery.objects.get()
    [attempt] = wait_attempts(delivery.id, 1)
    assert attempt.status_code is None
    assert "refused" in attempt.error.lower()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (PENDING, 1)
    assert 5 <= seconds_between(delivery.next_attempt_at, attempt.attempted_at) < 8


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(org, make_receiver):
    elsewhere = make_receiver()
    receivers = {
        status: make_receiver(default=Answer(status=status, headers={"Location": elsewhere.url}, body=b"moved"))
        for status in (301, 302, 303, 307, 308)
    }
    endpoints = {status: endpoint_for(org, receiver) for status, receiver in receivers.items()}

    publish([monitor_down(org)])

    settle()
    for status, endpoint in endpoints.items():
        delivery = Delivery.objects.get(endpoint=endpoint)
        [attempt] = attempts_of(delivery.id)
        assert attempt.status_code == status
        assert attempt.error.startswith(f"HTTP {status}") and "redirect" in attempt.error
        assert attempt.response_head == "moved"
        assert (delivery.status, delivery.attempts) == (PENDING, 1)
        assert 5 <= seconds_between(delivery.next_attempt_at, attempt.attempted_at) < 8
        assert len(receivers[status].requests) == 1
    # A followed redirect would have reached `elsewhere` before its attempt was recorded.
    assert elsewhere.requests == []


@pytest.mark.parametrize(
    "failing_for",
    [
        None,
        timedelta(days=6),
    ],
    ids=["healthy-until-now", "already-failing-for-days"],
)
def test_410_fails_the_delivery_disables_the_endpoint_as_gone_and_cancels_its_pending_ones(
    org, make_receiver, failing_for
):
    receiver = make_receiver(Answer(status=500), Answer(status=410, body=b"gone"))
    bystander_receiver = make_receiver()
    endpoint = endpoint_for(org, receiver, ["monitor.down", "monitor.up"])
    bystander = endpoint_for(org, bystander_receiver, ["monitor.down"])
    [earlier_event] = publish([monitor_up(org)])  # 500: retried later
    earlier = Delivery.objects.get(event=earlier_event)
    wait_attempts(earlier.id, 1)
    earlier.refresh_from_db()
    assert earlier.status == PENDING
    if failing_for:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - failing_for)

    [event] = publish([monitor_down(org)])

    gone = Delivery.objects.get(event=event, endpoint=endpoint)
    [attempt] = wait_attempts(gone.id, 1)
    assert (attempt.status_code, attempt.response_head) == (410, "gone")
    gone.refresh_from_db()
    assert (gone.status, gone.attempts, gone.next_attempt_at) == (FAILED, 1, None)
    assert gone.finished_at is not None
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, WebhookEndpoint.DisabledReason.GONE)
    earlier.refresh_from_db()
    assert (earlier.status, earlier.next_attempt_at) == (CANCELLED, None)
    assert earlier.finished_at is not None
    settle()
    assert Delivery.objects.get(event=event, endpoint=bystander).status == DELIVERED

    # Nothing reaches it any more: no new deliveries, no retries.
    publish([monitor_down(org)])
    retry_due()
    settle()
    assert not Delivery.objects.filter(endpoint=endpoint, status=PENDING).exists()
    assert Delivery.objects.filter(endpoint=endpoint).count() == 2
    assert len(receiver.requests) == 2
    assert_every_pair_once_and_finished()


def _http_date_in(seconds: int) -> str:
    return email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=seconds), usegmt=True)


def test_retry_after_sets_the_next_attempt(org, make_receiver):
    cases = {  # name: (status, Retry-After, seconds to the next attempt: at least, less than)
        "503 seconds": (503, "120", 120, 123),
        "429 seconds": (429, "120", 120, 123),
        "HTTP date": (503, _http_date_in(600), 598, 603),
        "HTTP date in the past: the schedule": (429, _http_date_in(-600), 5, 8),
        "never sooner than the schedule": (503, "1", 5, 8),
        "junk: the schedule": (503, "in two minutes", 5, 8),
        "negative: the schedule": (503, "-120", 5, 8),
        "at most a day": (503, "99999999999", 24 * 3600, 24 * 3600 + 3),
    }
    endpoints = {
        name: endpoint_for(org, make_receiver(Answer(status=status, headers={"Retry-After": value})))
        for name, (status, value, _, _) in cases.items()
    }

    publish([monitor_down(org)])

    settle()
    for name, (status, _, low, high) in cases.items():
        delivery = Delivery.objects.get(endpoint=endpoints[name])
        [attempt] = attempts_of(delivery.id)
        assert (attempt.status_code, delivery.status) == (status, PENDING), name
        assert low <= seconds_between(delivery.next_attempt_at, attempt.attempted_at) < high, name


def test_the_schedule_runs_out_after_8_attempts_and_the_delivery_fails(org, make_receiver, settings):
    assert tuple(settings.WEBHOOK_RETRY_SCHEDULE) == SCHEDULE
    receiver = make_receiver(default=Answer(status=500))
    endpoint = endpoint_for(org, receiver)

    publish([monitor_down(org)])

    delivery = Delivery.objects.get()
    for number, wait in enumerate(SCHEDULE, start=1):
        attempts = wait_attempts(delivery.id, number)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (PENDING, number)
        assert wait <= seconds_between(delivery.next_attempt_at, attempts[-1].attempted_at) < wait + 3
        assert retry_due(delivery.id) == 1

    attempts = wait_attempts(delivery.id, 8)
    assert [a.status_code for a in attempts] == [500] * 8
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (FAILED, 8, None)
    assert delivery.finished_at is not None
    assert len(receiver.requests) == 8
    assert retry_due() == 0
    assert len(receiver.requests) == 8
    endpoint.refresh_from_db()
    assert endpoint.enabled  # failing for seconds, not days
    assert_every_pair_once_and_finished()


def test_an_endpoint_failing_for_more_than_5_days_is_disabled_and_its_pending_deliveries_cancelled(org, make_receiver):
    receiver = make_receiver(default=Answer(status=500))
    endpoint = endpoint_for(org, receiver, ["monitor.down", "monitor.up"])
    [earlier_event] = publish([monitor_up(org)])
    wait_attempts(Delivery.objects.get(event=earlier_event).id, 1)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is not None
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=5, minutes=1))

    [event] = publish([monitor_down(org)])

    latest = Delivery.objects.get(event=event)
    [attempt] = wait_attempts(latest.id, 1)
    assert attempt.status_code == 500
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, WebhookEndpoint.DisabledReason.FAILING)
    for delivery in Delivery.objects.filter(endpoint=endpoint):
        assert (delivery.status, delivery.next_attempt_at) == (CANCELLED, None)
        assert delivery.finished_at is not None
    assert Delivery.objects.filter(endpoint=endpoint).count() == 2
    assert retry_due() == 0
    assert len(receiver.requests) == 2
    assert_every_pair_once_and_finished()


def test_failing_since_is_kept_by_failures_within_5_days_and_cleared_by_a_success(org, make_receiver):
    receiver = make_receiver(Answer(status=500), default=Answer())
    endpoint = endpoint_for(org, receiver)
    since = timezone.now() - timedelta(days=4, hours=23)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=since)

    publish([monitor_down(org)])

    delivery = Delivery.objects.get()
    wait_attempts(delivery.id, 1)
    endpoint.refresh_from_db()
    # Still the start of the run, not this failure; not yet 5 days.
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since) == (True, "", since)
    delivery.refresh_from_db()
    assert delivery.status == PENDING

    # Days later the receiver is back: a success ends the run, whatever its length.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=6))
    retry_due(delivery.id)
    wait_attempts(delivery.id, 2)
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.failing_since) == (True, None)
    delivery.refresh_from_db()
    assert delivery.status == DELIVERED


def test_a_response_body_with_nul_bytes_is_logged_and_the_delivery_recorded(org, make_receiver):
    receiver = make_receiver(default=Answer(status=200, body=b"ok\x00\xff\xfe end"))
    endpoint_for(org, receiver)

    publish([monitor_down(org)])

    delivery = Delivery.objects.get()
    [attempt] = wait_attempts(delivery.id, 1)
    assert attempt.status_code == 200
    assert attempt.response_head.startswith("ok")
    delivery.refresh_from_db()
    assert delivery.status == DELIVERED
    assert len(receiver.requests) == 1


# --- the per-endpoint cap ---


def test_a_slow_endpoint_has_at_most_its_cap_in_flight_and_holds_back_no_one_else(org, make_receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 2
    settings.WEBHOOK_TIMEOUT = 10
    release = threading.Event()
    slow_receiver = make_receiver(default=Answer(hold=release))  # answers once released
    fast_receiver = make_receiver()
    slow = endpoint_for(org, slow_receiver)
    fast = endpoint_for(org, fast_receiver)
    fast_delivered = Delivery.objects.filter(endpoint=fast, status=DELIVERED)

    for n in range(1, 5):
        publish([monitor_down(org, name=f"Monitor {n}")])
        # The other endpoint has every event at once.
        fast_receiver.wait_for_requests(n, timeout=1)
        wait_until(lambda count=n: fast_delivered.count() == count, 1, f"{n} fast deliveries")
        leased = Delivery.objects.filter(endpoint=slow, status=PENDING, lease_until__gt=timezone.now())
        assert leased.count() == min(n, 2)

    slow_receiver.wait_for_requests(2, timeout=1)
    time.sleep(0.1)
    assert len(slow_receiver.requests) == 2
    # The other two wait, unleased, for the sweeper, which sends none while two are in flight.
    assert Delivery.objects.filter(endpoint=slow, status=PENDING, lease_until__isnull=True).count() == 2
    sweep_deliveries()
    time.sleep(0.1)
    assert len(slow_receiver.requests) == 2

    release.set()
    # As the first two are answered, the endpoint's backlog goes on without the sweeper.
    wait_until(lambda: Delivery.objects.filter(endpoint=slow, status=DELIVERED).count() == 4, 5, "all four")
    assert slow_receiver.max_in_flight == 2
    assert len(slow_receiver.requests) == 4
    assert_every_pair_once_and_finished()


def test_a_burst_for_one_endpoint_is_sent_at_most_cap_at_a_time(org, make_receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 2
    settings.WEBHOOK_TIMEOUT = 5
    # Answers well after the task's first wait (0.5 s in tests): both sends are still out,
    # leased, when publish returns (at 0.5 s they raced the task's deadline).
    receiver = make_receiver(default=Answer(delay=1.5))
    endpoint = endpoint_for(org, receiver)

    publish([monitor_down(org, name=f"Monitor {n}") for n in range(5)])

    assert Delivery.objects.filter(endpoint=endpoint).count() == 5
    assert Delivery.objects.filter(endpoint=endpoint).exclude(lease_token="").count() == 2
    receiver.wait_for_requests(2, timeout=1)
    deadline = time.monotonic() + 10
    while Delivery.objects.filter(status=PENDING).exists():  # beat's sweeps, until all are sent
        assert time.monotonic() < deadline, "the burst was not sent in 10 s"
        leased = Delivery.objects.filter(status=PENDING, lease_until__gt=timezone.now()).count()
        assert leased <= 2
        sweep_deliveries()
        time.sleep(0.1)
    assert receiver.max_in_flight == 2
    assert len(receiver.requests) == 5
    assert_every_pair_once_and_finished()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time")
def test_concurrent_publishers_do_not_exceed_the_cap_together(org, make_receiver, settings):
    settings.WEBHOOK_ENDPOINT_CONCURRENCY = 1
    settings.WEBHOOK_TIMEOUT = 10
    release = threading.Event()
    receiver = make_receiver(default=Answer(hold=release))
    endpoint = endpoint_for(org, receiver)
    first_published, second_started = threading.Event(), threading.Event()

    def publish_and_commit(n: int) -> None:
        try:
            with transaction.atomic():
                if n == 1:
                    first_published.wait(5)
                    second_started.set()
                publish([monitor_down(org, name=f"Monitor {n}")])  # the second waits here for the first's commit
                if n == 0:
                    first_published.set()
                    second_started.wait(5)
                    time.sleep(0.3)  # the second is now counting the endpoint's room
        finally:
            connection.close()

    threads = [threading.Thread(target=publish_and_commit, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    receiver.wait_for_requests(1)
    time.sleep(0.3)
    try:
        leased = Delivery.objects.filter(endpoint=endpoint, status=PENDING, lease_until__gt=timezone.now()).count()
        assert (leased, receiver.max_in_flight) == (1, 1)
    finally:
        release.set()
        retry_due()
        wait_until(lambda: Delivery.objects.filter(status=DELIVERED).count() == 2, 5, "both delivered")


# --- the sweeper and leases ---


def test_the_sweeper_sends_a_delivery_whose_lease_ran_out(org, make_receiver, monkeypatch):
    receiver = make_receiver()
    endpoint_for(org, receiver)
    with monkeypatch.context() as patch:
        patch.setattr(send_deliveries, "delay", lambda *args, **kwargs: None)  # the broker loses the message
        publish([monitor_down(org)])
    delivery = Delivery.objects.get()
    assert delivery.status == PENDING and delivery.lease_token
    assert delivery.lease_until > timezone.now()
    assert receiver.requests == []

    # Leased to a task that may still come: not the sweeper's.
    assert sweep_deliveries() == 0
    assert receiver.requests == []

    # Its lease runs out, as a lost message or a killed worker leaves it.
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert sweep_deliveries() == 1

    settle()
    [request] = receiver.requests
    assert request.body == Event.objects.get().body.encode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_token) == (DELIVERED, 1, "")
    assert sweep_deliveries() == 0
    assert len(receiver.requests) == 1
    assert_every_pair_once_and_finished()


def test_only_the_holder_of_the_current_lease_sends(org, make_receiver, monkeypatch):
    receiver = make_receiver()
    endpoint_for(org, receiver)
    with monkeypatch.context() as patch:
        patch.setattr(send_deliveries, "delay", lambda *args, **kwargs: None)
        publish([monitor_down(org)])
        delivery = Delivery.objects.get()
        stale_token = delivery.lease_token
        Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
        # Its lease ran out: the message, if it comes now, is too late; the sweeper's turn.
        assert send_deliveries(stale_token, [delivery.id]) == 0
        assert sweep_deliveries() == 1  # leased again, and that message is lost too
    delivery.refresh_from_db()
    current_token = delivery.lease_token
    assert current_token and current_token != stale_token

    # The first message turns up late: its token is stale, it sends nothing.
    assert send_deliveries(stale_token, [delivery.id]) == 0
    assert send_deliveries("", [delivery.id]) == 0
    assert send_deliveries(current_token, ["dlv_doesnotexist"]) == 0
    time.sleep(0.1)
    assert receiver.requests == []
    assert not DeliveryAttempt.objects.exists()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.lease_token) == (PENDING, current_token)

    send_deliveries(current_token, [delivery.id])
    settle()
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DELIVERED, 1)

    # Done: the same message once more sends nothing.
    assert send_deliveries(current_token, [delivery.id]) == 0
    time.sleep(0.1)
    assert len(receiver.requests) == 1


def test_a_delivery_in_flight_is_not_sent_again_by_the_sweeper(org, make_receiver, settings):
    settings.WEBHOOK_TIMEOUT = 10
    release = threading.Event()
    receiver = make_receiver(default=Answer(hold=release))
    endpoint_for(org, receiver)

    publish([monitor_down(org)])

    receiver.wait_for_requests(1)
    delivery = Delivery.objects.get()
    assert delivery.status == PENDING
    assert delivery.lease_until > timezone.now() + timedelta(seconds=10)  # held for the whole send
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert sweep_deliveries() == 0
    time.sleep(0.1)
    assert len(receiver.requests) == 1

    release.set()
    wait_attempts(delivery.id, 1)
    delivery.refresh_from_db()
    assert delivery.status == DELIVERED
    assert sweep_deliveries() == 0
    assert len(receiver.requests) == 1
    assert_every_pair_once_and_finished()


def test_a_late_outcome_does_not_overrule_the_send_that_took_over(org, make_receiver, settings):
    settings.WEBHOOK_TIMEOUT = 10
    release_first, release_second = threading.Event(), threading.Event()
    receiver = make_receiver(Answer(status=500, hold=release_first), Answer(status=200, hold=release_second))
    endpoint_for(org, receiver)
    publish([monitor_down(org)])
    receiver.wait_for_requests(1)
    delivery = Delivery.objects.get()
    # The first send outlives its lease (a stalled worker): the sweeper sends again.
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert sweep_deliveries() == 1
    receiver.wait_for_requests(2)
    delivery.refresh_from_db()
    second_lease = delivery.lease_token

    release_first.set()  # the stale send fails, late

    wait_attempts(delivery.id, 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.lease_token) == (PENDING, second_lease)
    assert delivery.lease_until > timezone.now()
    assert sweep_deliveries() == 0  # still the second send's

    release_second.set()

    attempts = wait_attempts(delivery.id, 2)
    assert [a.status_code for a in attempts] == [500, 200]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.lease_token) == (DELIVERED, "")
    assert len(receiver.requests) == 2
    assert_every_pair_once_and_finished()


# --- the address guard ---


def test_a_private_address_is_not_sent_to_unless_private_targets_are_allowed(org, make_receiver, settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = False
    receivers = {host: make_receiver() for host in ("127.0.0.1", "localhost")}
    for host, receiver in receivers.items():
        endpoint_for(org, receiver.url.replace("127.0.0.1", host))

    publish([monitor_down(org)])

    settle()
    for attempt in DeliveryAttempt.objects.all():
        assert attempt.status_code is None
        assert attempt.error.startswith("address not allowed") and "loopback" in attempt.error
    assert DeliveryAttempt.objects.count() == 2
    # A request that got through would have arrived before its attempt was recorded.
    for receiver in receivers.values():
        assert receiver.requests == []
    assert set(Delivery.objects.values_list("status", "attempts")) == {(PENDING, 1)}

    # The guard, not the receiver, stopped them: allowed, the same deliveries get through.
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    assert retry_due() == 2
    settle()
    for receiver in receivers.values():
        assert len(receiver.requests) == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {DELIVERED}


def test_cloud_metadata_is_refused_even_when_private_targets_are_allowed(org, settings):
    settings.WEBHOOK_TIMEOUT = 1
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://169.254.170.2/v2/",
    ):
        endpoint_for(org, url)

    publish([monitor_down(org)])

    settle(timeout=3)
    attempts = list(DeliveryAttempt.objects.select_related("delivery__endpoint"))
    assert len(attempts) == 3
    for attempt in attempts:
        url = attempt.delivery.endpoint.url
        assert attempt.status_code is None, url
        assert attempt.error.startswith("address not allowed") and "metadata" in attempt.error, (url, attempt.error)
        assert attempt.duration_ms < 500, url  # refused before connecting, not timed out
        assert attempt.delivery.status == PENDING


# --- disabling ---


def test_disabling_an_endpoint_cancels_its_pending_deliveries_and_no_one_elses(org, make_receiver):
    receiver = make_receiver(Answer(status=500))
    other_receiver = make_receiver(Answer(status=500))
    endpoint = endpoint_for(org, receiver)
    other = endpoint_for(org, other_receiver)
    publish([monitor_down(org)])
    settle()
    assert set(Delivery.objects.values_list("status", flat=True)) == {PENDING}
    assert DeliveryAttempt.objects.count() == 2

    webhook_endpoint_update(endpoint=endpoint, enabled=False)

    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.failing_since) == (False, "user", None)
    mine = Delivery.objects.get(endpoint=endpoint)
    assert (mine.status, mine.next_attempt_at) == (CANCELLED, None)
    assert mine.finished_at is not None
    assert Delivery.objects.get(endpoint=other).status == PENDING

    assert retry_due() == 1
    settle()
    assert len(receiver.requests) == 1
    assert len(other_receiver.requests) == 2
    assert Delivery.objects.get(endpoint=other).status == DELIVERED
    assert_every_pair_once_and_finished()


def test_a_pending_delivery_of_an_endpoint_disabled_elsewhere_does_not_stay_pending_forever(org, make_receiver):
    """The Django admin's change form has `enabled` and saves the model directly, not
    through webhook_endpoint_update: the endpoint's pending deliveries must still end."""
    receiver = make_receiver(Answer(status=500))
    endpoint = endpoint_for(org, receiver)
    publish([monitor_down(org)])
    delivery = Delivery.objects.get()
    wait_attempts(delivery.id, 1)

    endpoint.enabled = False
    endpoint.save()  # what ModelAdmin.save_model does
    retry_due()
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    retry_due()
    time.sleep(0.3)

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == CANCELLED


# --- redelivery ---


def test_a_failed_delivery_can_be_redelivered_with_the_same_bytes_and_id(org, make_receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = (5,)
    receiver = make_receiver(Answer(status=500), Answer(status=500), default=Answer())
    endpoint_for(org, receiver)
    publish([monitor_down(org)])
    delivery = Delivery.objects.get()
    wait_attempts(delivery.id, 1)
    retry_due(delivery.id)
    wait_attempts(delivery.id, 2)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (FAILED, 2)

    delivery_redeliver(delivery=delivery)

    attempts = wait_attempts(delivery.id, 3)
    assert [a.status_code for a in attempts] == [500, 500, 200]
    delivery.refresh_from_db()
    assert delivery.status == DELIVERED
    assert len({request.body for request in receiver.requests}) == 1
    assert {header(request, "webhook-id") for request in receiver.requests} == {delivery.event_id}
    assert_every_pair_once_and_finished()

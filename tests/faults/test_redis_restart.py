"""Redis stopped, and started again empty (it keeps nothing: a restart is a flush), while
webhook deliveries are pending: the queued broker messages, the rate-limit counters and the
organizations' generations are all gone.

PostgreSQL, not the broker, decides what is still to send (webhooks/dispatch.py), so every
event still reaches the receiver; the rate limiter fails open while Redis is unreachable
(accounts/ratelimit.py) and counts again once it is back; checks resume without restarting
the worker or beat; a key revoked while Redis was down stays refused after it is back.
"""

import json
import secrets
import string
import threading
import time
from datetime import UTC, datetime

import pytest
import requests
from django.db.models import Min

from accounts.plans import Plan
from apikeys.services import api_key_create
from incidents.models import Incident
from monitors.models import CheckResult, Monitor, StatusChange
from webhooks.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint

from ..factories import OrganizationFactory, WebhookEndpointFactory
from ..http_target import Target
from ..live_server import gunicorn_server
from ..webhook_receiver import Answer, Receiver
from .conftest import reconnect, say, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

MONITORS = 12
LIMIT = 30  # the organization's requests an hour: small enough to reach in the test
HELD = 8  # requests the receiver holds at the fault: the endpoint's whole in-flight cap
REFUSED = 4  # the next ones it answers 503: retried 5 s later, by the sweeper
OUTAGE_SECONDS = 6
WRITES = 3  # incidents created while Redis is down: their deliveries' broker messages are lost
LEASE = 10  # STATUSAPP_WEBHOOK_DISPATCH_LEASE (60 s by default): a lost message's lease runs out within the test
WRITTEN_WHILE_DOWN = "Written while Redis is down"
EXPECTED_WHILE_DOWN = {"read": 200, "write": 201, "unknown key": 401, "revoke": 204, "revoked key": 401}


@pytest.fixture
def app_env(app_env) -> dict[str, str]:
    return {**app_env, "STATUSAPP_WEBHOOK_DISPATCH_LEASE": str(LEASE)}


def unknown_key() -> str:
    """A well-formed API key that no organization has."""
    alphabet = string.ascii_letters + string.digits
    key_id = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(12))
    return f"sk_live_{key_id}_{''.join(secrets.choice(alphabet) for _ in range(43))}"


class Api:
    """The test's API client; keeps every answer as (phase, request kind, status, X-RateLimit-* headers)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.answers: list[tuple[str, str, int, dict[str, str]]] = []
        self.phase = "before"

    def call(self, kind: str, method: str, path: str, key: str, body: dict | None = None) -> requests.Response:
        response = self.session.request(
            method, f"{self.base_url}{path}", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=15
        )
        limits = {name: value for name, value in response.headers.items() if name.startswith("X-RateLimit-")}
        self.answers.append((self.phase, kind, response.status_code, limits))
        return response

    def read(self, key: str) -> requests.Response:
        return self.call("read", "GET", "/api/monitors?limit=5", key)

    def in_phase(self, phase: str) -> list[tuple[str, int, dict[str, str]]]:
        return [(kind, status, limits) for at, kind, status, limits in self.answers if at == phase]


def settled(endpoint: WebhookEndpoint) -> bool:
    """Nothing in transit: every transition handled and every delivery delivered."""
    return (
        not StatusChange.objects.filter(processed_at__isnull=True).exists()
        and not Delivery.objects.filter(endpoint=endpoint).exclude(status="delivered").exists()
    )


def header(received, name: str) -> str | None:
    return next((value for key, value in received.headers.items() if key.lower() == name), None)


def test_redis_restart_loses_no_delivery_fails_open_and_resumes_checks(services, app_env, celery, integrity_clean):
    _, redis_server = services
    target = Target()
    receiver = Receiver()
    org = OrganizationFactory(plan=Plan.ENTERPRISE, custom_requests_per_hour=LIMIT)
    _, raw_admin = api_key_create(organization=org, name="admin", permission="admin")
    doomed, raw_doomed = api_key_create(organization=org, name="revoked while Redis is down", permission="read")
    endpoint = WebhookEndpointFactory(organization=org, url=receiver.url)  # every event type
    celery.check_until_up(org, target.url, MONITORS)
    # A cold worker's first check may time out: let what that flap sent settle first.
    wait_for(lambda: settled(endpoint), 60, "the deliveries of the start to settle")

    with gunicorn_server(workers=2, env=app_env) as base_url:
        api = Api(base_url)
        for _ in range(4):  # both keys checked, and kept by the processes that served them
            assert api.read(raw_admin).status_code == 200
            assert api.read(raw_doomed).status_code == 200
        before = api.in_phase("before")
        assert all(limits.get("X-RateLimit-Limit") == str(LIMIT) for _, _, limits in before), before
        remaining = int(before[-1][2]["X-RateLimit-Remaining"])

        # Deliveries pending at the fault: the monitors go DOWN and the receiver holds the
        # first HELD requests (the endpoint's cap), so the others wait in PostgreSQL.
        hold = threading.Event()
        with receiver.lock:
            already = len(receiver.requests)
            receiver.answers[:] = [*[Answer(hold=hold)] * HELD, *[Answer(status=503)] * REFUSED]
        failing_since = datetime.now(UTC)
        target.status = 500

        def down_and_published() -> bool:
            return (
                Monitor.objects.filter(status="DOWN").count() == MONITORS
                and not StatusChange.objects.filter(processed_at__isnull=True).exists()
                and Event.objects.filter(type="monitor.down", created_at__gt=failing_since).count() >= MONITORS
                and len(receiver.requests) >= already + HELD
            )

        try:
            wait_for(down_and_published, 60, "every monitor DOWN, its event written and the receiver holding")
        except pytest.fail.Exception:
            state = {
                "down": Monitor.objects.filter(status="DOWN").count(),
                "unprocessed": StatusChange.objects.filter(processed_at__isnull=True).count(),
                "down events": Event.objects.filter(type="monitor.down", created_at__gt=failing_since).count(),
                "received": len(receiver.requests) - already,
            }
            pytest.fail(f"monitors not all DOWN and published within 60 s: {state} (of {MONITORS}, {HELD} held)")
        at_fault = Delivery.objects.filter(endpoint=endpoint, status="pending").count()
        held = receiver.in_flight

        redis_server.stop()
        down_at, down_since = time.monotonic(), time.time()
        api.phase = "during"
        say(
            "injected",
            f"Redis stopped (broker, rate-limit counters, generations) with {at_fault} deliveries pending: "
            f"{held} held at the receiver, the rest behind the endpoint's cap; {MONITORS} monitors DOWN",
        )
        hold.set()  # the held answers come back while the broker is gone
        reads = remaining + 5  # more than the hour had left: only a limiter that fails open lets them all through
        for _ in range(reads):
            api.read(raw_admin)
        created = []
        for n in range(WRITES):
            body = {"title": f"{WRITTEN_WHILE_DOWN} {n}", "status": "INVESTIGATING", "impact": "low"}
            response = api.call("write", "POST", "/api/incidents", raw_admin, body)
            if response.status_code == 201:
                created.append(response.json()["id"])
        api.call("unknown key", "GET", "/api/monitors", unknown_key())
        api.call("revoke", "DELETE", f"/api/api-keys/{doomed.id}", raw_admin)
        api.call("revoked key", "GET", "/api/monitors", raw_doomed)
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_at)))
        # Leased when written, their task message never reached the broker: the lease must run out.
        written = Delivery.objects.filter(
            endpoint=endpoint, event__type="incident.created", event__body__contains=WRITTEN_WHILE_DOWN
        )
        orphaned = dict(
            written.filter(status="pending", attempts=0, lease_until__gt=datetime.now(UTC)).values_list(
                "id", "lease_until"
            )
        )
        say(
            "injected",
            f"while down ({time.monotonic() - down_at:.1f} s): {reads} reads with {remaining} left in the hour, "
            f"{WRITES} incidents created, an unknown key, the read key revoked then used",
        )
        redis_server.start()
        back, back_since = datetime.now(UTC), time.time()
        api.phase = "after"
        target.status = 200
        say("injected", "Redis started again, empty (no persistence); target healthy again; nothing else restarted")

        # The API while Redis was down: every request answered, in the documented direction.
        during = api.in_phase("during")
        wrong = [(kind, status) for kind, status, _ in during if status != EXPECTED_WHILE_DOWN[kind]]
        assert not wrong, f"answers while Redis was down that are not as documented (request, status): {wrong}"
        assert all(not limits for _, _, limits in during), "X-RateLimit headers while the limiter was unreachable"
        say("verified", f"while down: all {reads} reads 200 without X-RateLimit headers (fail open), no 5xx")
        say("verified", f"while down: {len(created)} incidents 201, unknown key 401, key revoked 204 then 401")
        with receiver.lock:
            sent_while_down = sum(1 for received in receiver.requests if down_since < received.at < back_since)
        say("measured", f"{sent_while_down} webhook requests sent while Redis was down (no broker involved)")

        # The limiter counts again, from an empty counter, and refuses past the limit.
        wait_for(lambda: "X-RateLimit-Remaining" in api.read(raw_admin).headers, 30, "X-RateLimit headers again")
        uncounted = sum(1 for _, _, limits in api.in_phase("after") if not limits)
        first = next(limits for _, _, limits in api.in_phase("after") if limits)
        assert first["X-RateLimit-Remaining"] == str(LIMIT - 1), f"the counter did not restart empty: {first}"
        for _ in range(LIMIT + 5):
            if (refused := api.read(raw_admin)).status_code != 200:
                break
        assert refused.status_code == 429, f"no 429 past {LIMIT} requests: {refused.status_code}"
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) > 0
        allowed = sum(1 for _, status, limits in api.in_phase("after") if limits and status == 200)
        assert allowed == LIMIT, f"{allowed} requests allowed in a window of {LIMIT}"
        say("verified", f"rate limiter counting again ({uncounted} requests uncounted after the restart)")
        say("verified", f"its counter restarted empty: {LIMIT} requests allowed, then 429 rate_limited, Retry-After")
        assert api.call("revoked key", "GET", "/api/monitors", raw_doomed).status_code == 401
        say("verified", "the key revoked while Redis was down is still refused after the restart")

    reconnect()
    stored = set(Incident.objects.filter(organization=org).values_list("id", flat=True))
    assert set(created) <= stored, f"incidents answered 201 but not stored: {sorted(set(created) - stored)}"

    # Checks resume for every monitor, and every monitor comes back UP. Beat reconnects by
    # itself. A worker sometimes exits instead: kombu 5.7 closes its Redis channel after the
    # connection is gone and raises AttributeError ('NoneType' object has no attribute
    # 'hostname', as in kombu issues #582 and #970). Production runs workers under a
    # supervisor (README, "Running in production"); this test restarts it as one would.
    restarted = []

    def checks_resumed() -> bool:
        exited = {name: process.returncode for name, process in celery.processes.items() if process.poll() is not None}
        if "beat" in exited:
            pytest.fail(f"beat exited after losing Redis (exit code {exited['beat']}); its log is below")
        if "worker" in exited:
            restarted.append(exited["worker"])
            celery.processes.pop("worker")
            celery.worker()
        return CheckResult.objects.filter(started_at__gt=back).values("monitor").distinct().count() == MONITORS

    wait_for(checks_resumed, 60, "checks of every monitor after the restart (worker and beat reconnecting)")
    firsts = CheckResult.objects.filter(started_at__gt=back).values("monitor").annotate(first=Min("started_at"))
    resumed = max(row["first"] for row in firsts) - back
    wait_for(lambda: Monitor.objects.filter(status="UP").count() == MONITORS, 60, "every monitor to come back UP")
    say("measured", f"every monitor checked again within {resumed.total_seconds():.1f} s of Redis being back")
    say("verified", f"all {MONITORS} monitors back UP")

    # Every event reaches the receiver: none is lost with the broker's messages.
    def recovered() -> bool:
        ups = Event.objects.filter(organization=org, type="monitor.up", created_at__gt=back).count()
        return ups >= MONITORS and settled(endpoint)

    try:
        wait_for(recovered, 90, "every monitor.up written and every delivery delivered")
    except pytest.fail.Exception:
        stuck = list(Delivery.objects.filter(endpoint=endpoint).exclude(status="delivered").values()[:5])
        pytest.fail(f"deliveries not delivered 90 s after Redis was back: {stuck}")
    events = dict(Event.objects.filter(organization=org).values_list("id", "type"))
    deliveries = dict(Delivery.objects.filter(endpoint=endpoint).values_list("event_id", "status"))
    assert set(deliveries) == set(events), f"events without a delivery: {sorted(set(events) - set(deliveries))}"
    assert set(deliveries.values()) == {"delivered"}
    with receiver.lock:
        received = list(receiver.requests)
    got = {header(request, "webhook-id") for request in received}
    assert all(json.loads(request.body)["id"] == header(request, "webhook-id") for request in received)
    assert not set(events) - got, f"events the receiver never got: {sorted(set(events) - got)}"
    assert len(created) == written.count() == WRITES
    types = ", ".join(f"{list(events.values()).count(kind)} {kind}" for kind in sorted(set(events.values())))
    say("verified", f"all {len(events)} events delivered ({types}); the receiver got every event id")
    say("measured", f"{len(received)} webhook requests for {len(events)} events (at least once: 503s retried)")

    # The deliveries whose message was lost went out only once their lease had run out: the sweeper sent them.
    assert orphaned, "no delivery was leased with a lost message: the fault did not test the sweeper"
    first_attempts = dict(
        DeliveryAttempt.objects.filter(delivery_id__in=orphaned)
        .values("delivery_id")
        .annotate(first=Min("attempted_at"))
        .values_list("delivery_id", "first")
    )
    early = [delivery for delivery, until in orphaned.items() if first_attempts[delivery] < until]
    assert not early, f"sent before their lease ran out, so not by the sweeper: {early}"
    say("verified", f"{len(orphaned)} deliveries leased with a lost message were sent by the sweeper after {LEASE} s")

    assert all(process.poll() is None for process in celery.processes.values()), "a celery process died"
    assert len(restarted) <= 1, f"the worker exited again after its restart: {restarted}"
    if restarted:
        say(
            "measured",
            f"the worker exited (code {restarted[0]}, kombu's closing bug) and was restarted; beat reconnected",
        )
    else:
        say("verified", "worker and beat reconnected by themselves, never restarted")
    receiver.close()
    target.close()
    integrity_clean()

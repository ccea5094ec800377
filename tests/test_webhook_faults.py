"""Webhook deliveries under faults, with a real Celery worker and beat against Redis.

Deliveries published in this process go through the product's own path (publish ->
lease -> on commit -> `send_deliveries` message) except that the message is put on the
real broker by a small producer app instead of being run eagerly here (the test
settings make every task eager). Everything else happens in the worker: the claim, the
send from its event loop, the recording, and the sweeper that beat runs every second.

The receiver is tests/webhook_receiver.py's real HTTP server on 127.0.0.1.
"""

import contextlib
import hashlib
import hmac
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import redis
from celery import Celery
from standardwebhooks import Webhook

import webhooks.tasks
from incidents.models import Incident, IncidentStatus
from monitors.models import Monitor
from webhooks.models import Delivery, DeliveryAttempt, Event, EventType, WebhookEndpoint
from webhooks.publishing import publish

from .factories import MonitorFactory, OrganizationFactory, WebhookEndpointFactory
from .http_target import Target
from .live_server import server_env, venv_bin
from .webhook_receiver import Answer, Received, Receiver

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BROKER_DB = 13  # a Redis database of its own (test_worker_integration takes 14), emptied per test
QUEUE = "celery"  # Celery's default queue: a Redis list of that name


def wait_for(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


# The seed's function, from /work/shared/seed/api-reference-guide.md (reflowed by ruff).
def verify_signature(payload, signature, secret):
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected)


def header(request: Received, name: str) -> str | None:
    return {key.lower(): value for key, value in request.headers.items()}.get(name.lower())


def requests_of(receiver: Receiver) -> list[Received]:
    with receiver.lock:
        return list(receiver.requests)


def group_members(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            members.append(int(entry.name))
    return members


class Cluster:
    """Celery workers and a beat, each in a process group of its own so a worker can be
    SIGKILLed whole (its main process and its prefork children)."""

    def __init__(self, broker: str, log_dir: Path) -> None:
        self.broker = broker
        self.log_dir = log_dir
        self.processes: list[tuple[str, subprocess.Popen, object]] = []
        self.messages: BrokerTask | None = None  # how this process enqueues send_deliveries

    def env(self, **overrides: str) -> dict[str, str]:
        return server_env(
            CELERY_BROKER_URL=self.broker,
            CELERY_TASK_ALWAYS_EAGER=None,
            STATUSAPP_ALLOW_PRIVATE_TARGETS="1",  # the receiver and the target are on 127.0.0.1
            STATUSAPP_VAR_DIR=str(self.log_dir),
            **overrides,
        )

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}-{len(self.processes)}.log", "w+")  # noqa: SIM115 - closed in stop_all
        process = subprocess.Popen(
            [venv_bin("celery"), "-A", "statusapp", *args, "--loglevel", "INFO"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches the pool's children
        )
        self.processes.append((name, process, log))
        return process

    def worker(self, **env: str) -> subprocess.Popen:
        # Without mingle and gossip: a second or so less to start, and no chatter between
        # a killed worker and its successor.
        args = ["worker", "--pool", "prefork", "--concurrency", "2", "--without-mingle", "--without-gossip"]
        return self._start("worker", args, self.env(**env))

    def beat(self) -> subprocess.Popen:
        return self._start("beat", ["beat", "--schedule", str(self.log_dir / "beat-schedule")], self.env())

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL a process and every process of its group, at once."""
        with contextlib.suppress(ProcessLookupError):  # already gone, children and all
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        # The test is over: no need for a warm shutdown (seconds per worker). SIGKILL
        # takes the whole group, pool children included, whatever state it is in.
        for _, process, _ in self.processes:
            self.kill(process)
        for name, process, log in self.processes:
            log.seek(0)
            print(f"--- celery {name} (pid {process.pid}) ---\n{log.read()[-6000:]}")  # shown when a test fails
            log.close()


class BrokerTask:
    """Stands in for `send_deliveries` in this process: `.delay` puts the real message on
    the real broker (instead of running the task eagerly, as the test settings would),
    `copies` times (0: the message is lost; 2: it is repeated)."""

    def __init__(self, producer: Celery, copies: int = 1) -> None:
        self.producer = producer
        self.copies = copies

    def delay(self, *args) -> None:
        for _ in range(self.copies):
            self.producer.send_task("webhooks.tasks.send_deliveries", args=args)


@pytest.fixture
def broker_url(redis_url) -> str:
    return redis_url.rsplit("/", 1)[0] + f"/{BROKER_DB}"


@pytest.fixture
def broker(broker_url) -> redis.Redis:
    client = redis.Redis.from_url(broker_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def cluster(broker, broker_url, transactional_db, tmp_path, monkeypatch):
    """Nothing runs until a test starts it; everything started is stopped, even on failure
    (before the test database is flushed: this fixture depends on transactional_db)."""
    producer = Celery("webhook-fault-tests", broker=broker_url, set_as_current=False)
    cluster = Cluster(broker_url, tmp_path)
    cluster.messages = BrokerTask(producer)
    monkeypatch.setattr(webhooks.tasks, "send_deliveries", cluster.messages)
    try:
        yield cluster
    finally:
        cluster.stop_all()
        producer.close()


@pytest.fixture
def receivers():
    """Receiver(...) factory; every receiver made is closed at the end."""
    made: list[Receiver] = []

    def make(*answers: Answer, default: Answer | None = None) -> Receiver:
        made.append(Receiver(*answers, default=default))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def endpoint_at(receiver: Receiver, organization=None, events=None) -> WebhookEndpoint:
    return WebhookEndpointFactory(
        organization=organization or OrganizationFactory(),
        url=receiver.url,
        **({"events": events} if events is not None else {}),
    )


def publish_one(endpoint: WebhookEndpoint) -> tuple[Event, Delivery]:
    (event,) = publish([(endpoint.organization_id, EventType.MONITOR_DOWN, {"monitor": {"id": "mon_fault"}})])
    return event, Delivery.objects.get(event=event, endpoint=endpoint)


def delivery_status(delivery: Delivery) -> str:
    return Delivery.objects.values_list("status", flat=True).get(pk=delivery.pk)


def attempt_log(delivery: Delivery) -> list[tuple[int | None, str]]:
    return list(
        DeliveryAttempt.objects.filter(delivery=delivery).order_by("attempted_at").values_list("status_code", "error")
    )


def assert_signed(request: Received, secret: str) -> None:
    """Both signatures: the API guide's, and Standard Webhooks' (the PyPI package)."""
    assert verify_signature(request.body.decode(), header(request, "X-StatusApp-Signature"), secret)
    Webhook(secret).verify(request.body, request.headers)


def assert_sent_as(request: Received, event: Event, delivery: Delivery, secret: str) -> None:
    """The stored body, byte for byte, with the event's id and valid signatures."""
    assert request.body == event.body.encode()
    assert header(request, "webhook-id") == event.id
    assert header(request, "X-StatusApp-Delivery") == delivery.id
    assert_signed(request, secret)


def test_a_500_is_retried_by_the_sweeper_and_delivered_once(cluster, receivers):
    receiver = receivers(Answer(status=500, body=b"boom"), default=Answer(status=200))
    endpoint = endpoint_at(receiver)
    cluster.worker()
    cluster.beat()

    event, delivery = publish_one(endpoint)
    wait_for(lambda: delivery_status(delivery) == "delivered", 25, "the retry (5 s after the 500) to deliver")
    time.sleep(1.5)  # a sweep or two: nothing more may be sent

    first, second = requests_of(receiver)
    for request in (first, second):
        assert_sent_as(request, event, delivery, endpoint.secret)
    assert second.at - first.at >= 4.9, "the first retry waits 5 s (WEBHOOK_RETRY_SCHEDULE[0])"
    assert attempt_log(delivery) == [(500, "HTTP 500"), (200, "")]
    assert DeliveryAttempt.objects.filter(delivery=delivery).order_by("attempted_at")[0].response_head == "boom"
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.lease_token, delivery.lease_until) == (2, "", None)
    assert delivery.next_attempt_at is None
    assert delivery.finished_at is not None
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).failing_since is None  # the success ended the failing run


def test_a_hanging_receiver_times_out_and_the_retry_delivers(cluster, receivers):
    receiver = receivers(Answer(delay=4), default=Answer(status=200))
    endpoint = endpoint_at(receiver)
    cluster.worker(STATUSAPP_WEBHOOK_TIMEOUT="1")
    cluster.beat()

    event, delivery = publish_one(endpoint)
    wait_for(lambda: DeliveryAttempt.objects.filter(delivery=delivery).exists(), 15, "the timed-out attempt's log")
    (timed_out,) = DeliveryAttempt.objects.filter(delivery=delivery)
    assert (timed_out.status_code, timed_out.error) == (None, "timed out after 1 s")
    assert 900 <= timed_out.duration_ms < 3000
    assert delivery_status(delivery) == "pending"

    wait_for(lambda: delivery_status(delivery) == "delivered", 15, "the retry to deliver")
    time.sleep(1.5)
    requests = requests_of(receiver)
    assert len(requests) == 2
    for request in requests:
        assert_sent_as(request, event, delivery, endpoint.secret)
    assert attempt_log(delivery) == [(None, "timed out after 1 s"), (200, "")]
    assert Delivery.objects.get(pk=delivery.pk).attempts == 2


def test_a_worker_killed_mid_delivery_loses_nothing(cluster, receivers):
    # The first request is held far longer than the worker's timeout: the worker is
    # killed while it waits for the answer.
    receiver = receivers(Answer(delay=10), default=Answer(status=200))
    endpoint = endpoint_at(receiver)
    env = {"STATUSAPP_WEBHOOK_TIMEOUT": "2"}  # the claim's lease: 2 + 15 s
    worker = cluster.worker(**env)
    cluster.beat()

    event, delivery = publish_one(endpoint)
    wait_for(lambda: len(requests_of(receiver)) >= 1, 20, "the receiver to see the request", interval=0.01)
    assert len(group_members(worker.pid)) >= 3, "the worker's main process and its two pool children"
    cluster.kill(worker)
    killed_at = time.time()
    wait_for(lambda: not group_members(worker.pid), 5, "every process of the killed worker to be gone")

    # Killed before any outcome: nothing logged, the delivery still leased by the dead claim.
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.lease_token
    assert delivery.attempts == 0
    assert not DeliveryAttempt.objects.filter(delivery=delivery).exists()
    assert delivery.lease_until.timestamp() > killed_at + 10
    lease_until = delivery.lease_until.timestamp()

    cluster.worker(**env)
    wait_for(lambda: delivery_status(delivery) == "delivered", 35, "the sweeper to take it up once the lease ran out")
    time.sleep(1.5)

    first, *again = requests_of(receiver)
    assert_sent_as(first, event, delivery, endpoint.secret)
    # At least once: the interrupted request was seen, and the event came again (answered 200).
    assert len(again) == 1
    assert_sent_as(again[0], event, delivery, endpoint.secret)
    assert again[0].at >= lease_until - 0.5, "not re-sent while the dead worker's claim still held it"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_token) == ("delivered", 1, "")
    # The killed attempt left no log: only the one that delivered is there.
    assert attempt_log(delivery) == [(200, "")]


def test_deliveries_survive_a_flushed_broker(cluster, receivers, broker, settings):
    # The dispatch lease, taken here when publishing, blocks a lost message's deliveries
    # (and their endpoint's concurrency) until it runs out: 60 s by default.
    settings.WEBHOOK_DISPATCH_LEASE = 2
    first, second = receivers(), receivers()
    organization = OrganizationFactory()
    endpoints = [endpoint_at(first, organization), endpoint_at(second, organization)]

    # No worker yet: the send_deliveries messages wait in Redis...
    events = publish([(organization.id, EventType.MONITOR_DOWN, {"monitor": {"id": f"mon_{n}"}}) for n in range(20)])
    assert Delivery.objects.count() == 40
    assert Delivery.objects.exclude(lease_token="").count() == 16, "8 per endpoint (WEBHOOK_ENDPOINT_CONCURRENCY)"
    assert broker.llen(QUEUE) >= 1
    # ...and are lost.
    broker.flushdb()
    assert broker.llen(QUEUE) == 0

    cluster.worker()
    cluster.beat()
    wait_for(lambda: Delivery.objects.filter(status="delivered").count() == 40, 40, "the sweeper to deliver all 40")
    time.sleep(1.5)

    assert not Delivery.objects.exclude(status="delivered").exists()
    for receiver, endpoint in zip((first, second), endpoints, strict=True):
        received = Counter(header(request, "webhook-id") for request in requests_of(receiver))
        # What the design guarantees: every event reaches every endpoint at least once.
        assert set(received) == {event.id for event in events}
        for request in requests_of(receiver):
            assert_signed(request, endpoint.secret)
        # Stronger, and true here: nothing was interrupted and no message repeated, so
        # with one lease holder per delivery nothing may arrive twice.
        assert set(received.values()) == {1}, f"duplicates: {received.most_common(3)}"
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    assert DeliveryAttempt.objects.count() == 40

    # Redis loses everything again, this time under a running worker and beat (a restart
    # without persistence), and the next event's message is lost too: beat and the
    # sweeper carry on.
    broker.flushdb()
    cluster.messages.copies = 0
    (late,) = publish([(organization.id, EventType.MONITOR_UP, {"monitor": {"id": "mon_0"}})])
    wait_for(
        lambda: Delivery.objects.filter(event=late, status="delivered").count() == 2,
        20,
        "the sweeper to deliver an event published after a flush under a running worker",
    )
    for receiver in (first, second):
        assert [header(request, "webhook-id") for request in requests_of(receiver)].count(late.id) == 1


def test_a_monitor_outage_reaches_the_receiver_once_per_event_through_the_worker(cluster, receivers):
    receiver = receivers()
    target = Target()
    try:
        monitor = MonitorFactory(url=target.url, interval=2, timeout=1, retries=0, next_check_at=datetime.now(UTC))
        endpoint = endpoint_at(receiver, monitor.organization, events=list(EventType.values))
        cluster.worker()
        cluster.beat()

        def status() -> str:
            return Monitor.objects.values_list("status", flat=True).get(pk=monitor.pk)

        def received() -> list[tuple[str, dict, Received]]:
            return [(header(r, "X-StatusApp-Event"), orjson.loads(r.body), r) for r in requests_of(receiver)]

        def types() -> Counter:
            return Counter(event_type for event_type, _, _ in received())

        wait_for(lambda: status() == "UP", 30, "the first check to bring the monitor UP")
        assert requests_of(receiver) == []  # PENDING -> UP alerts nobody

        target.status = 500
        wait_for(lambda: status() == "DOWN", 20, "the monitor to go DOWN")
        wait_for(lambda: types() == {"monitor.down": 1, "incident.created": 1}, 20, "monitor.down and incident.created")
        (incident,) = Incident.objects.all()
        assert incident.auto_opened
        assert incident.status != IncidentStatus.RESOLVED

        target.status = 200
        wait_for(lambda: status() == "UP", 20, "the monitor to come back UP")
        wait_for(lambda: len(requests_of(receiver)) >= 4, 20, "monitor.up and incident.resolved")
        wait_for(lambda: not Delivery.objects.exclude(status="delivered").exists(), 10, "every delivery to finish")
        time.sleep(1.5)  # a sweep or two: nothing more may come
    finally:
        target.close()

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert Incident.objects.count() == 1
    assert types() == {"monitor.down": 1, "incident.created": 1, "monitor.up": 1, "incident.resolved": 1}
    by_type = {event_type: body for event_type, body, _ in received()}
    assert by_type["monitor.down"]["monitor"] == {
        **by_type["monitor.down"]["monitor"],
        "id": monitor.id,
        "status": "DOWN",
    }
    assert by_type["monitor.down"]["incident"] == {"id": incident.id, "status": "ACTIVE"}
    assert by_type["incident.created"]["incident"]["id"] == incident.id
    assert by_type["monitor.up"]["monitor"]["status"] == "UP"
    assert by_type["monitor.up"]["incident"] == {"id": incident.id, "status": "RESOLVED"}
    assert by_type["incident.resolved"]["incident"]["id"] == incident.id
    assert by_type["incident.resolved"]["incident"]["status"] == IncidentStatus.RESOLVED

    events = {event.id: event for event in Event.objects.all()}
    assert len(events) == 4
    for event_type, body, request in received():
        assert body["event"] == event_type
        event = events[body["id"]]
        assert header(request, "webhook-id") == event.id
        assert request.body == event.body.encode()
        assert_signed(request, endpoint.secret)
    assert Delivery.objects.filter(endpoint=endpoint, status="delivered").count() == 4
    assert not Delivery.objects.exclude(status="delivered").exists()
    assert list(Delivery.objects.values_list("attempts", flat=True)) == [1] * 4


def test_a_repeated_send_message_does_not_send_the_delivery_again(cluster, receivers):
    """webhooks/tasks.py: "A lost or repeated message is harmless: a delivery is sent only
    by the holder of its lease". Here every send_deliveries message reaches the broker
    twice (as a publish retried after a lost confirmation would put it), and the two
    copies run at once on the worker's two pool processes."""
    receiver = receivers(default=Answer(delay=1))  # the first send is still in flight when the copy runs
    endpoint = endpoint_at(receiver)
    cluster.messages.copies = 2
    cluster.worker()
    cluster.beat()

    event, delivery = publish_one(endpoint)
    wait_for(lambda: delivery_status(delivery) == "delivered", 20, "the delivery")
    time.sleep(1.5)  # the copy's request, if any, has been answered and recorded

    assert len(requests_of(receiver)) == 1
    assert attempt_log(delivery) == [(200, "")]

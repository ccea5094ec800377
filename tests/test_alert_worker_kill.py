"""A real Celery worker (and beat) against Redis, SIGKILLed while it sends alerts: a new
worker and the sweeper send what it left, so every alert is delivered at least once, none
is lost, and a repeated one is the same alert (the same id, the same dedup key).

The worker checks monitors on a loopback target that answers 500: they go DOWN, and the
worker routes and sends their alerts to receivers that hold the first requests until the
worker is dead.
"""

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
import redis
from django.utils import timezone

from alerts import messages
from alerts.models import Alert, Outage
from monitors.models import Monitor

from .factories import MonitorFactory, WebhookEndpointFactory
from .http_target import Target
from .live_server import server_env, venv_bin
from .test_alert_delivery import PagerDutyLike
from .test_alert_types_e2e import APPS, make_channel, wait_until
from .webhook_receiver import Answer, Receiver

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, available_apps=APPS)]

BROKER_DB = 7  # a Redis database of its own (test_worker_integration has 14), emptied before the run
MONITORS = 8
CAP = 4  # alerts in flight per channel: half of each channel's alerts are sent before the kill


class Celery:
    """A beat and workers, each in a process group of its own, logging under `directory`."""

    def __init__(self, env: dict[str, str], directory) -> None:
        self.env, self.directory = env, directory
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> None:
        with open(self.directory / f"{name}.log", "w") as log:
            self.processes[name] = subprocess.Popen(
                [venv_bin("celery"), "-A", "statusapp", *args, "--loglevel", "INFO"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill takes its pool children too
            )

    def worker(self, name: str) -> None:
        self.start(name, "worker", "-n", f"{name}@%h", "--concurrency", "2", "--pool", "prefork")

    def kill(self, name: str) -> None:
        """SIGKILL to the worker and its pool children, as the OOM killer would."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        """Killed at once: nothing they would do after the test matters, and none of them
        may write while the test database is flushed."""
        for name in list(self.processes):
            self.kill(name)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.read_text()[-3000:]}" for p in sorted(self.directory.glob("*.log")))


@pytest.fixture
def release():
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def receivers(release):
    # The first CAP requests of each are held until `release` (the worker is dead by then);
    # later ones take a moment, as a real service would.
    made = {
        name: Receiver(*[Answer(202, hold=release) for _ in range(CAP)], default=Answer(202, delay=0.3))
        for name in ("webhook", "pagerduty")
    }
    yield made
    for receiver in made.values():
        receiver.close()


@pytest.fixture
def celery(redis_url, tmp_path, receivers):
    broker = redis_url.rsplit("/", 1)[0] + f"/{BROKER_DB}"
    redis.Redis.from_url(broker).flushdb()
    env = server_env(
        CELERY_BROKER_URL=broker,
        STATUSAPP_ALLOW_PRIVATE_TARGETS="1",
        STATUSAPP_VAR_DIR=str(tmp_path),
        STATUSAPP_PAGERDUTY_EVENTS_URL=receivers["pagerduty"].url,
        STATUSAPP_ALERT_CHANNEL_CONCURRENCY=str(CAP),
    )
    processes = Celery(env, tmp_path)
    yield processes
    processes.stop_all()
    print(processes.logs())  # shown when the test fails


def header(request, name: str) -> str | None:
    return {key.lower(): value for key, value in request.headers.items()}.get(name.lower())


def test_alerts_of_a_worker_killed_mid_send_are_all_delivered_by_the_next(org, celery, receivers, release):
    target = Target()
    target.status = 500
    try:
        endpoint = WebhookEndpointFactory(organization=org, url=receivers["webhook"].url, events=["webhook.test"])
        webhook = make_channel(org, "webhook", {"endpoint": endpoint.id}, name="signed webhook")
        pagerduty = make_channel(org, "pagerduty", {"routingKey": "R0UT1NGKEY0123456789abcdefabcdef"})
        now = datetime.now(UTC)
        for i in range(MONITORS):
            MonitorFactory(
                organization=org, name=f"m{i}", url=target.url, interval=60, timeout=2, status="UP", next_check_at=now
            )

        celery.start("beat", "beat", "--schedule", str(celery.directory / "beat-schedule"))
        celery.worker("worker0")
        # The worker checked the monitors, routed their DOWN alerts and is sending them: each
        # receiver holds its first CAP.
        for receiver in receivers.values():
            receiver.wait_for_requests(CAP, timeout=40)
        # (Nothing can finish meanwhile: the channels' caps are taken by the held requests.)
        wait_until(lambda: Alert.objects.count() == 2 * MONITORS, 20, "every monitor's alerts")
        assert Monitor.objects.filter(status="DOWN").count() == MONITORS

        celery.kill("worker0")
        release.set()
        time.sleep(0.2)
        assert all(len(receiver.requests) == CAP for receiver in receivers.values())
        left = Alert.objects.filter(status=Alert.Status.PENDING)
        assert left.count() == 2 * MONITORS, "the killed worker recorded an outcome"
        claimed = set(left.exclude(lease_token="").values_list("id", flat=True))
        assert len(claimed) >= 2 * CAP
        # A dead worker's claims run out after WEBHOOK_TIMEOUT + 15 s: let that time pass.
        left.update(lease_until=timezone.now() - timedelta(seconds=1))

        celery.worker("worker1")  # beat's sweeper hands it what is due
        wait_until(
            lambda: Alert.objects.filter(status=Alert.Status.DELIVERED).count() == 2 * MONITORS,
            40,
            "every alert delivered after the kill",
        )
    finally:
        target.close()

    alerts = {alert.id: alert for alert in Alert.objects.all()}
    assert all(alert.attempts == 1 for alert in alerts.values())  # the lost attempts left no outcome
    keys = {alert.id: messages.loads(alert.message).dedup_key for alert in alerts.values()}
    outages = set(Outage.objects.values_list("monitor_id", "id"))
    assert set(keys.values()) == {f"statusapp-{monitor_id}-{pk}" for monitor_id, pk in outages}

    # The signed webhook: every alert arrived, the first CAP twice (held when the worker
    # died), each copy naming the same alert and dedup key.
    seen = defaultdict(list)
    for request in receivers["webhook"].requests:
        body = json.loads(request.body)
        assert header(request, "X-StatusApp-Delivery") == body["id"]
        seen[body["id"]].append(body["alert"]["dedup_key"])
    mine = {alert_id for alert_id, alert in alerts.items() if alert.channel_id == webhook.id}
    assert set(seen) == mine
    assert (
        sorted(Counter({alert_id: len(copies) for alert_id, copies in seen.items()}).values())
        == [1] * (MONITORS - CAP) + [2] * CAP
    )
    assert all(copies == [keys[alert_id]] * len(copies) for alert_id, copies in seen.items())

    # PagerDuty: every outage triggered, repeats deduplicated into one incident each.
    pd = PagerDutyLike(receivers["pagerduty"])
    expected = {keys[alert_id] for alert_id, alert in alerts.items() if alert.channel_id == pagerduty.id}
    assert set(pd.opened) == expected and set(pd.opened.values()) == {1}
    assert len(pd.events) == MONITORS + CAP

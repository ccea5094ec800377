"""Three regions' workers for real, each on its region's queue, with a real beat against
Redis, checking a loopback target that fails for the regions a test names (it reads the
region from the request's X-StatusApp-Region header): one failing region leaves the
monitor UP, two take it DOWN, and with one region's workers killed the other two still
judge it right both ways."""

import os
import signal
import subprocess
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis

from monitors import regions
from monitors.models import CheckResult, Monitor, StatusChange

from .factories import MonitorFactory
from .live_server import server_env, venv_bin
from .test_worker_integration import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BROKER_DB = 9  # a Redis database of its own (test_worker_integration has 14), emptied before the run
EU, US, AP = "eu-west", "us-east", "ap-south"
SILENT_AFTER = 4  # seconds: a region unheard of this long is left out
UP, DOWN = Monitor.Status.UP, Monitor.Status.DOWN


class RegionalTarget:
    """Answers 500 to the regions in `failing`, 200 to the others, and counts requests by region."""

    def __init__(self) -> None:
        self.failing: set[str] = set()
        self.hits: dict[str, int] = {}
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                region = self.headers.get("X-StatusApp-Region", "")
                target.hits[region] = target.hits.get(region, 0) + 1
                self.send_response(500 if region in target.failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/health"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def region_settings(settings):
    settings.STATUSAPP_REGIONS = [EU, US, AP]
    settings.REGION_SILENT_AFTER = SILENT_AFTER


@pytest.fixture
def celery_regions(redis_url, tmp_path, region_settings):
    """A worker per region (EU's also takes the default queue, where beat's tasks go), and beat.
    Yields the processes by name; each is its own process group, to be killed whole."""
    broker = redis_url.rsplit("/", 1)[0] + f"/{BROKER_DB}"
    redis.Redis.from_url(broker).flushdb()
    common = {
        "CELERY_BROKER_URL": broker,
        "STATUSAPP_ALLOW_PRIVATE_TARGETS": "1",
        "STATUSAPP_VAR_DIR": str(tmp_path),
        "STATUSAPP_REGIONS": ",".join((EU, US, AP)),
        "STATUSAPP_REGION_SILENT_AFTER": str(SILENT_AFTER),
    }
    celery_bin = venv_bin("celery")
    worker = [celery_bin, "-A", "statusapp", "worker", "--concurrency", "1", "--loglevel", "INFO"]
    commands = {
        EU: [*worker, "-n", "eu-west@%h"],
        US: [*worker, "-n", "us-east@%h", "-Q", regions.queue(US)],
        AP: [*worker, "-n", "ap-south@%h", "-Q", regions.queue(AP)],
        "beat": [celery_bin, "-A", "statusapp", "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat")],
    }
    logs, processes = {}, {}
    for name, command in commands.items():
        logs[name] = open(tmp_path / f"{name}.log", "w+")  # noqa: SIM115
        region = name if name != "beat" else EU
        processes[name] = subprocess.Popen(
            command,
            env=server_env(**common, STATUSAPP_REGION=region),
            stdout=logs[name],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    yield processes
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    for name, log in logs.items():
        log.seek(0)
        print(f"--- {name} ---\n{log.read()[-3000:]}")  # shown when the test fails
        log.close()


def test_the_quorum_of_three_regions_workers_decides_and_survives_a_dead_region(celery_regions):
    target = RegionalTarget()
    try:
        monitor = MonitorFactory(url=target.url, interval=2, timeout=1, retries=0, next_check_at=datetime.now(UTC))

        def current() -> Monitor:
            return Monitor.objects.get(pk=monitor.pk)

        def judged_slots(count: int) -> list[Monitor]:
            """The monitor as each of the next `count` judged slots left it."""
            seen, last = [], current().judged_slot
            while len(seen) < count:
                wait_for(lambda: current().judged_slot != last, 20, "the next slot to be judged")  # noqa: B023
                seen.append(current())
                last = seen[-1].judged_slot
            return seen

        wait_for(lambda: current().status == UP, 40, "the three regions to bring the monitor UP")
        wait_for(lambda: set(regions.alive()) == {EU, US, AP}, 10, "every region to report in")
        # A region is sent checks once it has reported in: the first workers up may check alone.
        wait_for(lambda: {EU, US, AP} <= set(target.hits), 10, "every region to check the target")

        # One region failing is its network's trouble, not an outage.
        target.failing = {AP}
        failing_since = datetime.now(UTC)
        judged_slots(2)  # slots already under way when it started failing
        assert all(state.status == UP for state in judged_slots(3))
        seen_by_ap = CheckResult.objects.filter(monitor=monitor, region=AP, started_at__gt=failing_since)
        assert DOWN in set(seen_by_ap.values_list("status", flat=True))

        # Two of three: DOWN.
        target.failing = {US, AP}
        wait_for(lambda: current().status == DOWN, 20, "two failing regions to take the monitor DOWN")
        assert "2 of 3 regions" in current().last_error
        target.failing = set()
        wait_for(lambda: current().status == UP, 20, "the monitor to recover")

        # AP's workers die: once it is silent, EU and US decide alone, both ways.
        os.killpg(celery_regions[AP].pid, signal.SIGKILL)
        wait_for(lambda: AP not in regions.alive(), SILENT_AFTER + 10, "ap-south to fall silent")
        target.failing = {US}
        judged_slots(2)
        assert all(state.status == UP for state in judged_slots(3)), "one of the two regions left failing"
        target.failing = {EU, US}
        wait_for(lambda: current().status == DOWN, 20, "both regions left failing to take it DOWN")

        changes = list(
            StatusChange.objects.filter(monitor=monitor).order_by("id").values_list("from_status", "to_status")
        )
        assert changes == [("PENDING", UP), (UP, DOWN), (DOWN, UP), (UP, DOWN)]
        # Every region's result is recorded once per slot.
        for region in (EU, US, AP):
            slots = CheckResult.objects.filter(monitor=monitor, region=region).values_list("scheduled_at", flat=True)
            assert len(slots) == len(set(slots))
    finally:
        target.close()

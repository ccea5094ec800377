"""A real Celery worker and a real beat against Redis, checking a loopback server."""

import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import redis

from monitors.models import CheckResult, Monitor, StatusChange

from .factories import MonitorFactory
from .http_target import Target
from .live_server import server_env, venv_bin

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BROKER_DB = 14  # a Redis database of its own, emptied before the run


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def celery(redis_url, tmp_path):
    broker = redis_url.rsplit("/", 1)[0] + f"/{BROKER_DB}"
    redis.Redis.from_url(broker).flushdb()
    env = server_env(
        CELERY_BROKER_URL=broker,
        STATUSAPP_ALLOW_PRIVATE_TARGETS="1",
        STATUSAPP_VAR_DIR=str(tmp_path),
    )
    celery_bin = venv_bin("celery")
    logs = {name: open(tmp_path / f"{name}.log", "w+") for name in ("worker", "beat")}  # noqa: SIM115
    processes = [
        subprocess.Popen(
            [celery_bin, "-A", "statusapp", "worker", "--concurrency", "2", "--loglevel", "INFO", "--pool", "prefork"],
            env=env,
            stdout=logs["worker"],
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [celery_bin, "-A", "statusapp", "beat", "--loglevel", "INFO", "--schedule", str(tmp_path / "beat")],
            env=env,
            stdout=logs["beat"],
            stderr=subprocess.STDOUT,
        ),
    ]
    yield
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
    for name, log in logs.items():
        log.seek(0)
        print(f"--- celery {name} ---\n{log.read()[-4000:]}")  # shown when the test fails
        log.close()


def test_worker_and_beat_take_a_monitor_up_down_and_up_and_leave_it_alone_while_paused(celery):
    target = Target()
    try:
        monitor = MonitorFactory(url=target.url, interval=2, timeout=1, retries=1, next_check_at=datetime.now(UTC))

        def status() -> str:
            return Monitor.objects.values_list("status", flat=True).get(pk=monitor.pk)

        wait_for(lambda: status() == "UP", 30, "the first check to bring the monitor UP")

        target.status = 500
        failing_since = CheckResult.objects.filter(monitor=monitor).count()
        wait_for(lambda: status() == "DOWN", 20, "the monitor to go DOWN")
        failures = CheckResult.objects.filter(monitor=monitor, status="DOWN").count()
        assert failures == 2, "retries=1: DOWN after exactly retries + 1 failures"
        assert CheckResult.objects.filter(monitor=monitor).count() == failing_since + 2

        target.status = 200
        wait_for(lambda: status() == "UP", 20, "the monitor to come back UP")

        changes = list(
            StatusChange.objects.filter(monitor=monitor).order_by("id").values_list("from_status", "to_status")
        )
        assert changes == [("PENDING", "UP"), ("UP", "DOWN"), ("DOWN", "UP")]

        # Slots are never checked twice, and consecutive checks sit one interval apart.
        slots = list(
            CheckResult.objects.filter(monitor=monitor).order_by("scheduled_at").values_list("scheduled_at", flat=True)
        )
        assert len(slots) == len(set(slots))
        assert all(
            later - earlier == timedelta(seconds=2) for earlier, later in zip(slots[1:], slots[2:], strict=False)
        )

        Monitor.objects.filter(pk=monitor.pk).update(status="PAUSED", next_check_at=None)
        time.sleep(2.5)  # a batch claimed before the pause (up to the lookahead early) may still run
        hits, results = target.hits, CheckResult.objects.filter(monitor=monitor).count()
        time.sleep(6)  # three intervals
        assert target.hits == hits
        assert CheckResult.objects.filter(monitor=monitor).count() == results
        assert status() == "PAUSED"
    finally:
        target.close()

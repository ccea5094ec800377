"""What the fault tests share: the private services, celery processes, and the report.

Each test prints what it injected and what it verified, and ends with
`verify_integrity` clean on the data it produced.
"""

import contextlib
import io
import os
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from django.core.management import call_command
from django.db import connections

from faults.services import from_environment

from ..live_server import server_env, venv_bin

BROKER_DB = 1


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds it took; fails the test after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def say(kind: str, text: str) -> None:
    """One line of the fault report: `injected`, `verified` or `measured`."""
    print(f"  {kind:9} {text}", flush=True)


def reconnect() -> None:
    """Drop this process's database connections after the server went away under them."""
    for connection in connections.all():
        connection.close()


@pytest.fixture
def services():
    return from_environment()


@pytest.fixture
def app_env(services, tmp_path) -> dict[str, str]:
    """The environment of this test's web, worker and beat processes."""
    return server_env(
        CELERY_BROKER_URL=services[1].url(BROKER_DB),
        STATUSAPP_ALLOW_PRIVATE_TARGETS="1",
        STATUSAPP_VAR_DIR=str(tmp_path),
    )


class Celery:
    """Worker and beat processes by name; each logs to its own file under `directory`."""

    def __init__(self, env: dict[str, str], directory: Path) -> None:
        self.env = env
        self.directory = directory
        self.processes: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, args: list[str], loglevel: str = "INFO") -> subprocess.Popen:
        log = open(self.directory / f"{name}.log", "a")  # noqa: SIM115 (the process keeps it)
        process = subprocess.Popen(
            [venv_bin("celery"), "-A", "statusapp", *args, "--loglevel", loglevel],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill takes its pool children too
        )
        log.close()
        self.processes[name] = process
        return process

    def worker(self, name: str = "worker", concurrency: int = 2) -> subprocess.Popen:
        return self._start(name, ["worker", "-n", f"{name}@%h", "--concurrency", str(concurrency)])

    def beat(self, name: str = "beat") -> subprocess.Popen:
        # DEBUG: the two-beats test counts beat's "Sending due task" lines, which are DEBUG lines.
        return self._start(name, ["beat", "--schedule", str(self.directory / f"{name}-schedule")], loglevel="DEBUG")

    def kill(self, name: str) -> None:
        """SIGKILL to the process and its pool children, as the OOM killer or a lost host would."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):  # start_new_session: the group id is the pid
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def check_until_up(self, organization, url: str, count: int) -> None:
        """`count` http monitors of `organization` on `url` every 2 s, a worker and a beat
        checking them, and all of them UP."""
        from monitors.models import Monitor

        from ..factories import MonitorFactory

        now = datetime.now(UTC)
        for i in range(count):
            MonitorFactory(organization=organization, name=f"m{i}", url=url, interval=2, timeout=2, next_check_at=now)
        self.worker()
        self.beat()
        wait_for(lambda: Monitor.objects.filter(status="UP").count() == count, 60, "every monitor to come UP")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        process.terminate()
        process.wait(15)

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def log_tails(self) -> str:
        return "\n".join(f"--- {path.name} ---\n{path.read_text()[-3000:]}" for path in self.directory.glob("*.log"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_call = report.failed
    return report


@pytest.fixture
def celery(request, app_env, tmp_path, services):
    redis.Redis.from_url(services[1].url(BROKER_DB)).flushdb()
    processes = Celery(app_env, tmp_path)
    yield processes
    processes.stop_all()
    if getattr(request.node, "failed_call", True):
        print(processes.log_tails()[-6000:])


@pytest.fixture
def integrity_clean():
    """Call at the end of a fault test: verify_integrity must find nothing."""

    def check(grace: int = 60) -> None:
        out = io.StringIO()
        try:
            call_command("verify_integrity", "--grace", str(grace), stdout=out)
        except SystemExit as exit_:
            pytest.fail(f"verify_integrity exited {exit_.code}:\n{out.getvalue()}")
        assert out.getvalue().strip().endswith("clean"), out.getvalue()
        say("verified", "verify_integrity: clean")

    return check

"""`make run` as a new user runs it: started in a terminal, used, stopped with Ctrl-C.

Each test starts the real `make run` (or the launcher it `exec`s, statusapp/run.py) on a
free port with its own var dir: SQLite, the filesystem broker, the console email backend,
none of the test run's services. It waits for /healthz, then signals the process group as
a terminal's Ctrl-C does (or SIGTERM, as a service manager does) and expects every process
to finish its work in hand and exit by itself within a few seconds: nothing killed, no
traceback, no error line. About 20-40 s each.

GNU make, signalled itself, re-raises the signal on itself once its recipe has exited
(make 4.3's fatal_error_signal): `make run` then ends "killed by SIGINT" (status 130 in a
shell), silently when the recipe exited 0, which is the clean outcome make allows. The
launcher alone exits 0.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .live_server import BASE_DIR, free_port

STOP_WITHIN = 10  # seconds
READY_WITHIN = 180  # seconds: the first `make run` migrates a new SQLite database
# What a clean stop never prints: honcho's "sending SIGKILL", make's "*** [run] Interrupt"
# or "Error 130", a traceback, a pool process "exited with signal 15" logged at ERROR.
UNCLEAN = ("SIGKILL", "Traceback", "Error", "ERROR", "Interrupt", "exited with")
ROUTINE = re.compile(r"Sending due task|Task \S+\[[0-9a-f-]+\] (received|succeeded)|No hostname was supplied")
# Variables of the test run that would send `make run` to its services or change its defaults.
NOT_PASSED = (
    *("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "STATUSAPP_BASE_URL", "LOG_LEVEL", "PORT"),
    *("EMAIL_HOST", "EMAIL_BACKEND", "SECRET_KEY", "STATUSAPP_API_KEY_PEPPER", "DJANGO_SETTINGS_MODULE"),
    *("MAKEFLAGS", "MAKELEVEL", "MFLAGS"),  # when the suite itself runs under make test
    "PYTHONUNBUFFERED",  # the launcher sets it for its processes
)


@pytest.fixture(scope="module")
def migrated_var(tmp_path_factory) -> Path:
    """A var dir whose SQLite database is migrated once; each test runs on a copy."""
    var = tmp_path_factory.mktemp("run-modes") / "var"
    env = run_env(var, free_port())
    python = str(BASE_DIR / ".venv/bin/python")
    for command in (["migrate", "--noinput", "-v0"], ["createcachetable"]):
        subprocess.run([python, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, timeout=300)
    return var


def run_env(var: Path, port: int, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_PASSED}
    env.update(STATUSAPP_VAR_DIR=str(var), PORT=str(port), **extra)
    return env


class Running:
    """A started `make run` (or launcher) in its own process group, its output in a file."""

    def __init__(self, argv: list[str], var: Path, port: int, **extra: str) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.env = run_env(var, port, **extra)
        self.log = var.parent / "output.log"
        with self.log.open("wb") as out:
            # A terminal's foreground job: one process group, which Ctrl-C signals as a whole.
            self.process = subprocess.Popen(
                argv, cwd=BASE_DIR, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, condition, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"exited with {self.process.returncode} while waiting for {what}:\n{self.output}")
            time.sleep(0.3)
        pytest.fail(f"no {what} after {timeout} s:\n{self.output}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def request(self, method: str, path: str, body: dict, key: str | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
        request = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode(), method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def stop(self, signum: int, *, group: bool = True) -> float:
        """Signal the process group (or the process alone); seconds until it exited."""
        started = time.monotonic()
        if group:
            os.killpg(self.process.pid, signum)
        else:
            self.process.send_signal(signum)
        try:
            self.process.wait(timeout=STOP_WITHIN + 20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            pytest.fail(f"still running {STOP_WITHIN + 20} s after {signal.Signals(signum).name}:\n{self.output}")
        return time.monotonic() - started

    def kill_leftovers(self) -> None:
        """After a failed test: nothing of this run may keep a port or a var dir busy."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def make_run(migrated_var, tmp_path):
    runs: list[Running] = []

    def start(**extra: str) -> Running:
        var = tmp_path / "var"
        shutil.copytree(migrated_var, var)
        runs.append(Running(["make", "run"], var, free_port(), **extra))
        return runs[-1]

    yield start
    for run in runs:
        run.kill_leftovers()


@pytest.fixture
def launcher(migrated_var, tmp_path):
    runs: list[Running] = []

    def start(**extra: str) -> Running:
        var = tmp_path / "var"
        shutil.copytree(migrated_var, var)
        python = str(BASE_DIR / ".venv/bin/python")
        runs.append(Running([python, "-m", "statusapp.run"], var, free_port(), **extra))
        return runs[-1]

    yield start
    for run in runs:
        run.kill_leftovers()


def assert_stopped_cleanly(run: Running, took: float, within: float = STOP_WITHIN) -> None:
    output = run.output
    assert took < within, f"took {took:.1f} s to stop:\n{output}"
    for word in UNCLEAN:
        assert word not in output, f"{word!r} in the output:\n{output}"
    assert "worker: Warm shutdown" in output  # the worker finished its tasks in hand
    assert output.rstrip().endswith("run    | stopped"), output[-3000:]


def subscribe_and_wait_for_the_email(run: Running) -> str:
    """A subscriber's confirmation, sent by the worker through the console backend."""
    createapikey = [str(BASE_DIR / ".venv/bin/python"), "manage.py", "createapikey", "--org", "run", "--name", "t"]
    done = subprocess.run(createapikey, cwd=BASE_DIR, env=run.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip().splitlines()[-1]
    status, page = run.request("POST", "/api/status-pages", {"name": "Run", "slug": "run", "isPublic": True}, key)
    assert status == 201, page
    status, body = run.request("POST", "/status/run/subscribe", {"email": "reader@example.com"})
    assert status == 200, body
    link = re.compile(r"http://[^/\s]+/status/run/subscribe/confirm/\S+")
    run.wait_for(lambda: link.search(run.output), "confirmation email in the output", 60)
    return link.search(run.output).group()


def test_make_run_says_where_it_runs_links_emails_to_its_port_and_stops_cleanly_on_ctrl_c(make_run):
    run = make_run()
    run.wait_for(run.healthy, "answer from /healthz", READY_WITHIN)
    run.wait_for(lambda: "StatusApp is running at" in run.output, "address printed", 30)
    assert f"StatusApp is running at {run.base}/ (Ctrl-C stops it)" in run.output
    assert "Outgoing emails are printed here, not sent (set EMAIL_HOST to send them)" in run.output

    link = subscribe_and_wait_for_the_email(run)
    assert link.startswith(f"{run.base}/status/run/subscribe/confirm/")  # the port it serves, not 8000

    time.sleep(3)  # beat sends three tasks a second; the worker runs them
    assert not ROUTINE.search(run.output), ROUTINE.search(run.output).group()

    took = run.stop(signal.SIGINT)
    # make re-raises the SIGINT it received once the launcher has exited 0, and prints nothing.
    assert run.process.returncode == -signal.SIGINT, run.output
    assert_stopped_cleanly(run, took)
    assert "run    | SIGINT received; stopping" in run.output


def test_make_run_stops_cleanly_on_sigterm_to_its_process_group(make_run):
    run = make_run()
    run.wait_for(run.healthy, "answer from /healthz", READY_WITHIN)
    run.wait_for(lambda: "StatusApp is running at" in run.output, "address printed", 30)

    # The launcher gets SIGTERM twice (from the group's signal and from make): one stop.
    took = run.stop(signal.SIGTERM)
    assert run.process.returncode == -signal.SIGTERM, run.output
    assert_stopped_cleanly(run, took)


def test_launcher_exits_0_on_sigterm_and_shows_routine_celery_lines_at_log_level_debug(launcher):
    run = launcher(LOG_LEVEL="DEBUG")
    run.wait_for(run.healthy, "answer from /healthz", READY_WITHIN)
    run.wait_for(lambda: "StatusApp is running at" in run.output, "address printed", 30)
    # Beat's line, not just any routine one: the worker's or kombu's may come first.
    run.wait_for(lambda: "DEBUG/MainProcess] Scheduler: Sending due task" in run.output, "beat's lines at DEBUG", 30)

    took = run.stop(signal.SIGTERM, group=False)  # to the launcher alone, as `kill PID` does
    assert run.process.returncode == 0, run.output
    assert_stopped_cleanly(run, took, within=2 * STOP_WITHIN)  # DEBUG's flood of lines slows everything


def test_launcher_stops_the_others_and_exits_1_when_a_process_exits(launcher):
    run = launcher(WEB_CONCURRENCY="not-a-number")  # gunicorn refuses it and exits at once
    run.wait_for(lambda: "web exited with" in run.output, "the launcher noticing web's exit", READY_WITHIN)
    run.process.wait(timeout=STOP_WITHIN + 20)
    assert run.process.returncode == 1, run.output
    assert "; stopping the others" in run.output
    assert "SIGKILL" not in run.output and "killing it" not in run.output

"""PostgreSQL restarted under load: 503s with the JSON envelope while it is down, then
recovery without restarting anything, and every acknowledged write still there."""

import threading
import time
from datetime import UTC, datetime

import pytest
import requests

from accounts.plans import Plan
from apikeys.services import api_key_create
from incidents.models import Incident
from monitors.models import CheckResult

from ..factories import OrganizationFactory
from ..http_target import Target
from ..live_server import gunicorn_server
from .conftest import reconnect, say, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

MONITORS = 20
CLIENTS = 4
OUTAGE_SECONDS = 6
ENVELOPE_503 = {
    "error": {
        "code": "service_unavailable",
        "message": "Service unavailable",
        "details": "The database is unreachable; retry shortly",
    }
}


class Load:
    """Clients that create incidents and list them until stopped, keeping every answer."""

    def __init__(self, base_url: str, raw_key: str) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {raw_key}"}
        self.answers: list[tuple[float, str, int, dict | None]] = []  # (time, kind, status, body)
        self.created: set[str] = set()
        self.errors: list[str] = []  # no HTTP answer at all
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(CLIENTS)]

    def _run(self, n: int) -> None:
        session = requests.Session()
        i = 0
        while not self.stopping.is_set():
            i += 1
            try:
                if i % 2:
                    body = {"title": f"Load {n}-{i}", "status": "INVESTIGATING", "impact": "low"}
                    response = session.post(
                        f"{self.base_url}/api/incidents", json=body, headers=self.headers, timeout=10
                    )
                    kind = "write"
                else:
                    response = session.get(f"{self.base_url}/api/incidents?limit=5", headers=self.headers, timeout=10)
                    kind = "read"
            except requests.RequestException as exc:
                with self.lock:
                    self.errors.append(type(exc).__name__)
                continue
            payload = response.json() if response.headers.get("Content-Type") == "application/json" else None
            with self.lock:
                self.answers.append((time.monotonic(), kind, response.status_code, payload))
                if response.status_code == 201:
                    self.created.add(payload["id"])
                if response.status_code == 503:
                    assert response.headers.get("Retry-After") == "5"
            time.sleep(0.02)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(15)


def test_postgres_restart_under_load_is_503_then_recovers_and_loses_no_acknowledged_write(
    services, app_env, celery, integrity_clean
):
    postgres, _ = services
    target = Target()
    org = OrganizationFactory(plan=Plan.ENTERPRISE)  # no hourly limit: the load is not throttled
    _, raw_key = api_key_create(organization=org, name="load", permission="write")
    celery.check_until_up(org, target.url, MONITORS)

    with gunicorn_server(workers=2, env=app_env) as base_url, Load(base_url, raw_key) as load:
        time.sleep(3)
        postgres.stop()
        down_at = time.monotonic()
        say("injected", f"PostgreSQL stopped (fast shutdown) under {CLIENTS} API clients, down {OUTAGE_SECONDS} s")
        time.sleep(OUTAGE_SECONDS)
        postgres.start()
        up_at = time.monotonic()
        say("injected", "PostgreSQL started again; nothing else restarted")

        def api_answers_again() -> bool:
            with load.lock:
                return any(at > up_at and status in (200, 201) for at, _, status, _ in load.answers)

        recovery = wait_for(api_answers_again, 30, "the API to answer 2xx after the restart")
        time.sleep(3)

    reconnect()
    during = [(status, body) for at, _, status, body in load.answers if down_at < at < up_at]
    statuses = {status for _, _, status, _ in load.answers}
    assert load.errors == [], f"requests with no HTTP answer: {load.errors[:5]}"
    assert statuses <= {200, 201, 503}, f"unexpected statuses: {statuses}"
    assert any(status == 503 for status, _ in during), "no 503 while PostgreSQL was down"
    assert all(body == ENVELOPE_503 for status, body in during if status == 503)
    assert all(body == ENVELOPE_503 for _, _, status, body in load.answers if status == 503)
    refused = sum(1 for _, _, status, _ in load.answers if status == 503)
    say("verified", f"{len(load.answers)} requests: {refused} answered 503 with the envelope and Retry-After")
    say("verified", "no 500, no request left without an answer")
    say("measured", f"API answering 2xx {recovery:.1f} s after PostgreSQL was back")

    stored = set(Incident.objects.filter(organization=org).values_list("id", flat=True))
    assert load.created <= stored, f"acknowledged incidents lost: {sorted(load.created - stored)[:5]}"
    say("verified", f"all {len(load.created)} incidents answered 201 are in the database")

    back = datetime.now(UTC)
    wait_for(
        lambda: CheckResult.objects.filter(started_at__gt=back).values("monitor").distinct().count() == MONITORS,
        30,
        "checks of every monitor after the restart",
    )
    assert all(process.poll() is None for process in celery.processes.values()), "a celery process died"
    say("verified", f"checks resumed for all {MONITORS} monitors; worker and beat kept running")
    target.close()
    integrity_clean()

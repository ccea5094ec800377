"""What the check-engine fault tests share: a target that counts each monitor's checks,
and the matching of those checks with the results the workers recorded.

Each monitor gets its own URL (`?m=<key>`), so the target knows which monitor every
request came from and when it arrived. A slot checked twice shows as two requests
for one recorded result; a check lost with a killed worker as a request whose result
never came.
"""

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The stdlib's listen backlog is 5: a worker starting a burst of overdue checks at
    # once would see SYNs dropped and retried a second later, i.e. a 1 s check timing
    # out without reaching the target.
    request_queue_size = 256


class CountingTarget:
    """A real HTTP server on 127.0.0.1 answering `status`, keeping the arrival time
    (epoch seconds) of every request by monitor key."""

    def __init__(self) -> None:
        self.status = 200
        self.lock = threading.Lock()
        self._hits: dict[str, list[float]] = defaultdict(list)
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                arrived = time.time()
                key = parse_qs(urlsplit(self.path).query).get("m", ["?"])[0]
                with target.lock:
                    target._hits[key].append(arrived)
                    status = target.status
                body = b"ok" if status < 400 else b"failing"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/health"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, key: str) -> str:
        return f"{self.base_url}?m={key}"

    def hits(self) -> dict[str, list[float]]:
        """Arrival times by monitor key, oldest first (a copy)."""
        with self.lock:
            return {key: sorted(times) for key, times in self._hits.items()}

    def total(self) -> int:
        with self.lock:
            return sum(len(times) for times in self._hits.values())

    def wait_until_quiet(self, what: str) -> None:
        """Until 3 s pass with no new request here and no new result recorded."""
        from monitors.models import CheckResult

        from .conftest import wait_for

        def quiet() -> bool:
            before = (self.total(), CheckResult.objects.count())
            time.sleep(3)
            return before == (self.total(), CheckResult.objects.count())

        wait_for(quiet, 30, what)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# A request reaches the target a moment after its check started (connect, the event
# loop starting the other checks of the tick); on a loaded 2-core machine, up to a
# second or two. It never arrives before the check started (same clock).
EARLY = 0.2
LATE = 3.0


@dataclass
class Matching:
    """One monitor's requests paired, in time order, with its recorded results."""

    matched: int = 0
    unmatched_hits: list[float] = field(default_factory=list)  # requests no recorded result accounts for
    unhit_results: list[float] = field(default_factory=list)  # results whose request never arrived


def match(hits: list[float], started: list[float]) -> Matching:
    """Pair request arrival times with results' started_at (both epoch seconds): each
    result takes the first unpaired request in [started - EARLY, started + LATE]."""
    hits, started = sorted(hits), sorted(started)
    result = Matching()
    i = j = 0
    while i < len(hits) and j < len(started):
        if hits[i] < started[j] - EARLY:
            result.unmatched_hits.append(hits[i])
            i += 1
        elif hits[i] > started[j] + LATE:
            result.unhit_results.append(started[j])
            j += 1
        else:
            result.matched += 1
            i += 1
            j += 1
    result.unmatched_hits.extend(hits[i:])
    result.unhit_results.extend(started[j:])
    return result


@pytest.fixture
def celery_errors(request, celery):
    """On a failure, every ERROR line and traceback of every celery log of the test
    (the celery fixture shows only the logs' tails, and these tests start many workers)."""
    yield
    if getattr(request.node, "failed_call", True):
        print(errors_in_logs(celery.directory))
        print(database_activity())


def database_activity() -> str:
    """The other sessions of the test database: what each runs or waits for, and since when."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, wait_event_type, wait_event, now() - xact_start, left(query, 200)"
            " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return "\n".join(" | ".join(str(value) for value in row) for row in cursor.fetchall())


def errors_in_logs(directory: Path) -> str:
    found = []
    for path in sorted(directory.glob("*.log")):
        lines = path.read_text(errors="replace").splitlines()
        for n, line in enumerate(lines):
            if "ERROR" in line or "Traceback" in line or "CRITICAL" in line:
                found.append(f"{path.name}: " + "\n    ".join(lines[n : n + 25]))
    return "\n".join(found)[-30000:] or "no ERROR in the celery logs"

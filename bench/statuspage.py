"""The public status page (/status/<slug>/): uncached render time in-process, then the
cached page under gunicorn beside a static 20 KB file served by the same gunicorn.

Usage: .venv/bin/python bench/statuspage.py [--seconds 10] [--connections 10] [--renders 200] [--profile]

Needs wrk (`apt-get install -y wrk`) and, by default, PostgreSQL and Redis on 127.0.0.1
(DATABASE_URL / REDIS_URL override; the database is created if missing).

The page has 50 components, 90 days of daily rollups, 5 open incidents and 10 resolved
ones in its "Past incidents" (the last 15 days).

1. Uncached: the organization's generation is bumped before each request (outside the
   timed part), so every request builds the page from the database.
2. Single flight, in-process: 20 threads ask for the same page at once after an expiry,
   with and without a stale copy to serve, counting calls to snapshot.build (expected: one
   per expiry).
3. Under gunicorn (2 sync workers): the static 20 KB file (whitenoise, from STATIC_ROOT;
   also a static file as large as the page, to tell the cost of the bytes from the cost
   of the work), the cached page, and the cached page while its generation changes every
   --expire-every seconds, so that entries expire and are rebuilt under load. The workers count their
   snapshot builds in Redis (through post_worker_init below: this module is also
   gunicorn's config, passed in GUNICORN_CMD_ARGS) to show one rebuild per expiry.
"""

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import shutil
import statistics
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import ensure_database, gunicorn, report, setup_environment, wrk  # noqa: E402

COMPONENTS = 50
DAYS = 90
INCIDENTS = 5
PAST_INCIDENTS = 10  # resolved, over the last 15 days
SLUG = "bench-pages"
HOST = "127.0.0.1"
STATIC_DIR = "bench"  # under STATIC_ROOT; removed afterwards
STATIC_BYTES = 20_000
BUILDS_KEY = "bench:statuspage:builds"
WORKERS = 2
THREADS = 20


# --- gunicorn config: only names gunicorn knows are read from this module -------------


def post_worker_init(worker) -> None:
    """Count the worker's snapshot builds in Redis, for the bench process to read."""
    from django.conf import settings

    from accounts.redis_client import client
    from statuspages import snapshot

    redis_client = client(settings.REDIS_URL)
    build = snapshot.build

    def counting_build(*args, **kwargs):
        redis_client.incr(BUILDS_KEY)
        return build(*args, **kwargs)

    snapshot.build = counting_build


# --- data ------------------------------------------------------------------------------


def prepare():
    """A fresh organization with its page; returns (organization, page)."""
    from accounts.models import Organization
    from accounts.plans import Plan
    from incidents.models import Incident
    from incidents.services import incident_create, incident_update
    from monitors.models import Monitor, Rollup
    from statuspages.models import StatusPage
    from statuspages.services import status_page_create

    Organization.objects.filter(slug=SLUG).delete()
    StatusPage.objects.filter(slug=SLUG).delete()
    org = Organization.objects.create(name="Bench pages", slug=SLUG, plan=Plan.ENTERPRISE)
    statuses = [Monitor.Status.UP] * 46 + [Monitor.Status.DEGRADED] * 2 + [Monitor.Status.DOWN] * 2
    Monitor.objects.bulk_create(
        Monitor(
            organization=org,
            name=f"Service {i:02}",
            type="http",
            url=f"https://s{i}.example.com/health",
            status=statuses[i % len(statuses)],
        )
        for i in range(COMPONENTS)
    )
    monitors = list(Monitor.objects.filter(organization=org).order_by("name"))
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rollups = []
    for i, monitor in enumerate(monitors):
        for day in range(DAYS):
            # Mostly clean days; some minor, partial and major ones, varying by monitor.
            down = [0, 0, 0, 0, 0, 0, 1, 3, 20, 100][(i * 7 + day * 3) % 10]
            degraded = (i + day) % 5
            rollups.append(
                Rollup(
                    monitor=monitor,
                    period=Rollup.Period.DAY,
                    bucket=today - timedelta(days=day),
                    checks=1440,
                    up=1440 - down - degraded,
                    degraded=degraded,
                    response_time_sum=1440 * (120 + i),
                    response_time_count=1440,
                )
            )
    Rollup.objects.bulk_create(rollups, batch_size=2000)
    groups = ["API", "Web", "Workers", "Storage", ""]
    page = status_page_create(
        organization=org,
        name="Bench status",
        slug=SLUG,
        components=[(monitor, groups[i // 10]) for i, monitor in enumerate(monitors)],
    )
    for i in range(INCIDENTS):
        incident = incident_create(
            organization=org,
            title=f"Elevated errors on Service {i * 9:02}",
            description="We are looking into it.",
            impact="high",
            affected=[(monitors[i * 9], None), (monitors[i * 9 + 1], None)],
        )
        # Opened some days ago, so that their titles show on several day cells.
        Incident.objects.filter(pk=incident.pk).update(created_at=today - timedelta(days=i * 2, hours=-3))
    for i in range(PAST_INCIDENTS):
        incident = incident_create(
            organization=org,
            title=f"Slow responses on Service {i * 5:02}",
            description="Responses are slower than usual; we are looking into it.",
            impact=["low", "medium", "high"][i % 3],
            affected=[(monitors[i * 5], None)],
        )
        incident_update(incident=incident, status="RESOLVED", update="This incident has been resolved.")
        opened = today - timedelta(days=(i * 3) % 15, hours=-9)
        Incident.objects.filter(pk=incident.pk).update(created_at=opened, resolved_at=opened + timedelta(hours=1))

    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("monitors_monitor", "monitors_rollup", "incidents_incident", "incidents_affectedcomponent"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    return org, page


# --- in-process measurements ------------------------------------------------------------


class BuildCounter:
    """Wraps statuspages.snapshot.build in this process and counts the calls."""

    def __init__(self):
        self.calls = 0
        self._lock = threading.Lock()

    def __enter__(self):
        from statuspages import snapshot

        self._original = snapshot.build

        def counting(*args, **kwargs):
            with self._lock:
                self.calls += 1
            return self._original(*args, **kwargs)

        snapshot.build = counting
        return self

    def __exit__(self, *exc):
        from statuspages import snapshot

        snapshot.build = self._original


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def uncached(org, url: str, renders: int) -> dict:
    """Request time of `renders` sequential GETs, each after a bump of the generation."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.generation import bump

    client = Client(HTTP_HOST=HOST)
    for _ in range(5):  # warm-up: templates, connections
        bump([org.id])
        assert client.get(url).status_code == 200
    bump([org.id])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    queries = [query["sql"] for query in captured.captured_queries]  # the next request clears the log
    times = []
    with BuildCounter() as counter:
        for _ in range(renders):
            bump([org.id])
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    assert counter.calls == renders, f"{counter.calls} builds for {renders} uncached requests"
    cached_times = []
    for _ in range(renders):
        start = time.perf_counter()
        client.get(url)
        cached_times.append((time.perf_counter() - start) * 1000)
    return {
        "p50": statistics.median(times),
        "p99": percentile(times, 99),
        "max": max(times),
        "queries": len(queries),
        "bytes": len(response.content),
        "cached_p50": statistics.median(cached_times),
    }


def profile(org, url: str, renders: int = 50, top: int = 15) -> str:
    from django.test import Client

    from accounts.generation import bump

    client = Client(HTTP_HOST=HOST)
    profiler = cProfile.Profile()
    for _ in range(renders):
        bump([org.id])
        profiler.enable()
        client.get(url)
        profiler.disable()
    out = io.StringIO()
    # Below the view only: the test client, the handler and the middleware wrap everything.
    below_view = r"^(?!.*(django/test/|core/handlers/|deprecation\.py|middleware\.py|decorators/|\(wrapper\)))"
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(below_view, top)
    print("\nthe same, top 10 by own time:", file=out)
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(10)
    return out.getvalue()


def single_flight(org, url: str, rounds: int = 5) -> dict:
    """Builds per expiry when THREADS requests arrive at once, with and without a stale copy."""
    from django.core.cache import cache
    from django.db import connections
    from django.test import Client

    from accounts.generation import bump
    from statuspages import page_cache

    statuses: list[int] = []

    def fetch(barrier):
        client = Client(HTTP_HOST=HOST)
        barrier.wait()
        statuses.append(client.get(url).status_code)
        connections.close_all()

    def burst():
        barrier = threading.Barrier(THREADS)
        threads = [threading.Thread(target=fetch, args=(barrier,)) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    Client(HTTP_HOST=HOST).get(url)
    result = {}
    with BuildCounter() as counter:
        for _ in range(rounds):
            bump([org.id])  # the copy goes stale
            burst()
    result["stale"] = counter.calls
    with BuildCounter() as counter:
        for _ in range(rounds):
            bump([org.id])
            cache.delete(f"page:{SLUG}:page:{HOST}")  # the key page_views._cached uses
            page_cache._local.clear()
            burst()
    result["empty"] = counter.calls
    result["rounds"] = rounds
    result["non200"] = sum(status != 200 for status in statuses)
    return result


# --- under gunicorn ---------------------------------------------------------------------


def write_static_files(page_bytes: int) -> dict[str, Path]:
    """The 20 KB file, and one as large as the page (to tell bytes from work), in STATIC_ROOT:
    whitenoise serves what is there when gunicorn starts."""
    from django.conf import settings

    line = b"StatusApp benchmark: a static file served by whitenoise, as the status page is by Django.\n"
    files = {}
    for name, size in (("static", STATIC_BYTES), ("static_page_size", page_bytes)):
        path = Path(settings.STATIC_ROOT) / STATIC_DIR / f"{name.replace('_', '-')}-{size}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((line * (size // len(line) + 1))[:size])
        files[name] = path
    return files


def builds_so_far() -> int:
    from django.conf import settings

    from accounts.redis_client import client

    return int(client(settings.REDIS_URL).get(BUILDS_KEY) or 0)


def expiring(org, every: float, stop: threading.Event, expiries: list[float]) -> None:
    """Change the organization's generation every `every` seconds until `stop`.

    One token change per expiry (generation.bump writes two, at once and after the commit,
    which outside a transaction are microseconds apart)."""
    from django.db import connections

    from accounts import generation

    while not stop.wait(every):
        generation._renew({org.id})
        expiries.append(time.monotonic())
    connections.close_all()


def under_gunicorn(org, page_path: str, page_bytes: int, seconds: int, connections: int, expire_every: float) -> dict:
    from django.conf import settings

    files = write_static_files(page_bytes)
    os.environ["GUNICORN_CMD_ARGS"] = "--config python:bench.statuspage"
    try:
        with gunicorn(workers=WORKERS) as base:
            page_url = f"{base}{page_path}"
            urls = {name: f"{base}/static/{path.relative_to(settings.STATIC_ROOT)}" for name, path in files.items()}
            for name, url in urls.items():
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                    body = response.read()
                want = files[name].stat().st_size
                if response.status != 200 or len(body) != want:
                    sys.exit(f"{url}: HTTP {response.status}, {len(body)} bytes (want 200, {want})")
            wrk(page_url, 2, connections)  # warm-up: connections, each worker's copy
            wrk(urls["static"], 2, connections)
            results = {name: wrk(url, seconds, connections) for name, url in urls.items()}
            before = builds_so_far()
            results["cached"] = wrk(page_url, seconds, connections)
            results["cached_builds"] = builds_so_far() - before
            stop, expiries = threading.Event(), []
            bumper = threading.Thread(target=expiring, args=(org, expire_every, stop, expiries))
            before = builds_so_far()
            bumper.start()
            try:
                results["expiring"] = wrk(page_url, seconds, connections)
            finally:
                stop.set()
                bumper.join()
            time.sleep(0.5)  # a rebuild started by the last expiry
            results["expiring_builds"] = builds_so_far() - before
            results["expiries"] = len(expiries)
    finally:
        os.environ.pop("GUNICORN_CMD_ARGS", None)
        for path in files.values():
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()
    return results


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--renders", type=int, default=200, help="uncached requests timed in-process")
    parser.add_argument("--expire-every", type=float, default=2.0, help="seconds between expiries under load")
    parser.add_argument("--profile", action="store_true", help="profile the uncached render even if on target")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")

    setup_environment("statusapp_bench_pages")
    ensure_database()
    import django

    django.setup()
    from django.conf import settings

    from accounts.redis_client import client

    if not settings.REDIS_URL:
        sys.exit("Redis is needed: the page cache works by the organization's generation")
    client(settings.REDIS_URL).delete(BUILDS_KEY)
    org, page = prepare()
    path = f"/status/{page.slug}/"

    render = uncached(org, path, args.renders)
    flight = single_flight(org, path)
    served = under_gunicorn(org, path, render["bytes"], args.seconds, args.connections, args.expire_every)

    print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}, components: {COMPONENTS}, days: {DAYS}, "
          f"open incidents: {INCIDENTS}, gunicorn {WORKERS} sync workers, "
          f"wrk {args.connections} connections x {args.seconds}s")  # fmt: skip
    print(f"page: {render['bytes']:,} bytes of HTML, {render['queries']} SQL queries per uncached render")
    print(
        f"{'uncached render (in-process)':30} {args.renders:8} reqs    p50 {render['p50']:6.1f} ms   "
        f"p99 {render['p99']:6.1f} ms   max {render['max']:.1f} ms   (cached, in-process: p50 "
        f"{render['cached_p50']:.2f} ms)"
    )
    print(
        f"single flight, {THREADS} threads at once: {flight['stale']} builds for {flight['rounds']} expiries with a "
        f"stale copy, {flight['empty']} for {flight['rounds']} with none (expected {flight['rounds']} each); "
        f"non-200: {flight['non200']}"
    )
    report(f"static {STATIC_BYTES // 1000} KB file", served["static"])
    report(f"  the same size as the page ({render['bytes'] // 1000} KB)", served["static_page_size"])
    report(f"GET {path} cached", served["cached"])
    report(f"  expiring every {args.expire_every:g}s", served["expiring"])
    print(
        f"builds under load: {served['cached_builds']} while steady; {served['expiring_builds']} for "
        f"{served['expiries']} expiries (expected {served['expiries']})"
    )
    worst = served["expiring"] if served["expiring"]["p99"] > served["cached"]["p99"] else served["cached"]
    ratio = served["expiring"]["rate"] / served["static"]["rate"]
    ratio_steady = served["cached"]["rate"] / served["static"]["rate"]
    targets = {
        f"uncached p50 {render['p50']:.1f} ms < 40 ms": render["p50"] < 40,
        f"uncached p99 {render['p99']:.1f} ms < 120 ms": render["p99"] < 120,
        f"cached/static rate {ratio:.2f} expiring, {ratio_steady:.2f} steady >= 0.5": min(ratio, ratio_steady) >= 0.5,
        f"cached p99 {worst['p99']:.1f} ms < 50 ms": worst["p99"] < 50,
        f"one rebuild per expiry ({served['expiring_builds']}/{served['expiries']}; in-process "
        f"{flight['stale']}/{flight['rounds']}, {flight['empty']}/{flight['rounds']})": served["expiring_builds"]
        <= served["expiries"]
        and flight["stale"] == flight["empty"] == flight["rounds"],
        "no errors": not (
            served["static"]["non2xx"] or served["cached"]["non2xx"] or served["expiring"]["non2xx"] or flight["non200"]
        ),
    }
    for name, ok in targets.items():
        print(f"  {verdict(ok):6} {name}")
    if args.profile or render["p50"] >= 40 or render["p99"] >= 120:
        print("\nuncached render, 50 requests, top 15 by cumulative time:")
        print(profile(org, path))


if __name__ == "__main__":
    main()

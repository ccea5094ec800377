"""The product under a mixed load while its check engine runs, and the rate limiter under 50 clients.

Usage: .venv/bin/python bench/load.py [--monitors 10000] [--interval 60] [--seconds 60]
           [--connections 4] [--workers 2] [--heartbeats 1000] [--plan free]   (or: make load)

Needs wrk (`apt-get install -y wrk`), PostgreSQL and Redis on 127.0.0.1. DATABASE_URL
(default .../statusapp_load; its name must start with statusapp_load: it is created if
missing, migrated and its monitors wiped), REDIS_URL (default db 11) and CELERY_BROKER_URL
(default db 12): both Redis databases are flushed at the start, so db 0 is refused. The
check target is nginx when installed (`apt-get install -y nginx`), else an aiohttp process.

Set up: an enterprise organization with --monitors http monitors on --interval against the
loopback target, a read API key (apikeys.services, hashed as in production) and a public
status page of 20 of them in 4 groups; a second organization with --heartbeats heartbeat
monitors (UP); a third on --plan with its own key. Then gunicorn (bench.wsgi, --workers sync
workers), one celery beat and one celery worker (-c --concurrency prefork) run, and after
--warmup seconds (near its end the engine's tables are vacuumed and analyzed, as autovacuum
would have done by then; see VACUUMED):

1. Mixed load: three wrk processes at once for --seconds, --connections each:
     GET /api/monitors?limit=100   (Bearer key; the organization's limit is 10^9 an hour)
     GET /status/bench-load/       (the public page)
     GET /ping/<token>             (a Lua script cycles through every heartbeat's token)
   Printed for each: requests/s, p50, p99, non-2xx responses, socket errors. Then where the
   CPU went in the window (/proc: the machine, gunicorn, celery, this database's PostgreSQL
   backends, wrk and the target, and anything else: Redis and other people's work, which
   the figures depend on); the check engine's figures for the same window, from the
   CheckResult rows of the http monitors (bench/harness.check_figures): checks/s done against
   due, the share of due slots run, lag (started_at - scheduled_at) p50/p99, DOWN results,
   checks/s per 10 s of the window; and how many heartbeats were pinged in the window and
   are still UP.
2. Rate limiter: wrk with 50 connections for --limiter-seconds against
   GET /api/monitors?limit=1 with the --plan organization's key. Counted three ways: by wrk
   (a Lua script counts statuses, and checks each 429 is `rate_limited`), by the gunicorn
   workers themselves (a post_request hook in this module, gunicorn's --config, counts per
   worker process and status in Redis), and the window's counter in Redis. If the hour window
   rolls over during the run, that is said and the run is made again with a fresh organization.

Exits non-zero, saying why, when an expectation is missed: an endpoint's non-2xx responses
plus socket errors above 0.1% of its requests; fewer than 99% of the due check slots run, a
check lag p99 of 5 s or more, or DOWN results above 0.1% (the target always answers 200); a
heartbeat not pinged or not UP; the limiter admitting more than the plan's hourly limit, or
fewer, or answering anything but 200 and 429, or its requests not spread over two workers or
more. The logs (gunicorn, celery) are then kept and their directory printed.
"""

import argparse
import functools
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    CYCLE_PATHS_LUA,
    TICK,
    check_figures,
    children,
    create_http_monitors,
    ensure_database,
    gunicorn,
    machine_busy,
    own_cpu,
    setup_environment,
    start_celery,
    start_target,
    stop,
    tree_cpu,
    wrk,
)

SLUG = "bench-load"  # the organization with the http monitors, and its status page
PAGE_COMPONENTS, PAGE_GROUPS = 20, ("API", "Web", "Workers", "Storage")
HEARTBEAT_INTERVAL, HEARTBEAT_GRACE = 60, 60
API_PATH = "/api/monitors?limit=100"
LIMITER_PATH, LIMITER_QUERY = "/api/monitors", "limit=1"  # the limiter's requests, and only they
LIMITER_COUNTS = "bench:load:limiter"  # Redis hash: "<worker pid> <status>" -> responses
LIMITER_CONNECTIONS = 50
ERROR_SHARE = 0.001  # non-2xx + socket errors allowed per endpoint, and DOWN results
MIN_RUN_PCT = 99.0  # of the due check slots
MAX_LAG_P99 = 5.0  # seconds, as bench/checks.py's --ceiling


# --- gunicorn config (--config python:bench.load): gunicorn reads only its own setting names
# from this module, here post_request; module-level names are upper case or private otherwise.


@functools.cache
def _redis():
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"])


def post_request(worker, req, environ, resp) -> None:
    """In each gunicorn worker: count the limiter's responses by worker process and status."""
    if resp is not None and req.path == LIMITER_PATH and req.query == LIMITER_QUERY:
        _redis().hincrby(LIMITER_COUNTS, f"{os.getpid()} {resp.status_code}", 1)


# --- wrk scripts -----------------------------------------------------------------------

# Counts responses by status (a 429 whose body is not the plan's `rate_limited` apart) and
# prints the totals of every thread when wrk is done.
STATUS_LUA = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  local key = tostring(status)
  if status == 429 and not string.find(body, '"rate_limited"', 1, true) then key = "429 other" end
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("statuses")) do total[key] = (total[key] or 0) + count end
  end
  for key, count in pairs(total) do io.write(string.format("status %s: %d\\n", key, count)) end
end
"""


# --- set-up ----------------------------------------------------------------------------


def configure_environment() -> None:
    """This benchmark's own database and Redis databases; refuses any it must not wipe."""
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/12")
    setup_environment("statusapp_load")
    os.environ["STATUSAPP_ALLOW_PRIVATE_TARGETS"] = "1"  # the target is on 127.0.0.1
    database = os.environ["DATABASE_URL"]
    if not database.startswith("postgres") or not database.rpartition("/")[2].startswith("statusapp_load"):
        sys.exit(f"bench/load.py wipes its database: DATABASE_URL must be PostgreSQL's statusapp_load…, not {database}")
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        url = os.environ[name]
        if not url.startswith("redis") or (urlsplit(url).path.strip("/") or "0") == "0":
            sys.exit(f"bench/load.py flushes {name}: it must be a Redis database other than 0, not {url}")


def flush_redis() -> None:
    import redis

    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        redis.Redis.from_url(os.environ[name]).flushdb()  # this benchmark's databases only


@dataclass
class Limited:
    organization_id: str
    key: str
    limit: int


@dataclass
class Setup:
    organization_id: str  # the http monitors', the API key's and the page's
    jobs_id: str  # the heartbeats'
    api_key: str
    page_path: str
    tokens: list[str]
    limited: Limited


def limited_organization(plan: str) -> Limited:
    """A fresh organization on `plan` with a read key and three monitors (its counter starts at 0)."""
    from accounts.models import Organization
    from apikeys.services import api_key_create
    from monitors.services import monitor_create

    organization = Organization.objects.create(
        name=f"Bench load {plan}", slug=f"{SLUG}-{plan}-{time.time_ns()}", plan=plan
    )
    for i in range(3):
        monitor_create(organization=organization, name=f"Site {i}", type="http", url=f"https://s{i}.example.com/")
    _, raw_key = api_key_create(organization=organization, name="bench load limiter", permission="read")
    return Limited(organization.id, raw_key, organization.requests_per_hour)


def prepare(args, target_url: str) -> Setup:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Organization
    from accounts.plans import Plan
    from apikeys.services import api_key_create
    from monitors.models import Monitor
    from monitors.services import monitor_create
    from statuspages.models import StatusPage
    from statuspages.services import status_page_create

    with connection.cursor() as cursor:  # a database of its own: TRUNCATE beats a cascading delete
        cursor.execute("TRUNCATE monitors_monitor CASCADE")
    StatusPage.objects.filter(slug=SLUG).delete()
    Organization.objects.filter(slug__startswith=SLUG).delete()

    jobs = Organization.objects.create(name="Bench load jobs", slug=f"{SLUG}-jobs", plan=Plan.ENTERPRISE)
    tokens = [
        monitor_create(
            organization=jobs,
            name=f"Job {i}",
            type=Monitor.Type.HEARTBEAT,
            interval=HEARTBEAT_INTERVAL,
            grace=HEARTBEAT_GRACE,
        ).ping_token
        for i in range(args.heartbeats)
    ]
    # They start as the common case, UP and just pinged (one ping each would be a transition).
    Monitor.objects.filter(organization=jobs).update(
        status=Monitor.Status.UP, last_ping_at=timezone.now(), last_ping_kind="success"
    )
    limited = limited_organization(args.plan)

    org = Organization.objects.create(
        name="Bench load", slug=SLUG, plan=Plan.ENTERPRISE, custom_requests_per_hour=10**9
    )
    _, api_key = api_key_create(organization=org, name="bench load", permission="read")
    # Last, so that the engine starts soon after their first slots (now + 5 s).
    create_http_monitors(org, args.monitors, args.interval, target_url)
    shown = Monitor.objects.filter(organization=org).order_by("id")[:PAGE_COMPONENTS]
    per_group = PAGE_COMPONENTS // len(PAGE_GROUPS)
    page = status_page_create(
        organization=org,
        name="Bench load status",
        slug=SLUG,
        components=[(monitor, PAGE_GROUPS[i // per_group]) for i, monitor in enumerate(shown)],
    )
    return Setup(org.id, jobs.id, api_key, f"/status/{page.slug}/", tokens, limited)


# --- under load ------------------------------------------------------------------------


def sanity(base: str, setup: Setup) -> None:
    """One request to each URL, its answer checked, before any load."""
    import json
    import urllib.request

    request = urllib.request.Request(f"{base}{API_PATH}", headers={"Authorization": f"Bearer {setup.api_key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    assert len(body["data"]) == 100, f"{API_PATH}: {len(body['data'])} monitors, want 100"
    with urllib.request.urlopen(f"{base}{setup.page_path}", timeout=10) as response:
        assert b"Bench load status" in response.read(), f"{setup.page_path}: the page's name is missing"
    with urllib.request.urlopen(f"{base}/ping/{setup.tokens[0]}", timeout=10) as response:
        assert response.read().strip() == b"OK", "/ping/<token>: not OK"


def endpoints(base: str, setup: Setup, tmp: Path) -> dict[str, tuple]:
    """The mixed load's three wrk runs: name -> (url, headers, script)."""
    paths_file, paths_script = tmp / "pings.txt", tmp / "paths.lua"
    paths_file.write_text("".join(f"/ping/{token}\n" for token in setup.tokens))
    paths_script.write_text(CYCLE_PATHS_LUA)
    return {
        f"GET {API_PATH}": (f"{base}{API_PATH}", [f"Authorization: Bearer {setup.api_key}"], ()),
        f"GET {setup.page_path}": (f"{base}{setup.page_path}", (), ()),
        f"GET /ping/<token> ({len(setup.tokens)} tokens)": (base, (), (str(paths_script), str(paths_file))),
    }


def at_once(runs: dict[str, tuple], seconds: int, connections: int) -> dict[str, dict]:
    """The wrk runs, all at the same time."""
    with ThreadPoolExecutor(len(runs)) as pool:
        futures = {
            name: pool.submit(wrk, url, seconds, connections, headers=headers, script=script)
            for name, (url, headers, script) in runs.items()
        }
        return {name: future.result() for name, future in futures.items()}


def cpu_snapshot(celery: list[int]) -> dict[str, float]:
    """CPU seconds so far: the machine's busy and total time, this process tree (gunicorn, celery,
    the target, wrk: all started from here), gunicorn's and celery's trees, and this database's
    PostgreSQL backends."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    gunicorns = [pid for pid in children(os.getpid()) if b"gunicorn" in _cmdline(pid)]
    busy, total = machine_busy()
    return {
        "machine": busy / TICK,
        "capacity": total / TICK,
        "bench": tree_cpu([os.getpid()]),
        "gunicorn": tree_cpu(gunicorns),
        "celery": tree_cpu(celery),
        "postgres": own_cpu(backends),
    }


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def limiter_run(base: str, limited: Limited, seconds: int, tmp: Path) -> dict:
    """50 connections against the limited organization's key; counted by wrk, by the workers, by Redis."""
    from django.conf import settings

    from accounts.ratelimit import window_key, window_start

    script = tmp / "statuses.lua"
    script.write_text(STATUS_LUA)
    _redis().delete(LIMITER_COUNTS)
    window = window_start(time.time())
    result = wrk(
        f"{base}{LIMITER_PATH}?{LIMITER_QUERY}",
        seconds,
        LIMITER_CONNECTIONS,
        headers=[f"Authorization: Bearer {limited.key}"],
        script=[str(script)],
    )
    windows = list(range(window, window_start(time.time()) + 1, settings.RATELIMIT_WINDOW))
    time.sleep(1)  # requests wrk left in flight at its deadline: answered, and counted by the hook
    client = {key: int(n) for key, n in re.findall(r"^status (.+): (\d+)$", result["output"], re.MULTILINE)}
    server: dict[int, dict[str, int]] = {}
    for field, count in _redis().hgetall(LIMITER_COUNTS).items():
        pid, status = field.decode().split()
        server.setdefault(int(pid), {})[status] = int(count)
    counters = [int(_redis().get(window_key(limited.organization_id, w)) or 0) for w in windows]
    return {"wrk": result, "client": client, "server": server, "windows": len(windows), "counters": counters}


# --- figures -----------------------------------------------------------------------------


def checks_per_slice(organization_id: str, window_start: float, window_end: float, slice_seconds: int = 10) -> list:
    """Checks/s started in each whole `slice_seconds` of the window."""
    from datetime import UTC, datetime

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT floor((extract(epoch FROM r.started_at) - %s) / %s)::int, count(*)"
            " FROM monitors_checkresult r JOIN monitors_monitor m ON m.id = r.monitor_id"
            " WHERE m.organization_id = %s AND r.started_at >= %s AND r.started_at < %s GROUP BY 1",
            [
                window_start,
                slice_seconds,
                organization_id,
                datetime.fromtimestamp(window_start, UTC),
                datetime.fromtimestamp(window_end, UTC),
            ],
        )
        counts = dict(cursor.fetchall())
    return [counts.get(i, 0) / slice_seconds for i in range(int((window_end - window_start) // slice_seconds))]


def heartbeats_after(jobs_id: str, window_start: float) -> tuple[int, int]:
    """(heartbeats pinged since the window started, heartbeats not UP)."""
    from datetime import UTC, datetime

    from monitors.models import Monitor

    mine = Monitor.objects.filter(organization_id=jobs_id)
    pinged = mine.filter(last_ping_at__gte=datetime.fromtimestamp(window_start, UTC)).count()
    return pinged, mine.exclude(status=Monitor.Status.UP).count()


# The tables the engine fills, left as autovacuum would leave them: they were emptied at the
# start and this server may run with autovacuum off (the CI's does). Without statistics the
# planner reads each listed monitor's 24-hour uptime through the (period, bucket) index,
# filtering every monitor's rollups of the hour: 160 ms per 100-monitor page instead of 1 ms.
VACUUMED = ("monitors_monitor", "monitors_rollup", "monitors_checkresult")


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in VACUUMED:
            cursor.execute(f"VACUUM ANALYZE {table}")


def autovacuum() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0]


def load_run(args, tmp: Path, target_url: str) -> dict:
    setup_started = time.time()
    setup = prepare(args, target_url)
    setup_seconds = time.time() - setup_started
    processes = start_celery(tmp, 1, args.concurrency)
    celery, engine_started = [process.pid for process in processes], time.time()
    try:
        with gunicorn(args.workers, config="python:bench.load", log=tmp / "gunicorn.log") as base:
            sanity(base, setup)
            runs = endpoints(base, setup, tmp)
            time.sleep(max(0.0, engine_started + args.warmup - 5 - time.time()))
            vacuum_analyze()
            at_once(runs, 3, args.connections)  # warm-up: each worker's kept key, list page and status page
            print(f"set up in {setup_seconds:.0f}s; mixed load for {args.seconds}s ...", flush=True)
            cpu_start, window_start = cpu_snapshot(celery), time.time()
            results = at_once(runs, args.seconds, args.connections)
            cpu_end, window_end = cpu_snapshot(celery), time.time()
            load = os.getloadavg()
            print(f"rate limiter: {LIMITER_CONNECTIONS} connections for {args.limiter_seconds}s ...", flush=True)
            limiter = limiter_run(base, setup.limited, args.limiter_seconds, tmp)
            reruns = 0
            while limiter["windows"] > 1 and reruns < 2:
                print("  the hour window rolled over during the run: again, with a fresh organization", flush=True)
                reruns += 1
                setup.limited = limited_organization(args.plan)
                limiter = limiter_run(base, setup.limited, args.limiter_seconds, tmp)
            # The slots due just before the window's end were claimed up to the lookahead early.
            time.sleep(max(0.0, window_end + 5 - time.time()))
    finally:
        stop(processes)
    return {
        "setup": setup,
        "http": results,
        "window": (window_start, window_end),
        "load": load,
        "cpu": {name: cpu_end[name] - cpu_start[name] for name in cpu_start},
        "limiter": limiter,
        "limiter_reruns": reruns,
        "checks": check_figures(setup.organization_id, args.interval, window_start, window_end),
        "slices": checks_per_slice(setup.organization_id, window_start, window_end),
        "heartbeats": heartbeats_after(setup.jobs_id, window_start),
    }


def report(args, run: dict, target_name: str) -> list[tuple[bool, str]]:
    """Prints the figures; returns the expectations as (met, what)."""
    expectations = []
    window_start, window_end = run["window"]
    print(
        f"\nmixed load: {window_end - window_start:.1f}s, gunicorn {args.workers} sync workers, "
        f"wrk {args.connections} connections per endpoint, while {args.monitors:,} http monitors are "
        f"checked every {args.interval}s (1 celery beat, 1 worker -c {args.concurrency}) against {target_name}; "
        f"load average {run['load'][0]:.2f}"
    )
    print(f"{'':44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'non-2xx':>8} {'socket err':>10}")
    for name, r in run["http"].items():
        print(
            f"{name:44} {r['rate']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {r['total']:9,} {r['non2xx']:8} "
            f"{r['socket_errors']:10}"
        )
        errors = r["non2xx"] + r["socket_errors"]
        expectations.append(
            (
                r["total"] > 0 and errors <= ERROR_SHARE * r["total"],
                f"{name}: {errors} errors in {r['total']:,} requests (at most {ERROR_SHARE:.1%})",
            )
        )

    cpu, seconds = run["cpu"], window_end - window_start
    cores = {name: value / seconds for name, value in cpu.items()}
    print(
        f"CPU in the window, in cores: machine {cores['machine']:.2f} busy of {cores['capacity']:.0f}; this "
        f"benchmark {cores['bench'] + cores['postgres']:.2f} (gunicorn {cores['gunicorn']:.2f}, celery "
        f"{cores['celery']:.2f}, PostgreSQL backends {cores['postgres']:.2f}, wrk + target "
        f"{cores['bench'] - cores['gunicorn'] - cores['celery']:.2f}); anything else "
        f"{cores['machine'] - cores['bench'] - cores['postgres']:.2f} (Redis, other people's work)"
    )

    c = run["checks"]
    print(
        f"check engine, same window: {c['rate']:.1f} checks/s done, {c['due_rate']:.1f} due; "
        f"{c['ran']:,} of {c['due']:,} due slots run ({c['run_pct']:.2f}%); lag p50 {1000 * c['lag_p50']:.0f} ms, "
        f"p99 {1000 * c['lag_p99']:.0f} ms (max {1000 * c['lag_max']:.0f} ms); DOWN results {c['down']}"
    )
    slices = " ".join(f"{rate:.0f}" for rate in run["slices"])
    print(f"  checks/s per 10 s of the window: {slices}")
    expectations += [
        (c["run_pct"] >= MIN_RUN_PCT, f"checks: {c['run_pct']:.2f}% of the due slots run (at least {MIN_RUN_PCT}%)"),
        (c["lag_p99"] < MAX_LAG_P99, f"checks: lag p99 {1000 * c['lag_p99']:.0f} ms (under {MAX_LAG_P99:.0f} s)"),
        (c["down"] <= ERROR_SHARE * max(c["ran"], 1), f"checks: {c['down']} DOWN results (at most {ERROR_SHARE:.1%})"),
    ]
    pinged, not_up = run["heartbeats"]
    total = len(run["setup"].tokens)
    print(f"heartbeats: {pinged:,} of {total:,} pinged in the window, {not_up} not UP afterwards")
    expectations.append((pinged == total and not_up == 0, f"heartbeats: {pinged}/{total} pinged, {not_up} not UP"))

    lim, limit = run["limiter"], run["setup"].limited.limit
    server_admitted = sum(statuses.get("200", 0) for statuses in lim["server"].values())
    server_refused = sum(statuses.get("429", 0) for statuses in lim["server"].values())
    server_other = sum(n for statuses in lim["server"].values() for s, n in statuses.items() if s not in ("200", "429"))
    client_admitted, client_refused = lim["client"].get("200", 0), lim["client"].get("429", 0)
    client_other = sum(n for key, n in lim["client"].items() if key not in ("200", "429"))
    allowed = limit * lim["windows"]
    w = lim["wrk"]
    print(
        f"rate limiter: {args.plan} plan, {limit} requests/hour; wrk {LIMITER_CONNECTIONS} connections x "
        f"{args.limiter_seconds}s on GET {LIMITER_PATH}?{LIMITER_QUERY}, {w['rate']:.0f} req/s, "
        f"p50 {w['p50']:.1f} ms, p99 {w['p99']:.1f} ms"
        + (f" (rerun {run['limiter_reruns']}x: the hour rolled over)" if run["limiter_reruns"] else "")
    )
    print(
        f"  admitted {server_admitted}, refused {server_refused}, other {server_other} (gunicorn workers' count); "
        f"limit {limit}"
    )
    print(
        f"  wrk saw: {client_admitted} 200, {client_refused} 429 rate_limited, other {client_other} "
        f"({w['total']:,} responses, {w['socket_errors']} socket errors)"
    )
    for pid, statuses in sorted(lim["server"].items()):
        print(f"  worker pid {pid}: admitted {statuses.get('200', 0)}, refused {statuses.get('429', 0)}")
    print(f"  Redis counter of the hour window: {' + '.join(map(str, lim['counters']))}")
    admitting = sum(1 for statuses in lim["server"].values() if statuses.get("200"))
    expectations += [
        (server_admitted <= allowed, f"limiter: admitted {server_admitted}, no more than the plan's {allowed}"),
        (server_admitted >= allowed, f"limiter: admitted {server_admitted}, no fewer than the plan's {allowed}"),
        (
            client_admitted <= server_admitted and server_other == client_other == 0 and w["socket_errors"] == 0,
            f"limiter: only 200 and 429 rate_limited answered, wrk agrees ({client_admitted} 200 seen), "
            f"{w['socket_errors']} socket errors",
        ),
        (sum(lim["counters"]) == server_admitted, f"limiter: Redis counted {sum(lim['counters'])} admitted"),
        (
            len(lim["server"]) >= 2 and admitting >= 2,
            f"limiter: requests served by {len(lim['server'])} workers, admitted by {admitting} (at least 2 each)",
        ),
    ]
    return expectations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--monitors", type=int, default=10_000, help="http monitors checked during the load")
    parser.add_argument("--interval", type=int, default=60, help="their check interval (seconds)")
    parser.add_argument("--seconds", type=int, default=60, help="length of the mixed load")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (at least 2)")
    parser.add_argument("--concurrency", type=int, default=6, help="-c of the celery worker (prefork)")
    parser.add_argument("--heartbeats", type=int, default=1_000, help="heartbeat monitors the pings spread over")
    parser.add_argument("--warmup", type=int, default=20, help="seconds the engine runs before the load")
    parser.add_argument("--plan", default="free", choices=["free", "starter", "professional", "business"])
    parser.add_argument("--limiter-seconds", type=int, default=5)
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers: at least 2, so the limiter is shared across processes")
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")

    started = time.time()
    configure_environment()
    ensure_database()
    import django

    django.setup()
    flush_redis()
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    target, target_url, target_name = start_target(tmp)
    try:
        print(
            f"database {os.environ['DATABASE_URL'].split('@')[-1]}, cache {os.environ['REDIS_URL']}, "
            f"broker {os.environ['CELERY_BROKER_URL']}, target {target_name}, {os.cpu_count()} CPUs, "
            f"load {os.getloadavg()[0]:.2f}; PostgreSQL autovacuum {autovacuum()} (the run vacuums and analyzes "
            f"the engine's tables itself after the warm-up)",
            flush=True,
        )
        run = load_run(args, tmp, target_url)
        expectations = report(args, run, target_name)
    except BaseException:
        print(f"logs kept in {tmp}", file=sys.stderr)
        raise
    finally:
        target.terminate()
        target.wait(10)
    print()
    for met, what in expectations:
        print(f"  {'ok' if met else 'MISSED':6} {what}")
    missed = [what for met, what in expectations if not met]
    print(f"wall time {time.time() - started:.0f}s")
    if missed:
        sys.exit(f"bench/load.py: {len(missed)} expectation(s) missed; logs kept in {tmp}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

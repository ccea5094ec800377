"""The check engine end to end, measured from the target's side: N http monitors checked by
StatusApp run as `make run` runs it, against a loopback target that records every request.

Usage: .venv/bin/python bench/checks.py [--monitors 10000] [--interval 30] [--warmup interval+30]
           [--duration warmup+2*interval] [--fresh]
           [--layout run | --layout celery --workers 1 --concurrency 2]
           [--ceiling [--step 1.25]] [--baseline-count 30000 (0: none)]

Needs PostgreSQL and Redis on 127.0.0.1. DATABASE_URL (default .../statusapp_checks) is
created if missing and migrated, and its monitors and results are wiped; CELERY_BROKER_URL
and REDIS_URL (default Redis db 14, the bench's own) are flushed. The target is nginx (one
worker) when installed (`apt-get install -y nginx`), else an aiohttp server process; either
answers 200 "ok" and writes a line per request (arrival time, path) to a file. Each monitor
has a path of its own, /m/<monitor id>.

Layouts: `run` (default) is `python -m statusapp.run`, what `make run` execs after migrating:
the Procfile's gunicorn web (2 workers), celery worker (--concurrency 2) and celery beat,
with the product's settings, its own var/ and PORT, and DATABASE_URL, REDIS_URL,
CELERY_BROKER_URL and STATUSAPP_ALLOW_PRIVATE_TARGETS=1 (createcachetable and collectstatic
are left out: with Redis the cache needs no table, and no page is asked for). `celery` is
only celery beat and --workers prefork workers of --concurrency processes (bench settings),
to compare with.

The monitors' first slots are spread on their grid from now + 5 s, and they are UP as if
checked before: the figures are the steady state. With --fresh they start PENDING, so the
first lap is a transition per monitor (a mass import's burst: StatusChanges, incident
processing) and the window shows how the engine comes back on time after it. Once the
processes say they are ready, --warmup seconds are left out (by default the first lap and
half a minute), then the window runs to --duration (by default two more laps). Every
figure comes from the target's lines whose arrival lies in the window, not from the
engine's own timestamps:
  slots run      requests received / the grid slots due in the window (every monitor's,
                 exactly: bench/harness.due_slots)
  gap deviation  for each monitor, each two consecutive requests a, b in the window:
                 |b - a - interval|; p50, p95, p99, max, and the share of gaps off by more
                 than 250 ms (a missed slot shows as an interval's worth)
  CPU per check  whole-machine busy time (/proc/stat) in the window, less the target's
                 (nginx's process tree) and this process's own, / requests received; split
                 by process group (/proc/<pid>/stat, children reaped included): web, worker
                 (its tree), beat, the launcher, PostgreSQL (the server on the database's
                 port, all its processes), Redis, and other: the rest, which the machine
                 figure includes (interrupt time, the loopback's packets mostly, and other
                 people's work on this machine: the busiest other processes are named)
  worker memory  RSS of the worker's process tree at the window's start and end, MiB
  results        CheckResult rows started in the window and how many are DOWN: a lost
                 result shows as fewer rows than requests (the target always answers 200)
Each run prints the command that made it and a row in the issue's table format:
  | N @ I s (rate/s) | slots run % | gap dev p50 / p95 / p99 | gaps > 250 ms | CPU µs/check |

Then a raw aiohttp loop in one process does --baseline-count new-connection GETs against the
same target (force_close, no DNS cache: what the engine's checks were before they dropped
aiohttp's client for their own exchange) as fast as it can, to compare with.

--ceiling then steps N up by --step at the same interval until the gap deviation p99 passes
250 ms or fewer than 99.9% of the slots run, and reports the largest N that stayed under.
"""

import argparse
import asyncio
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from harness import (
    PYTHON,
    TICK,
    Process,
    create_http_monitors,
    descendants,
    due_slots,
    ensure_database,
    free_port,
    machine_busy,
    own_cpu,
    percentile,
    process_table,
    recorded_requests,
    rss_mib,
    setup_environment,
    start_celery,
    start_run,
    start_target,
    stop,
    wait_ready,
)

os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CELERY_BROKER_URL", os.environ["REDIS_URL"])
setup_environment("statusapp_checks")
os.environ["STATUSAPP_ALLOW_PRIVATE_TARGETS"] = "1"

LATE = 0.250  # seconds: a gap off by more than this is late (the bound for the p99)
MIN_RUN = 99.9  # % of the due slots, for --ceiling
SETTLE = 5  # seconds after the window: the slots due at its end finish, the target's log flushes
# Where the CPU goes: the product's processes, then the target and this process (left out).
PRODUCT_GROUPS = ("web", "worker", "beat", "launcher", "postgres", "redis")


# --- the database ----------------------------------------------------------------------------


def create_monitors(count: int, interval: int, url: str, *, fresh: bool) -> str:
    """Wipe the bench database's monitors, create `count` http monitors on their grid, each
    with its own path on `url`'s host, UP as if checked before (`fresh`: PENDING, so each
    first check is a transition); returns their organization's id."""
    from django.db import connection

    from accounts.models import Organization

    with connection.cursor() as cursor:  # a database of its own: TRUNCATE beats a cascading delete
        cursor.execute("TRUNCATE monitors_monitor CASCADE")
    org, _ = Organization.objects.get_or_create(slug="bench-checks", defaults={"name": "Bench checks"})
    create_http_monitors(org, count, interval, url + "/m/{monitor_id}", status="PENDING" if fresh else "UP")
    return org.id


def monitor_ids(organization_id: str) -> list[str]:
    from monitors.models import Monitor

    return list(Monitor.objects.filter(organization_id=organization_id).values_list("id", flat=True))


def results_in(organization_id: str, window_start: float, window_end: float) -> tuple[int, int]:
    """(CheckResult rows started in the window, of which DOWN)."""
    from django.db import connection

    start_dt, end_dt = (datetime.fromtimestamp(t, UTC) for t in (window_start, window_end))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE r.status = 'DOWN') FROM monitors_checkresult r"
            " JOIN monitors_monitor m ON m.id = r.monitor_id"
            " WHERE m.organization_id = %s AND r.started_at >= %s AND r.started_at < %s",
            [organization_id, start_dt, end_dt],
        )
        rows, down = cursor.fetchone()
    return rows, down


def server_pids() -> dict[str, int]:
    """The PostgreSQL server (its postmaster) and Redis server these settings talk to."""
    import redis
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        postmaster = process_table()[cursor.fetchone()[0]].parent  # while the backend lives
    connection.close()
    return {"postgres": postmaster, "redis": redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")["process_id"]}


# --- the product's processes and where the CPU goes ---------------------------------------------


def start_product(args, tmp: Path) -> tuple[list[subprocess.Popen], dict[str, list[int]]]:
    """The processes of --layout, running and ready; and the root pids of each group (web,
    worker, beat, launcher), whose process trees are counted."""
    if args.layout == "celery":
        processes = start_celery(tmp, args.workers, args.concurrency, ready_dir=tmp / "ready")
        try:
            wait_ready(tmp / "ready")
        except RuntimeError:
            stop(processes)
            raise
        roots = {"web": [], "worker": [p.pid for p in processes[1:]], "beat": [processes[0].pid], "launcher": []}
        return processes, roots
    launcher = start_run(tmp, free_port())
    roots: dict[str, list[int]] = {"web": [], "worker": [], "beat": []}
    for pid, process in process_table().items():
        if process.parent == launcher.pid:
            roots[procfile_name(pid)].append(pid)
    return [launcher], {**roots, "launcher": [launcher.pid]}


def procfile_name(pid: int) -> str:
    """Which of the Procfile's processes this one is, from its command line."""
    arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    if any(argument.endswith(b"gunicorn") for argument in arguments):
        return "web"
    return "beat" if b"beat" in arguments else "worker"


def cpu_by_group(table: dict[int, Process], roots: dict[str, list[int]]) -> tuple[dict[str, float], dict[int, str]]:
    """CPU seconds of each group's process trees, a process counting in the first group holding
    it (the launcher's tree holds web, worker and beat: what is left is its own); and the other
    processes (not this one's either), pid -> name."""
    seen = {os.getpid()}
    cpu = {}
    for name, pids in roots.items():
        members = descendants(pids, table) - seen
        seen |= members
        cpu[name] = sum(table[pid].cpu for pid in members)
    return cpu, {pid: process.name for pid, process in table.items() if pid not in seen}


def kernel_cpu() -> float:
    """CPU seconds the machine spent in interrupts (the loopback's packets, mostly), which no
    process is charged with."""
    values = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return (int(values[6]) + int(values[7])) / TICK  # irq, softirq


def snapshot(roots: dict[str, list[int]]) -> dict:
    """CPU seconds so far (the machine's busy time, its interrupts', this process's own, each
    group's, every other process's) and the worker tree's RSS."""
    table = process_table()
    groups, others = cpu_by_group(table, roots)
    return {
        "time": time.time(),
        "machine": machine_busy()[0] / TICK,
        "kernel": kernel_cpu(),
        "bench": own_cpu([os.getpid()]),
        "groups": groups,
        "others": {pid: (name, table[pid].cpu) for pid, name in others.items()},
        "worker_rss": rss_mib(descendants(roots["worker"], table)),
    }


def busiest_others(start: dict, end: dict, count: int = 3) -> list[tuple[str, float]]:
    """The other processes that used the most CPU in the window, by name: (name, seconds)."""
    by_name: dict[str, float] = {}
    for pid, (name, cpu) in end["others"].items():
        before = start["others"].get(pid)
        by_name[name] = by_name.get(name, 0.0) + cpu - (before[1] if before and before[0] == name else 0.0)
    return sorted(by_name.items(), key=lambda item: -item[1])[:count]


# --- one run -----------------------------------------------------------------------------------


def measure(args, monitors: int, base: str, record: Path, target_pid: int, tmp: Path) -> dict:
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    organization_id = create_monitors(monitors, args.interval, base, fresh=args.fresh)
    servers = server_pids()
    processes, roots = start_product(args, tmp)
    roots |= {"postgres": [servers["postgres"]], "redis": [servers["redis"]], "target": [target_pid]}
    ready = time.time()
    try:
        time.sleep(max(0.0, ready + args.warmup - time.time()))
        start = snapshot(roots)
        time.sleep(max(0.0, ready + args.duration - time.time()))
        end = snapshot(roots)
        load = os.getloadavg()
        time.sleep(SETTLE)
    finally:
        stop(processes)
    ids = monitor_ids(organization_id)
    window = (start["time"], end["time"])
    return {
        "monitors": monitors,
        "seconds": window[1] - window[0],
        "due": due_slots(ids, args.interval, *window),
        **target_figures(record, set(ids), args.interval, *window),
        "results": results_in(organization_id, *window),
        "cpu": {name: end[name] - start[name] for name in ("machine", "kernel", "bench")}
        | {name: end["groups"][name] - start["groups"][name] for name in roots},
        "busiest_others": busiest_others(start, end),
        "worker_rss": (start["worker_rss"], end["worker_rss"]),
        "load": load,
    }


def target_figures(record: Path, ids: set[str], interval: int, window_start: float, window_end: float) -> dict:
    """From the target's lines: requests to these monitors arriving in the window, the
    monitors that got none, and the deviations of their gaps from the interval (sorted)."""
    arrivals: dict[str, list[float]] = {}
    for arrival, path in recorded_requests(record):
        monitor_id = path.removeprefix("/m/")
        if window_start <= arrival < window_end and monitor_id in ids:
            arrivals.setdefault(monitor_id, []).append(arrival)
    deviations = []
    for times in arrivals.values():
        times.sort()
        deviations += [abs(b - a - interval) for a, b in zip(times, times[1:], strict=False)]
    deviations.sort()
    return {
        "requests": sum(len(times) for times in arrivals.values()),
        "silent": len(ids) - len(arrivals),
        "deviations": deviations,
    }


# --- the baseline: a raw aiohttp loop ---------------------------------------------------------


async def _raw_loop(url: str, count: int, concurrency: int) -> None:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0, force_close=True, use_dns_cache=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        left = count

        async def client() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                async with session.get(url) as response:
                    await response.read()

        cpu, start = time.process_time(), time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"rate": count / elapsed, "cpu_per_check_us": 1e6 * cpu / count}))


def baseline(url: str, count: int, concurrency: int) -> dict:
    cmd = [PYTHON, __file__, "--raw-loop", url, "--raw-count", str(count), "--concurrency", str(concurrency)]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


# --- the report ----------------------------------------------------------------------------------


def figures(result: dict) -> dict:
    """What the report and the summary row print, from one run's measurements."""
    deviations, requests, seconds = result["deviations"], result["requests"], result["seconds"]
    cpu = result["cpu"]
    machine = cpu["machine"] - cpu["target"] - cpu["bench"]
    per_check = {name: 1e6 * cpu[name] / max(requests, 1) for name in (*PRODUCT_GROUPS, "target", "bench", "kernel")}
    per_check["other"] = 1e6 * (machine - sum(cpu[name] for name in PRODUCT_GROUPS)) / max(requests, 1)
    late = sum(d > LATE for d in deviations)
    return {
        "run_pct": 100 * requests / result["due"] if result["due"] else float("nan"),
        "gap_ms": [1000 * percentile(deviations, pct) for pct in (50, 95, 99)],
        "gap_max_ms": 1000 * deviations[-1] if deviations else float("nan"),
        "late": late,
        "late_pct": 100 * late / len(deviations) if deviations else float("nan"),
        "cpu_us": 1e6 * machine / max(requests, 1),
        "cores": machine / seconds,
        "per_check_us": per_check,
    }


def summary_row(interval: int, result: dict, f: dict) -> str:
    p50, p95, p99 = f["gap_ms"]
    return (
        f"| {result['monitors']:,} @ {interval} s ({result['monitors'] / interval:,.0f}/s) | {f['run_pct']:.2f} % "
        f"| {p50:.0f} / {p95:.0f} / {p99:.0f} ms | {f['late_pct']:.3f} % | {f['cpu_us']:.0f} µs |"
    )


def report(args, result: dict) -> dict:
    f = figures(result)
    load = " ".join(f"{v:.2f}" for v in result["load"])
    us = f["per_check_us"]
    split = " + ".join(f"{name} {us[name]:.0f}" for name in (*PRODUCT_GROUPS, "other"))
    others = ", ".join(f"{name} {1e6 * cpu / max(result['requests'], 1):.0f}" for name, cpu in result["busiest_others"])
    rows, down = result["results"]
    rss_start, rss_end = result["worker_rss"]
    print(
        f"\nN={result['monitors']:,} @ {args.interval} s ({result['monitors'] / args.interval:,.0f} checks/s due), "
        f"window {result['seconds']:.0f} s after {args.warmup} s, load {load}\n"
        f"  slots run       {f['run_pct']:8.2f} %  ({result['requests']:,} requests at the target / "
        f"{result['due']:,} due; {result['silent']:,} monitors got none)\n"
        f"  gap deviation   p50 {f['gap_ms'][0]:.1f} / p95 {f['gap_ms'][1]:.1f} / p99 {f['gap_ms'][2]:.1f} / "
        f"max {f['gap_max_ms']:.1f} ms; > 250 ms: {f['late']:,} of {len(result['deviations']):,} gaps "
        f"({f['late_pct']:.3f} %)\n"
        f"  CPU per check   {f['cpu_us']:8.0f} µs, the machine less the target and the bench ({f['cores']:.2f} cores)\n"
        f"                  = {split} µs; left out: target {us['target']:.0f}, bench {us['bench']:.0f} µs\n"
        f"                  other: interrupts {us['kernel']:.0f} µs, busiest other processes: {others} µs\n"
        f"  worker memory   RSS {rss_start:.1f} -> {rss_end:.1f} MiB (its process tree)\n"
        f"  results         {rows:,} started in the window ({rows - result['requests']:+,} against the "
        f"requests seen), {down:,} DOWN\n"
        f"{summary_row(args.interval, result, f)}",
        flush=True,
    )
    return f


def passes(f: dict) -> bool:
    return f["gap_ms"][2] <= 1000 * LATE and f["run_pct"] >= MIN_RUN


# --- main ----------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--interval", type=int, default=30, help="seconds between checks of a monitor")
    parser.add_argument(
        "--warmup", type=int, help="seconds left out once the processes are ready (default: interval + 30)"
    )
    parser.add_argument(
        "--duration", type=int, help="seconds from ready to the window's end (default: warm-up + 2 intervals)"
    )
    parser.add_argument("--fresh", action="store_true", help="monitors start PENDING: every first check a transition")
    parser.add_argument("--layout", choices=("run", "celery"), default="run", help="`make run`, or beat + workers")
    parser.add_argument("--workers", type=int, default=1, help="celery worker processes (--layout celery)")
    parser.add_argument("--concurrency", type=int, default=2, help="-c of each worker (--layout celery)")
    parser.add_argument("--baseline-count", type=int, default=30_000, help="GETs of the raw loop (0: none)")
    parser.add_argument("--baseline-concurrency", type=int, default=20, help="GETs in flight in the raw loop")
    parser.add_argument("--ceiling", action="store_true", help="then raise N until the gap p99 passes 250 ms")
    parser.add_argument("--step", type=float, default=1.25, help="factor N grows by in --ceiling")
    parser.add_argument("--raw-loop", help=argparse.SUPPRESS)  # the baseline's own process
    parser.add_argument("--raw-count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.warmup = args.interval + 30 if args.warmup is None else args.warmup
    args.duration = args.warmup + 2 * args.interval if args.duration is None else args.duration
    if args.duration <= args.warmup:
        parser.error("--duration must be longer than --warmup: the window is what lies between them")
    return args


def describe(args, target_name: str, url: str) -> str:
    if args.layout == "run":
        layout = "make run (python -m statusapp.run: the Procfile's web, worker, beat)"
    else:
        layout = f"celery beat + {args.workers} worker(s) x -c {args.concurrency} prefork"
    return (
        f"$ {PYTHON} {shlex.join(sys.argv)}\n"
        f"database {os.environ['DATABASE_URL'].split('@')[-1]}, broker {os.environ['CELERY_BROKER_URL']}, "
        f"cache {os.environ['REDIS_URL']}, target {target_name} {url}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f}\n{layout}; window from {args.warmup} s to {args.duration} s after ready"
    )


def ceiling(args, first: dict, run) -> None:
    """Raise N by --step until a run fails; print the largest N that passed."""
    under, monitors, f = first["monitors"] if passes(first) else None, first["monitors"], first
    while passes(f):
        monitors = int(monitors * args.step)
        f = run(monitors)
        if passes(f):
            under = monitors
    passed = f"up to N={under:,} ({under / args.interval:,.0f} checks/s)" if under else "at no N tried (start lower)"
    print(
        f"\nceiling at {args.interval} s: gap deviation p99 <= 250 ms and slots run >= {MIN_RUN} % "
        f"{passed}; not at N={monitors:,} ({monitors / args.interval:,.0f} checks/s)"
    )


def main() -> None:
    args = arguments()
    if args.raw_loop:
        asyncio.run(_raw_loop(args.raw_loop, args.raw_count, args.concurrency))
        return

    ensure_database()
    import django

    django.setup()
    tmp = Path(tempfile.mkdtemp(prefix="bench-checks-"))
    record = tmp / "requests.log"
    target, url, target_name = start_target(tmp, record=record)
    base = f"http://{urlsplit(url).netloc}"
    try:
        print(describe(args, target_name, base), flush=True)

        def run(monitors: int) -> dict:
            result = measure(args, monitors, base, record, target.pid, tmp)
            return report(args, result) | {"monitors": monitors}

        first = run(args.monitors)
        if args.baseline_count:
            raw = baseline(base + "/baseline", args.baseline_count, args.baseline_concurrency)
            print(
                f"raw aiohttp loop ({args.baseline_count:,} new-connection GETs, {args.baseline_concurrency} in "
                f"flight): {raw['rate']:,.0f} checks/s, CPU/check {raw['cpu_per_check_us']:.0f} µs (its process)"
            )
        if args.ceiling:
            ceiling(args, first, run)
    except BaseException:
        print(f"logs kept in {tmp}", file=sys.stderr)
        raise
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    finally:
        target.terminate()
        target.wait(10)


if __name__ == "__main__":
    main()

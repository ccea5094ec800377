"""The check engine end to end: N http monitors, one celery beat, celery workers, a loopback target.

Usage: .venv/bin/python bench/checks.py [--monitors 10000] [--interval 30] [--duration 180]
           [--workers 1] [--concurrency 6] [--warmup 30] [--ceiling]

Needs PostgreSQL and Redis on 127.0.0.1 (DATABASE_URL, default .../statusapp_checks, is
created if missing and migrated; its monitors and results are wiped; CELERY_BROKER_URL,
default Redis db 13, is flushed). The target is nginx when `nginx` is installed
(`apt-get install -y nginx`), else a small aiohttp server process; either answers 200 "ok".

The monitors' first slots are spread on their grid from now + 5 s; beat and the workers
then run for --duration seconds. Figures come from the CheckResult rows whose slot lies
in the measurement window (after --warmup, before the end):
  checks/s      results started in the window / window length
  lag           started_at - scheduled_at, p50 and p99
  run           results / the grid slots due in the window (every monitor's, exactly)
  spacing       |started_at - previous started_at of the same monitor - interval|, p99
  CPU/check     utime + stime of the beat and worker process trees (/proc) / checks
Then, in the same run, a raw aiohttp loop in one process does new-connection GETs against
the same target (the same session settings as the engine: force_close, no DNS cache) as
fast as it can; its checks/s and CPU per check are the baseline.

--ceiling then steps N up by --step (default x1.25) at the same interval until the p99 lag
passes 5 s, and reports the largest N that stayed under.
"""

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from harness import (
    PYTHON,
    check_figures,
    create_http_monitors,
    ensure_database,
    machine_busy,
    own_cpu,
    setup_environment,
    start_celery,
    start_target,
    stop,
    tree_cpu,
)

setup_environment("statusapp_checks")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
os.environ["STATUSAPP_ALLOW_PRIVATE_TARGETS"] = "1"


# --- the database ----------------------------------------------------------------------------


def create_monitors(count: int, interval: int, url: str) -> str:
    """Wipe the bench database's monitors, create `count` http monitors on their grid; returns
    their organization's id."""
    from django.db import connection

    from accounts.models import Organization

    with connection.cursor() as cursor:  # a database of its own: TRUNCATE beats a cascading delete
        cursor.execute("TRUNCATE monitors_monitor CASCADE")
    org, _ = Organization.objects.get_or_create(slug="bench-checks", defaults={"name": "Bench checks"})
    create_http_monitors(org, count, interval, url)
    return org.id


# --- one run -----------------------------------------------------------------------------------


def measure(args, monitors: int, url: str, tmp: Path) -> dict:
    import redis

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()
    organization_id = create_monitors(monitors, args.interval, url)
    processes = start_celery(tmp, args.workers, args.concurrency)
    roots = [p.pid for p in processes]
    t0 = time.time()
    try:
        time.sleep(max(0.0, t0 + args.warmup - time.time()))
        window_start, cpu_start, busy_start = time.time(), tree_cpu(roots), machine_busy()
        beat_start, parents_start = tree_cpu(roots[:1]), own_cpu(roots[1:])
        time.sleep(max(0.0, t0 + args.duration - time.time()))
        window_end, cpu_end, busy_end = time.time(), tree_cpu(roots), machine_busy()
        beat_cpu, parents_cpu = tree_cpu(roots[:1]) - beat_start, own_cpu(roots[1:]) - parents_start
        load = os.getloadavg()
        # Let the slots due just before the end finish (they were claimed up to the lookahead early).
        time.sleep(5)
    finally:
        stop(processes)

    figures = check_figures(organization_id, args.interval, window_start, window_end)
    started_in_window, seconds = figures["started"], figures["seconds"]
    return {
        **figures,
        "monitors": monitors,
        "cpu_per_check_ms": 1000 * (cpu_end - cpu_start) / max(started_in_window, 1),
        "cores": (cpu_end - cpu_start) / seconds,
        # Where the CPU went, per check: beat, the worker parents (consumers), the pool processes.
        "split_ms": [
            1000 * x / max(started_in_window, 1)
            for x in (beat_cpu, parents_cpu, cpu_end - cpu_start - beat_cpu - parents_cpu)
        ],
        "machine_busy_pct": 100 * (busy_end[0] - busy_start[0]) / max(busy_end[1] - busy_start[1], 1),
        "load": load,
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
    print(json.dumps({"rate": count / elapsed, "cpu_per_check_ms": 1000 * cpu / count}))


def baseline(url: str, count: int, concurrency: int) -> dict:
    cmd = [PYTHON, __file__, "--raw-loop", url, "--raw-count", str(count), "--concurrency", str(concurrency)]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


# --- main ----------------------------------------------------------------------------------------


def report(args, result: dict) -> None:
    load = " ".join(f"{v:.2f}" for v in result["load"])
    split = " / ".join(f"{ms:.3f}" for ms in result["split_ms"])
    print(
        f"N={result['monitors']} @ {args.interval}s ({result['monitors'] / args.interval:.0f} checks/s due), "
        f"window {result['seconds']:.0f}s, load {load}, machine busy {result['machine_busy_pct']:.0f}%\n"
        f"  checks/s          {result['rate']:10.1f}\n"
        f"  lag p50 / p99     {1000 * result['lag_p50']:10.1f} / {1000 * result['lag_p99']:.1f} ms"
        f"  (max {1000 * result['lag_max']:.1f} ms)\n"
        f"  due slots run     {result['run_pct']:10.2f} %  (of {result['due']}; DOWN results {result['down']})\n"
        f"  spacing error p99 {1000 * result['spacing_p99']:10.1f} ms\n"
        f"  CPU per check     {result['cpu_per_check_ms']:10.3f} ms  ({result['cores']:.2f} cores; "
        f"beat / worker parents / pool: {split} ms)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--interval", type=int, default=30, help="seconds between checks of a monitor")
    parser.add_argument("--duration", type=int, default=180, help="seconds beat and workers run")
    parser.add_argument("--warmup", type=int, default=30, help="seconds left out at the start")
    parser.add_argument("--workers", type=int, default=1, help="celery worker processes (prefork)")
    parser.add_argument("--concurrency", type=int, default=6, help="-c of each worker (pool processes)")
    parser.add_argument("--baseline-count", type=int, default=30_000, help="GETs of the raw loop")
    parser.add_argument("--baseline-concurrency", type=int, default=20, help="GETs in flight in the raw loop")
    parser.add_argument("--ceiling", action="store_true", help="then raise N until p99 lag > 5 s")
    parser.add_argument("--step", type=float, default=1.25, help="factor N grows by in --ceiling")
    parser.add_argument("--raw-loop", help=argparse.SUPPRESS)  # the baseline's own process
    parser.add_argument("--raw-count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.raw_loop:
        asyncio.run(_raw_loop(args.raw_loop, args.raw_count, args.concurrency))
        return

    ensure_database()
    import django

    django.setup()
    tmp = Path(tempfile.mkdtemp(prefix="bench-checks-"))
    target, url, target_name = start_target(tmp)
    try:
        print(
            f"database {os.environ['DATABASE_URL'].split('@')[-1]}, broker {os.environ['CELERY_BROKER_URL']}, "
            f"target {target_name} {url}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}\n"
            f"celery: 1 beat + {args.workers} worker(s) x -c {args.concurrency} prefork; "
            f"{args.duration}s runs, first {args.warmup}s left out",
            flush=True,
        )
        result = measure(args, args.monitors, url, tmp)
        report(args, result)
        raw = baseline(url, args.baseline_count, args.baseline_concurrency)
        print(
            f"raw aiohttp loop ({args.baseline_count} new-connection GETs, {args.baseline_concurrency} in flight): "
            f"{raw['rate']:7.1f} checks/s  CPU/check {raw['cpu_per_check_ms']:.3f} ms  load {os.getloadavg()[0]:.2f}"
        )
        print(f"CPU per check, engine / raw loop: {result['cpu_per_check_ms'] / raw['cpu_per_check_ms']:.2f}x")
        if args.ceiling:
            under, monitors = result["monitors"] if result["lag_p99"] <= 5 else None, args.monitors
            while result["lag_p99"] <= 5:
                monitors = int(monitors * args.step)
                result = measure(args, monitors, url, tmp)
                report(args, result)
                if result["lag_p99"] <= 5:
                    under = monitors
            print(
                f"ceiling at {args.interval}s: p99 lag stays under 5 s up to N={under} "
                f"({(under or 0) / args.interval:.0f} checks/s due), passes it at N={monitors}"
            )
    finally:
        target.terminate()
        target.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Heartbeat pings (GET /ping/<token>) under gunicorn, beside a trivial Django JSON view.

Usage: .venv/bin/python bench/pings.py [--monitors 1000] [--seconds 10] [--connections 10] [--workers 2]

Creates --monitors heartbeat monitors (UP) and spreads the pings over all their tokens:
wrk's Lua `request()` cycles through the ping paths, loaded from a file. Both URLs are
served by the same gunicorn (2 sync workers, as bench/api.py), one after the other.
Needs wrk (`apt-get install -y wrk`) and, by default, PostgreSQL and Redis on 127.0.0.1
(DATABASE_URL / REDIS_URL override; the database is created if missing).
Target: >= 650 pings/s with p99 < 50 ms.
"""

import argparse
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from harness import CYCLE_PATHS_LUA, ensure_database, gunicorn, report, setup_environment, wrk

setup_environment("statusapp_bench")


def prepare(monitors: int) -> list[str]:
    """The ping tokens of `monitors` UP heartbeat monitors of the bench organization."""
    import django

    django.setup()
    from django.db import connection

    from accounts.models import Organization
    from accounts.plans import Plan
    from monitors.models import Monitor

    org, _ = Organization.objects.update_or_create(
        slug="bench-pings", defaults={"name": "Bench pings", "plan": Plan.ENTERPRISE}
    )
    mine = Monitor.objects.filter(organization=org)
    if mine.count() != monitors:
        mine.delete()
        Monitor.objects.bulk_create(
            (
                Monitor(
                    organization=org,
                    name=f"Job {i}",
                    type=Monitor.Type.HEARTBEAT,
                    ping_token=secrets.token_urlsafe(24),
                    interval=60,
                    grace=60,
                )
                for i in range(monitors)
            ),
            batch_size=2000,
        )
    # Every run starts from the common case: all UP.
    mine.update(status=Monitor.Status.UP, failure_count=0, last_error="", last_ping_at=None, last_ping_kind="")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE monitors_monitor")
    return list(mine.values_list("ping_token", flat=True))


def pinged_since(moment) -> tuple[int, int]:
    """(monitors pinged since `moment`, monitors no longer UP)."""
    from django.db import connection

    from monitors.models import Monitor

    connection.close()  # a fresh connection: the server's commits, not a stale snapshot
    mine = Monitor.objects.filter(organization__slug="bench-pings")
    return mine.filter(last_ping_at__gte=moment).count(), mine.exclude(status=Monitor.Status.UP).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--monitors", type=int, default=1_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (bench/api.py uses 2)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")

    ensure_database()
    tokens = prepare(args.monitors)
    from django.utils import timezone

    workdir = Path(tempfile.mkdtemp(prefix="bench-pings-"))
    paths_file, script_file = workdir / "paths.txt", workdir / "pings.lua"
    paths_file.write_text("".join(f"/ping/{token}\n" for token in tokens))
    script_file.write_text(CYCLE_PATHS_LUA)
    script = [str(script_file), str(paths_file)]

    try:
        with gunicorn(workers=args.workers) as base:
            wrk(base, 2, args.connections, script=script)  # warm-up: connections, URLconf, caches
            trivial = wrk(f"{base}/bench/trivial", args.seconds, args.connections)
            started = timezone.now()
            pings = wrk(base, args.seconds, args.connections, script=script)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    pinged, not_up = pinged_since(started)

    print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}, heartbeat monitors: {args.monitors}, "
          f"gunicorn {args.workers} sync workers, wrk {args.connections} connections x {args.seconds}s")  # fmt: skip
    report("trivial JSON view", trivial)
    report("GET /ping/<token>", pings)
    print(f"monitors pinged: {pinged}/{args.monitors} ({pings['total']} pings), not UP afterwards: {not_up}")
    print(f"ratio pings/trivial: {pings['rate'] / trivial['rate']:.3f}  (target >= 650 pings/s, p99 < 50 ms)")


if __name__ == "__main__":
    main()

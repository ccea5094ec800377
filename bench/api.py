"""GET /api/monitors?limit=100 under gunicorn, beside a trivial Django JSON view.

Usage: .venv/bin/python bench/api.py [--monitors 10000] [--seconds 10] [--connections 10]

Needs wrk (`apt-get install -y wrk`) and, by default, PostgreSQL and Redis on
127.0.0.1 (DATABASE_URL / REDIS_URL override; the database is created if missing).
Both URLs are served by the same gunicorn (2 sync workers), one after the other.

The list is measured as clients polling it see it (each process builds a page once per
change of the organization's generation, see accounts/generation.py), and with a query
parameter no request repeats, so that every page is built from the database: unfiltered,
and with the status and type filters (which every one of the bench's monitors matches, so
both build the same page and the difference is the filters' cost).
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

from harness import ensure_database, gunicorn, report, setup_environment, wrk

setup_environment("statusapp_bench")
UNIQUE_QUERY = Path(__file__).with_name("unique_query.lua")
# Every monitor prepare() makes is a PENDING http one.
FILTERS = "status=PENDING&category=http"


def prepare(monitors: int) -> str:
    import django

    django.setup()
    from django.db import connection

    from accounts.models import Organization
    from accounts.plans import Plan
    from apikeys.services import api_key_create
    from monitors.models import Monitor

    org, _ = Organization.objects.update_or_create(
        slug="bench-api",
        defaults={"name": "Bench", "plan": Plan.ENTERPRISE, "custom_requests_per_hour": 10**9},
    )
    have = Monitor.objects.filter(organization=org).count()
    if have != monitors:
        Monitor.objects.filter(organization=org).delete()
        Monitor.objects.bulk_create(
            (
                Monitor(organization=org, name=f"Service {i}", type="http", url=f"https://s{i}.example.com/health")
                for i in range(monitors)
            ),
            batch_size=2000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE monitors_monitor")
    _, raw_key = api_key_create(organization=org, name="bench", permission="read")
    return raw_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")

    ensure_database()
    raw_key = prepare(args.monitors)
    auth = [f"Authorization: Bearer {raw_key}"]
    with gunicorn(workers=2) as base:
        list_url = f"{base}/api/monitors?limit=100"
        wrk(list_url, 2, args.connections, headers=auth)  # warm-up: connections, caches
        trivial = wrk(f"{base}/bench/trivial", args.seconds, args.connections)
        listing = wrk(list_url, args.seconds, args.connections, headers=auth)
        building = wrk(list_url, args.seconds, args.connections, headers=auth, script=[str(UNIQUE_QUERY)])
        filtering = wrk(
            f"{list_url}&{FILTERS}", args.seconds, args.connections, headers=auth, script=[str(UNIQUE_QUERY)]
        )

    print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}, monitors: {args.monitors}, "
          f"gunicorn 2 sync workers, wrk {args.connections} connections x {args.seconds}s")  # fmt: skip
    print(f"filtered: &{FILTERS} (every monitor matches)")
    report("trivial JSON view", trivial)
    report("GET /api/monitors?limit=100", listing)
    report("  the same, each page built", building)
    report("  the same, filtered, built", filtering)
    print(f"ratio list/trivial: {listing['rate'] / trivial['rate']:.3f}  (target >= 0.3, p99 < 75 ms)")


if __name__ == "__main__":
    main()

"""GET /api/monitors?limit=100 under gunicorn, beside a trivial Django JSON view.

Usage: .venv/bin/python bench/api.py [--monitors 10000] [--seconds 10] [--connections 10]

Needs wrk (`apt-get install -y wrk`) and, by default, PostgreSQL and Redis on
127.0.0.1 (DATABASE_URL / REDIS_URL override; the database is created if missing).
Both URLs are served by the same gunicorn (2 sync workers), one after the other.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/statusapp_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
PYTHON = sys.executable


def ensure_database() -> None:
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(monitors: int) -> str:
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk(url: str, seconds: int, connections: int, headers: list[str]) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *headers, url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        latency[pct] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": rate, "p50": latency["50"], "p99": latency["99"], "non2xx": int(errors.group(1)) if errors else 0}


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
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "bench.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/trivial", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        auth = ["-H", f"Authorization: Bearer {raw_key}"]
        list_url = f"{base}/api/monitors?limit=100"
        wrk(list_url, 2, args.connections, auth)  # warm-up: connections, caches
        trivial = wrk(f"{base}/bench/trivial", args.seconds, args.connections, [])
        listing = wrk(list_url, args.seconds, args.connections, auth)
    finally:
        server.terminate()
        server.wait(10)

    print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}, monitors: {args.monitors}, "
          f"gunicorn 2 sync workers, wrk {args.connections} connections x {args.seconds}s")  # fmt: skip
    for name, result in (("trivial JSON view", trivial), ("GET /api/monitors?limit=100", listing)):
        print(
            f"{name:30} {result['rate']:8.0f} req/s   p50 {result['p50']:6.1f} ms   "
            f"p99 {result['p99']:6.1f} ms   non-2xx {result['non2xx']}"
        )
    print(f"ratio list/trivial: {listing['rate'] / trivial['rate']:.3f}  (target >= 0.3, p99 < 75 ms)")


if __name__ == "__main__":
    main()

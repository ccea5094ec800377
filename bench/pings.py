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
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/statusapp_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
PYTHON = sys.executable

# Each wrk thread starts at its own place in the list and cycles through every path.
LUA = """
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def ensure_database() -> None:
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(monitors: int) -> list[str]:
    """The ping tokens of `monitors` UP heartbeat monitors of the bench organization."""
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk(url: str, seconds: int, connections: int, script: list[str] | None = None) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", script[0], url, "--", *script[1:]]
    else:
        cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        latency[pct] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rate": rate,
        "p50": latency["50"],
        "p99": latency["99"],
        "non2xx": int(errors.group(1)) if errors else 0,
        "total": total,
    }


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
    script_file.write_text(LUA)
    script = [str(script_file), str(paths_file)]

    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "bench.wsgi", "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"],
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
        wrk(base, 2, args.connections, script)  # warm-up: connections, URLconf, caches
        trivial = wrk(f"{base}/bench/trivial", args.seconds, args.connections)
        started = timezone.now()
        pings = wrk(base, args.seconds, args.connections, script)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
    pinged, not_up = pinged_since(started)

    print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}, heartbeat monitors: {args.monitors}, "
          f"gunicorn {args.workers} sync workers, wrk {args.connections} connections x {args.seconds}s")  # fmt: skip
    for name, result in (("trivial JSON view", trivial), ("GET /ping/<token>", pings)):
        print(
            f"{name:20} {result['rate']:8.0f} req/s   p50 {result['p50']:6.1f} ms   "
            f"p99 {result['p99']:6.1f} ms   non-2xx {result['non2xx']}"
        )
    print(f"monitors pinged: {pinged}/{args.monitors} ({pings['total']} pings), not UP afterwards: {not_up}")
    print(f"ratio pings/trivial: {pings['rate'] / trivial['rate']:.3f}  (target >= 650 pings/s, p99 < 50 ms)")


if __name__ == "__main__":
    main()

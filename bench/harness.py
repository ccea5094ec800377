"""What the benchmarks share: the database, a free port, a gunicorn, and wrk."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def setup_environment(database: str) -> None:
    """PostgreSQL and Redis on 127.0.0.1 unless DATABASE_URL / REDIS_URL say otherwise."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"


def ensure_database() -> None:
    """Create the PostgreSQL database named by DATABASE_URL if it is missing, then migrate."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        import psycopg

        base, _, name = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(workers: int) -> Iterator[str]:
    """bench.wsgi (the product plus /bench/trivial) under gunicorn; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "bench.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/trivial", timeout=1)  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(10)


def wrk(url: str, seconds: int, connections: int, *, headers: list[str] = (), script: list[str] = ()) -> dict:
    """One wrk run: requests/s, p50/p99 in ms, non-2xx responses and the request total.

    `script` is a Lua file and its arguments.
    """
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        cmd += ["-H", header]
    cmd += ["-s", script[0], url, "--", *script[1:]] if script else [url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    latency = {}
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        latency[pct] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency["50"],
        "p99": latency["99"],
        "non2xx": int(errors.group(1)) if errors else 0,
        "total": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def report(name: str, result: dict) -> None:
    print(
        f"{name:30} {result['rate']:8.0f} req/s   p50 {result['p50']:6.1f} ms   "
        f"p99 {result['p99']:6.1f} ms   non-2xx {result['non2xx']}"
    )

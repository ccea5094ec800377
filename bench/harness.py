"""What the benchmarks share: the database, a free port, a gunicorn, and wrk; for the check
engine, a loopback target (optionally recording every request), http monitors, celery beat
and workers or the whole `make run` layout, its figures, and CPU and memory from /proc."""

import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CELERY = str(Path(PYTHON).parent / "celery")
TICK = os.sysconf("SC_CLK_TCK")


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
def gunicorn(workers: int, *, config: str = "", log: Path | None = None) -> Iterator[str]:
    """bench.wsgi (the product plus /bench/trivial) under gunicorn; yields its base URL.

    `config` is a gunicorn --config (e.g. "python:bench.load", for its hooks); `log` a file
    for gunicorn's and Django's stderr (else discarded)."""
    port = free_port()
    cmd = [PYTHON, "-m", "gunicorn", "bench.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    if config:
        cmd += ["--config", config]
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=output, stderr=output)
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
        if log:
            output.close()


def wrk(url: str, seconds: int, connections: int, *, headers: list[str] = (), script: list[str] = ()) -> dict:
    """One wrk run: requests/s, p50/p99 in ms, non-2xx responses, socket errors (connect, read,
    write, timeout), the request total and wrk's whole output (what a script's done() printed).

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
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency["50"],
        "p99": latency["99"],
        "non2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": sum(int(n) for n in sockets.groups()) if sockets else 0,
        "total": int(re.search(r"(\d+) requests in", out).group(1)),
        "output": out,
    }


# A wrk script: each thread starts at its own place in a list of paths (a file, the
# script's argument) and cycles through every one of them.
CYCLE_PATHS_LUA = """
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


def report(name: str, result: dict) -> None:
    print(
        f"{name:30} {result['rate']:8.0f} req/s   p50 {result['p50']:6.1f} ms   "
        f"p99 {result['p99']:6.1f} ms   non-2xx {result['non2xx']}"
    )


# --- the check engine: a loopback target, http monitors, celery, the figures ------------------

NGINX_CONF = """
daemon off; worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/nginx.err warn;
events {{ worker_connections 8192; }}
http {{
  {access_log}
  client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};
  uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
  server {{ listen 127.0.0.1:{port} backlog=4096; location / {{ return 200 "ok"; }} }}
}}
"""

# A recording target writes a line per request: "<arrival> <seconds since arrival> <path>"
# (nginx: $msec is when the line is written, $request_time how long after the request's
# first bytes; the aiohttp fallback writes 0 for the latter).
NGINX_RECORD = "log_format rec '$msec $request_time $request_uri'; access_log {path} rec buffer=256k flush=1s;"

AIOHTTP_TARGET = """
import asyncio, sys, time
from aiohttp import web
record = open(sys.argv[2], "a", buffering=1 << 18) if len(sys.argv) > 2 else None

async def answer(request):
    if record:
        record.write(f"{time.time():.6f} 0 {request.path_qs}\\n")
    return web.Response(text="ok")

async def flush_every_second(app):
    async def loop():
        while True:
            await asyncio.sleep(1)
            record.flush()
    if record:
        task = asyncio.create_task(loop())
    yield
    if record:
        task.cancel()
        record.flush()

app = web.Application()
app.router.add_get("/{tail:.*}", answer)
app.cleanup_ctx.append(flush_every_second)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None, backlog=4096)
"""


def start_target(tmp: Path, *, record: Path | None = None) -> tuple[subprocess.Popen, str, str]:
    """nginx (one worker) if installed, else an aiohttp server process, answering 200 "ok" on a
    free loopback port; returns (process, monitor URL, name). `tmp` holds nginx's files. With
    `record`, every request is written to that file (buffered, flushed within a second):
    read it with `recorded_requests`."""
    port = free_port()
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx:
        access_log = NGINX_RECORD.format(path=record) if record else "access_log off;"
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=port, access_log=access_log))
        cmd, name = [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf")], "nginx (1 worker)"
    else:
        cmd, name = [PYTHON, "-c", AIOHTTP_TARGET, str(port), *([str(record)] if record else [])], "aiohttp server"
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}/health", name


def recorded_requests(record: Path) -> Iterator[tuple[float, str]]:
    """(arrival epoch seconds, path) of each request a recording target wrote to `record`; a
    line still being written is skipped."""
    with open(record) as lines:
        for line in lines:
            fields = line.split()
            if len(fields) == 3:
                yield float(fields[0]) - float(fields[1]), fields[2]


def create_http_monitors(organization, count: int, interval: int, url: str, *, status: str = "PENDING") -> datetime:
    """`count` http monitors of `organization` against `url`, their first slots spread on their
    grid from now + 5 s; returns that start. "{monitor_id}" in `url` is replaced by each
    monitor's id (a path of its own). `status` UP: as if they had been checked before (their
    next check changes nothing). Bulk-created: the product's service would take a
    transaction each."""
    from django.db import connection

    from monitors.models import Monitor
    from monitors.schedule import slot_at_or_after
    from statusapp.api.ids import new_id

    start = datetime.now(UTC) + timedelta(seconds=5)
    monitors = []
    for i in range(count):
        monitor_id = new_id("mon")
        first = slot_at_or_after(start, monitor_id=monitor_id, interval=interval)
        monitors.append(
            Monitor(
                id=monitor_id,
                organization=organization,
                name=f"Target {i}",
                type="http",
                url=url.replace("{monitor_id}", monitor_id),
                interval=interval,
                timeout=10,
                status=status,
                next_check_at=first,
            )
        )
    Monitor.objects.bulk_create(monitors, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE monitors_monitor")
    connection.close()
    return start


def start_celery(tmp: Path, workers: int, concurrency: int, *, ready_dir: Path | None = None) -> list[subprocess.Popen]:
    """One celery beat (schedule file in `tmp`) and `workers` prefork workers of `concurrency`
    processes each; their output goes to tmp/celery.log. With `ready_dir`, beat and the workers
    mark themselves ready there as under `make run` (see `wait_ready`)."""
    from django.conf import settings

    from statusapp.celery import READY_DIR_VARIABLE

    # The workers' var/ is their own, so they get this process's key for the webhook secrets it stored.
    env = {**os.environ, "STATUSAPP_VAR_DIR": str(tmp), "STATUSAPP_ENCRYPTION_KEY": settings.STATUSAPP_ENCRYPTION_KEY}
    if ready_dir:
        ready_dir.mkdir(parents=True, exist_ok=True)
        env[READY_DIR_VARIABLE] = str(ready_dir)
    log = open(tmp / "celery.log", "ab")  # noqa: SIM115 (closed with the processes)
    beat = [CELERY, "-A", "statusapp", "beat", "-l", "WARNING", "--schedule", str(tmp / "beat")]
    processes = [subprocess.Popen(beat, cwd=ROOT, env=env, stdout=log, stderr=log)]
    for i in range(workers):
        worker = [CELERY, "-A", "statusapp", "worker", "-l", "WARNING", "-P", "prefork"]
        worker += ["-c", str(concurrency), "-n", f"bench{i}@%h"]
        processes.append(subprocess.Popen(worker, cwd=ROOT, env=env, stdout=log, stderr=log))
    return processes


def wait_ready(ready_dir: Path, names: tuple[str, ...] = ("worker", "beat"), timeout: float = 120) -> None:
    """Until each of `names` has marked itself ready in `ready_dir` (statusapp.celery)."""
    deadline = time.monotonic() + timeout
    while not all((ready_dir / name).exists() for name in names):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{', '.join(names)} not ready after {timeout} s")
        time.sleep(0.2)


RUNNING = b"StatusApp is running at"  # what statusapp.run prints once web, worker and beat are up


def start_run(tmp: Path, port: int, timeout: float = 120) -> subprocess.Popen:
    """The product as `make run` starts it once migrated: `python -m statusapp.run`, the
    Procfile's web, worker and beat, on `port`, with the product's settings and its own var/
    (tmp/var) but this process's encryption key (see start_celery); its output goes to
    tmp/run.log. Returns once it says it is running. Stop it with `stop` (a SIGTERM: it stops
    its processes cleanly)."""
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # the bench's settings
    env |= {
        "PORT": str(port),
        "STATUSAPP_VAR_DIR": str(tmp / "var"),
        "STATUSAPP_ENCRYPTION_KEY": settings.STATUSAPP_ENCRYPTION_KEY,
    }
    log = tmp / "run.log"
    with open(log, "ab") as output:
        earlier = output.tell()  # a run before this one (bench/checks.py --ceiling) said it was running too
        launcher = subprocess.Popen([PYTHON, "-m", "statusapp.run"], cwd=ROOT, env=env, stdout=output, stderr=output)
    deadline = time.monotonic() + timeout
    while RUNNING not in log.read_bytes()[earlier:]:
        if launcher.poll() is not None or time.monotonic() > deadline:
            stop([launcher])
            raise RuntimeError(f"statusapp.run did not start; see {log}")
        time.sleep(0.5)
    return launcher


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)  # warm shutdown: running batches finish
    for process in processes:
        try:
            process.wait(40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * pct / 100))]


def due_slots(monitor_ids: list[str], interval: int, window_start: float, window_end: float) -> int:
    """The grid slots of these monitors (all on `interval`) in [window_start, window_end), exactly."""
    from monitors.schedule import offset_ms

    # ceil((end - o) / p) - ceil((start - o) / p) for each monitor. Slots are whole milliseconds:
    # s >= start is s >= ceil(start) (truncating the bounds counted a slot in the window's first
    # or last fraction of a millisecond on the wrong side).
    period = interval * 1000
    a_ms, b_ms = math.ceil(window_start * 1000), math.ceil(window_end * 1000)
    due = 0
    for monitor_id in monitor_ids:
        o = offset_ms(monitor_id, interval)
        due += -(-(b_ms - o) // period) - -(-(a_ms - o) // period)
    return due


def check_figures(organization_id: str, interval: int, window_start: float, window_end: float) -> dict:
    """What the check engine did for one organization's monitors (all on `interval`) in
    [window_start, window_end) (epoch seconds), from their CheckResult rows whose slot lies in it:
      rate          results started in the window / window length (checks/s done)
      due           the grid slots due in the window (every monitor's, exactly); due_rate per second
      run_pct       results / due slots
      lag           started_at - scheduled_at, p50, p99 and max (seconds)
      spacing_p99   |started_at - previous started_at of the same monitor - interval| (seconds)
      down          DOWN results
    """
    from django.db import connection

    start_dt, end_dt = (datetime.fromtimestamp(t, UTC) for t in (window_start, window_end))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.monitor_id, r.scheduled_at, r.started_at, r.status FROM monitors_checkresult r"
            " JOIN monitors_monitor m ON m.id = r.monitor_id"
            " WHERE m.organization_id = %s AND r.scheduled_at >= %s AND r.scheduled_at < %s"
            " ORDER BY r.monitor_id, r.scheduled_at",
            [organization_id, start_dt, end_dt],
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT id FROM monitors_monitor WHERE organization_id = %s", [organization_id])
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT count(*) FROM monitors_checkresult r JOIN monitors_monitor m ON m.id = r.monitor_id"
            " WHERE m.organization_id = %s AND r.started_at >= %s AND r.started_at < %s",
            [organization_id, start_dt, end_dt],
        )
        started_in_window = cursor.fetchone()[0]
    connection.close()

    due = due_slots(ids, interval, window_start, window_end)
    lags, spacing, ran, down = [], [], 0, 0
    previous: tuple[str, datetime] | None = None
    for monitor_id, scheduled_at, started_at, status in rows:
        # Pairs inside the window only (the warm-up's late first checks are left out); a
        # missed slot in between shows as an interval's worth of error.
        if previous and previous[0] == monitor_id:
            spacing.append(abs((started_at - previous[1]).total_seconds() - interval))
        previous = (monitor_id, started_at)
        ran += 1
        down += status == "DOWN"
        lags.append((started_at - scheduled_at).total_seconds())
    lags.sort()
    spacing.sort()
    seconds = window_end - window_start
    return {
        "monitors": len(ids),
        "seconds": seconds,
        "started": started_in_window,
        "rate": started_in_window / seconds,
        "due": due,
        "due_rate": due / seconds,
        "ran": ran,
        "run_pct": 100 * ran / due if due else float("nan"),
        "lag_p50": percentile(lags, 50),
        "lag_p99": percentile(lags, 99),
        "lag_max": lags[-1] if lags else float("nan"),
        "spacing_p99": percentile(spacing, 99),
        "down": down,
    }


# --- CPU accounting (/proc) ------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from "state" on (field 3)


def tree_cpu(roots: list[int]) -> float:
    """CPU seconds (user + system, including reaped children) of these processes and their descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))):
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, list(roots)
    while todo:
        pid = todo.pop()
        if fields := _stat(pid):
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        todo.extend(children.get(pid, ()))
    return total / TICK


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    pids = (int(entry) for entry in os.listdir("/proc") if entry.isdigit())
    return [child for child in pids if (fields := _stat(child)) and int(fields[1]) == pid]


def own_cpu(pids: list[int]) -> float:
    """CPU seconds of these processes alone (their children not counted)."""
    return sum(sum(int(v) for v in fields[11:13]) for pid in pids if (fields := _stat(pid))) / TICK


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine: everything, including other people's processes."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Process(NamedTuple):
    parent: int
    cpu: float  # seconds, user + system, including reaped children
    name: str  # the command's name (/proc/<pid>/comm)


def process_table() -> dict[int, Process]:
    """Every process, by pid."""
    table = {}
    for entry in os.listdir("/proc"):
        try:
            text = Path(f"/proc/{entry}/stat").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if text:
            fields = text[text.rindex(")") + 2 :].split()
            name = text[text.index("(") + 1 : text.rindex(")")]
            table[int(entry)] = Process(int(fields[1]), sum(int(v) for v in fields[11:15]) / TICK, name)
    return table


def descendants(roots: list[int], table: dict[int, Process]) -> set[int]:
    """These processes and all their descendants, as `table` (process_table) saw them."""
    children: dict[int, list[int]] = {}
    for pid, process in table.items():
        children.setdefault(process.parent, []).append(pid)
    found, todo = set(), [pid for pid in roots if pid in table]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, ()))
    return found


def rss_mib(pids: set[int]) -> float:
    """The resident set sizes of these processes, summed (shared pages counted in each), MiB."""
    pages = 0
    for pid in pids:
        with suppress(OSError):
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20

"""Run the real app under gunicorn against the test database.

Tests that use it must use `transactional_db` (or `live_gunicorn`-style fixtures that
depend on it): data has to be committed for the server's processes to see it.

    with gunicorn_server(workers=2) as base_url:
        requests.get(f"{base_url}/api/monitors", headers=...)

The server gets the test's database, SECRET_KEY, API key pepper, Redis URL and
rate-limit key prefix, so keys created in the test verify in the server and rate-limit
counters are the test's own.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connections

BASE_DIR = Path(settings.BASE_DIR)
# Options of the product's SQLite configuration that a DATABASE_URL can carry.
_SQLITE_URL_OPTIONS = ("timeout", "transaction_mode", "init_command")


def venv_bin(name: str) -> str:
    """A program of the virtualenv running the tests (.venv/bin/<name>)."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    candidate = BASE_DIR / ".venv" / "bin" / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found in the virtualenv or on PATH")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(alias: str = "default") -> str:
    """The URL of the database the test is using right now (the test database)."""
    db = connections[alias].settings_dict
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("an in-memory SQLite test database cannot be shared with a server")
        url = f"sqlite:///{Path(name).resolve()}"
        # Keep the product's SQLite tuning (busy timeout, IMMEDIATE transactions, WAL):
        # without it several gunicorn workers writing at once hit "database is locked".
        options = {key: value for key, value in (db.get("OPTIONS") or {}).items() if key in _SQLITE_URL_OPTIONS}
        return f"{url}?{urlencode(options)}" if options else url
    if "postgresql" in engine:
        user = quote(db.get("USER") or "", safe="")
        password = quote(db.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{quote(db['NAME'], safe='')}"
    raise RuntimeError(f"unsupported database engine for a live server: {engine}")


def server_env(**overrides: str | None) -> dict[str, str]:
    """The environment for a server (or manage.py) sharing the test's database and secrets.

    An override of None removes that variable.
    """
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "statusapp.settings",
            "DATABASE_URL": database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "STATUSAPP_API_KEY_PEPPER": settings.API_KEY_PEPPER,
            "STATUSAPP_ENCRYPTION_KEY": settings.STATUSAPP_ENCRYPTION_KEY,
            "STATUSAPP_RATELIMIT_PREFIX": settings.RATELIMIT_KEY_PREFIX,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
        }
    )
    # The test's Redis setting wins over the environment (a test may switch it off).
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    # STATUSAPP_VAR_DIR (broker folders, static files) passes through from the environment.
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def createcachetable(env: dict[str, str]) -> None:
    """The database cache's table, as `make run` creates it: a server without Redis caches
    in the database (throttle counts, pages), and the test database was made by a process
    whose cache was Redis."""
    subprocess.run(
        [venv_bin("python"), "manage.py", "createcachetable"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def collectstatic(env: dict[str, str] | None = None) -> None:
    """`manage.py collectstatic` into the server's STATIC_ROOT (STATUSAPP_VAR_DIR/static)."""
    subprocess.run(
        [venv_bin("python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env or server_env(),
        check=True,
        capture_output=True,
        timeout=120,
    )


def _health_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return None


@contextmanager
def gunicorn_server(
    *,
    workers: int = 2,
    env: dict[str, str] | None = None,
    ready_status: int | None = 200,
    timeout: float = 20.0,
) -> Iterator[str]:
    """Start `gunicorn statusapp.wsgi`, wait for /healthz, yield the base URL, stop it.

    `ready_status` is the /healthz status that means "up" (None: any HTTP answer, for a
    server that is meant to be unhealthy).
    """
    env = env or server_env()
    # A server meant to be unhealthy (ready_status None) may have no database to create it in.
    if not env.get("REDIS_URL") and ready_status is not None:
        createcachetable(env)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        venv_bin("gunicorn"),
        "statusapp.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "--timeout",
        "60",
    ]
    with tempfile.TemporaryFile(mode="w+b") as log:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)

        def server_log() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")[-20000:]

        try:
            deadline = time.monotonic() + timeout
            last = None
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server_log()}")
                last = _health_status(f"{base_url}/healthz")
                if last is not None and (ready_status is None or last == ready_status):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn not ready after {timeout}s (/healthz: {last}):\n{server_log()}")
                time.sleep(0.1)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            # Captured by pytest and shown only when the test fails.
            print(f"--- gunicorn log ({base_url}) ---\n{server_log()}", file=sys.stderr)

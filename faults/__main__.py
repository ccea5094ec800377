"""`make faults`: the fault tests (tests/faults) against a PostgreSQL and a Redis of their own.

Usage: .venv/bin/python -m faults [pytest arguments, e.g. -k postgres]

Starts a private PostgreSQL cluster and a private Redis on free loopback ports, runs
pytest on tests/faults with DATABASE_URL and REDIS_URL pointing at them (the tests stop,
restart and flush them), and removes both afterwards. The machine's shared PostgreSQL and
Redis are never touched. Exits with pytest's status.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .services import Postgres, Redis, free_port

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    directory = Path(tempfile.mkdtemp(prefix="statusapp-faults-"))
    directory.chmod(0o755)  # the postgres user must reach its cluster inside
    postgres = Postgres(directory / "postgres", free_port())
    redis = Redis(directory / "redis", free_port())
    started = time.monotonic()
    postgres.create()
    redis.start()
    print(f"private PostgreSQL on 127.0.0.1:{postgres.port}, Redis on 127.0.0.1:{redis.port}", flush=True)
    env = {
        **os.environ,
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url(0),
        "STATUSAPP_FAULTS_DIR": str(directory),
        "STATUSAPP_FAULTS_POSTGRES_PORT": str(postgres.port),
        "STATUSAPP_FAULTS_REDIS_PORT": str(redis.port),
        "STATUSAPP_VAR_DIR": str(directory / "var"),
        "STATUSAPP_REQUIRE_SERVICES": "1",
    }
    try:
        command = [sys.executable, "-m", "pytest", "tests/faults", "-p", "no:cacheprovider", "-s", "-q", *sys.argv[1:]]
        return subprocess.run(command, cwd=ROOT, env=env).returncode
    finally:
        redis.stop()
        postgres.destroy()
        print(f"faults: {time.monotonic() - started:.0f} s in all", flush=True)


if __name__ == "__main__":
    sys.exit(main())

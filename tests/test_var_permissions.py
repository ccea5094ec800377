"""var/ (STATUSAPP_VAR_DIR) holds the SQLite database (sessions, API key hashes, webhook
secrets), the broker's messages and the local secrets: it is owner-only (0700) and the
database file, with its -wal and -shm, is 0600, even under the usual umask 022 and for a
var/ that an older StatusApp left world-readable."""

import os
import sqlite3
import stat
import subprocess
from pathlib import Path

from .live_server import BASE_DIR

# Variables of the test run that would point manage.py away from the embedded SQLite and
# filesystem broker under the var/ given.
NOT_PASSED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")


def manage(var: Path, *command: str) -> None:
    env = {key: value for key, value in os.environ.items() if key not in NOT_PASSED}
    env["STATUSAPP_VAR_DIR"] = str(var)
    python = str(BASE_DIR / ".venv/bin/python")
    subprocess.run([python, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, timeout=300, umask=0o022)


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_a_fresh_var_dir_after_migrate_is_owner_only_and_so_is_its_database(tmp_path):
    var = tmp_path / "var"
    manage(var, "migrate", "--no-input", "-v", "0")

    assert mode(var) == "0o700"
    database = var / "statusapp.sqlite3"
    assert database.stat().st_size > 0, "migrate wrote its tables there"
    assert mode(database) == "0o600"
    for secret in ("secret_key", "api_key_pepper", "encryption_key"):
        assert mode(var / secret) == "0o600", secret
    for folder in ("in", "processed", "control"):
        assert mode(var / "broker" / folder) == "0o700", folder

    # A running server's write-ahead log and shared memory index: as private as the database.
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE probe (x)")
        connection.commit()
        assert mode(var / "statusapp.sqlite3-wal") == "0o600"
        assert mode(var / "statusapp.sqlite3-shm") == "0o600"
    finally:
        connection.close()


def test_a_var_dir_left_world_readable_is_made_owner_only_at_start(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    database = var / "statusapp.sqlite3"
    database.touch(mode=0o644)
    var.chmod(0o755)  # whatever the test's own umask
    database.chmod(0o644)

    manage(var, "migrate", "--no-input", "-v", "0")

    assert mode(var) == "0o700"
    assert mode(database) == "0o600"

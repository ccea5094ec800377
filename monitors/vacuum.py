"""VACUUM of the tables the check path rewrites, when PostgreSQL's autovacuum is off.

Every check rewrites its monitor's row twice and its hour's and day's rollup rows once,
and inserts a result: thousands of dead row versions a second at scale. Autovacuum clears
them; a server with it switched off (this repository's CI machines have) would let the
tables and their indexes grow without end and every claim and write slow down with them
(at 2,000 checks/s PostgreSQL's CPU per check doubled within minutes). Beat runs this
every minute; it does nothing on SQLite or when autovacuum is on.
"""

from django.db import connection

CHECK_TABLES = ("monitors_monitor", "monitors_rollup", "monitors_checkresult", "monitors_statuschange")


def vacuum_check_tables() -> bool:
    """VACUUM the check tables if this PostgreSQL does not; whether it did. Needs autocommit
    (VACUUM cannot run inside a transaction)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        if cursor.fetchone()[0] == "on":
            return False
        cursor.execute(f"VACUUM (SKIP_LOCKED) {', '.join(CHECK_TABLES)}")
    return True

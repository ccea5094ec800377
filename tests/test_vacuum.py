"""The check tables are vacuumed by the product itself only where PostgreSQL does not do it."""

import time

import pytest
from django.db import connection

from monitors.tasks import vacuum_check_tables
from monitors.vacuum import CHECK_TABLES

pytestmark = pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside a transaction


def vacuums_since(before: dict[str, int]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, vacuum_count FROM pg_stat_user_tables WHERE relname = ANY(%s)", [list(CHECK_TABLES)]
        )
        return {table: count - before.get(table, 0) for table, count in cursor.fetchall()}


def test_the_check_tables_are_vacuumed_only_by_a_postgresql_whose_autovacuum_is_off():
    if connection.vendor != "postgresql":
        assert vacuum_check_tables() is False  # SQLite: nothing to do
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum_off = cursor.fetchone()[0] == "off"
    before = vacuums_since({})
    assert vacuum_check_tables() is autovacuum_off
    expected = dict.fromkeys(CHECK_TABLES, int(autovacuum_off))
    for _ in range(50):  # the statistics reach other backends a moment later
        connection.close()
        if vacuums_since(before) == expected:
            break
        time.sleep(0.1)
    assert vacuums_since(before) == expected

"""Many rows in one statement, for the check pipeline's hot path.

Writing hundreds of rows a second, Django's bulk_update (a CASE WHEN per field and
row) and bulk_create (every value compiled, then psycopg parsing thousands of
placeholders) cost more CPU than the checks themselves. These two helpers send one
statement per column set instead: on PostgreSQL one array parameter per column,
spread into rows by unnest() and bound server-side (Django's psycopg cursors bind
client-side, quoting every array element into the SQL text with regular expressions:
a third of recording a batch); on SQLite (in-process, so per-row statements are cheap)
a VALUES list or executemany, values through each field's get_db_prep_value.
"""

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

SQLITE_CHUNK = 1000  # rows per statement (SQLite allows 32,766 parameters)


def _prepare(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]):
    columns = [model._meta.get_field(name) for name in fields]
    if connection.vendor == "postgresql":
        prepared = rows  # psycopg takes the Python values as they are (str, int, bool, aware datetime, None)
    else:
        prep = [c.get_db_prep_value for c in columns]
        conn = connections[DEFAULT_DB_ALIAS]  # not the proxy: this runs for every value
        prepared = [[p(v, conn) for p, v in zip(prep, row, strict=True)] for row in rows]
    quote = connection.ops.quote_name
    # Arrays typed like the columns: a column of NULLs would otherwise be text.
    unnest = ", ".join(f"%b::{c.db_type(connection)}[]" for c in columns)
    return columns, prepared, [quote(c.column) for c in columns], unnest


def _execute_bound(sql: str, prepared: Sequence[Sequence]) -> list[tuple]:
    """PostgreSQL: the rows' columns sent as arrays apart from `sql` (binary: the `%b`
    placeholders), on a psycopg server-binding cursor of Django's connection (so inside its
    transaction), errors translated as Django's would be; returns what it RETURNs."""
    import psycopg  # PostgreSQL only

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, [list(column) for column in zip(*prepared, strict=True)])
        return cursor.fetchall() if cursor.description else []


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence], suffix: str = "") -> None:
    """INSERT rows (tuples in `fields` order); `suffix` may add an ON CONFLICT clause."""
    if not rows:
        return
    columns, prepared, names, unnest = _prepare(model, fields, rows)
    insert = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(names)})"
    if connection.vendor == "postgresql":
        sql = f"{insert} SELECT * FROM unnest({unnest}) {suffix}"  # noqa: S608 (names from the model)
        _execute_bound(sql, prepared)
        return
    with connection.cursor() as cursor:
        sql = f"{insert} VALUES ({', '.join(['%s'] * len(columns))}) {suffix}"  # noqa: S608
        cursor.executemany(sql, prepared)


def insert_missing(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence], unique: Sequence[str]
) -> set[tuple]:
    """INSERT the rows whose `unique` fields (a unique constraint's) match no stored row; returns
    the `unique` values of those inserted, as tuples."""
    if not rows:
        return set()
    columns, prepared, names, unnest = _prepare(model, fields, rows)
    table = connection.ops.quote_name(model._meta.db_table)
    keys = [names[fields.index(name)] for name in unique]
    insert = f"INSERT INTO {table} ({', '.join(names)})"
    conflict = f"ON CONFLICT ({', '.join(keys)}) DO NOTHING"
    if connection.vendor == "postgresql":
        sql = f"{insert} SELECT * FROM unnest({unnest}) {conflict} RETURNING {', '.join(keys)}"  # noqa: S608
        return set(_execute_bound(sql, prepared))
    positions = [fields.index(name) for name in unique]
    inserted = set()
    with connection.cursor() as cursor:
        sql = f"{insert} VALUES ({', '.join(['%s'] * len(columns))}) {conflict}"  # noqa: S608
        for row, values in zip(rows, prepared, strict=True):
            cursor.execute(sql, values)
            if cursor.rowcount == 1:
                inserted.add(tuple(row[i] for i in positions))
    return inserted


def bulk_set(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Set `fields` of many rows, each to its own values: rows are (pk, *values)."""
    if not rows:
        return
    columns, prepared, names, unnest = _prepare(model, [model._meta.pk.name, *fields], rows)
    table, pk = connection.ops.quote_name(model._meta.db_table), names[0]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    if connection.vendor == "postgresql":
        sql = f"UPDATE {table} SET {assignments} FROM unnest({unnest}) AS v ({', '.join(names)}) WHERE {table}.{pk} = v.{pk}"  # noqa: S608, E501
        _execute_bound(sql, prepared)
        return
    with connection.cursor() as cursor:
        row_sql = f"({', '.join(['%s'] * len(columns))})"
        for start in range(0, len(prepared), SQLITE_CHUNK):
            chunk = prepared[start : start + SQLITE_CHUNK]
            values = ", ".join([row_sql] * len(chunk))
            sql = f"WITH v ({', '.join(names)}) AS (VALUES {values}) UPDATE {table} SET {assignments} FROM v"  # noqa: S608
            cursor.execute(f"{sql} WHERE {table}.{pk} = v.{pk}", [value for row in chunk for value in row])

from django.db import connection, models


def insert_rows(model: type[models.Model], objects: list[models.Model]) -> None:
    """bulk_create, by COPY on PostgreSQL.

    With client-side binding, Django's bulk insert has psycopg escape every value (a
    JSON body above all) through a regex in Python: for a burst of events that cost
    more than all the rest of publishing them. COPY hands the rows to psycopg's C
    dumpers. An auto-increment primary key is left to the database.
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects)
        return
    fields = [field for field in model._meta.concrete_fields if field is not model._meta.auto_field]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objects:
            copy.write_row([getattr(obj, field.attname) for field in fields])

"""Database plumbing shared by the apps that write in bulk: a binary psycopg cursor on Django's
own connection and the SQLite spelling of an aware datetime.

They live in core because the intake (ingest), the projection (cases) and the benchmarks all
need them, and no stage should borrow another stage's store to get them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

try:  # the PostgreSQL driver; SQLite installations do without it
    import psycopg
except ImportError:  # pragma: no cover
    psycopg = None


def sqlite_datetime(moment: dt.datetime) -> str:
    """How Django stores an aware datetime in SQLite: naive UTC, ISO with a space."""
    if moment.tzinfo is not dt.UTC:
        moment = moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=None).isoformat(" ")


def sqlite_datetime_parse(value: str) -> dt.datetime:
    """The reverse of `sqlite_datetime`: an aware UTC datetime from SQLite's text."""
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


@contextmanager
def binary_cursor() -> Iterator:
    """A psycopg cursor with server-side binding and binary parameters, on Django's own
    connection (so inside the same transaction). Django's cursors bind on the client, which
    would spell a batch's arrays and the raw body out as SQL text — the largest cost of the
    intake's hot path before this (docs/performance.md)."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def instances_copy(model, instances: list) -> None:
    """New rows of a model, as `bulk_create` would write them (without primary keys), in one
    `COPY` on PostgreSQL; `bulk_create` elsewhere. A multi-row INSERT of a thousand rows with
    kilobytes of JSON each, bound on the client, costs PostgreSQL seconds; COPY, milliseconds."""
    from django.db import models

    if connection.vendor != "postgresql":
        model.objects.bulk_create(instances, batch_size=2000)
        return
    if not instances:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with binary_cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for instance in instances:
            copy.write_row(
                [
                    field.get_db_prep_save(field.pre_save(instance, True), connection)
                    for field in fields
                ]
            )

"""Database plumbing shared by the apps that write in bulk: a binary psycopg cursor on Django's
own connection and the SQLite spelling of an aware datetime.

They live in core because the intake (ingest), the projection (cases) and the benchmarks all
need them, and no stage should borrow another stage's store to get them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

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


def instances_insert(model, instances: list) -> None:
    """New rows of a model, as `bulk_create` would write them (without primary keys), in one
    statement: `COPY` on PostgreSQL, one `executemany` on SQLite.

    `bulk_create` compiles every value through the ORM into a multi-row INSERT: a synthetic
    year of demo rows spent a third of its database time there, and a national period's
    ratings (kilobytes of JSON each, bound on the client) seconds where COPY takes a tenth.
    Each field's conversion is chosen once.
    """
    from django.db import models, transaction

    if not instances:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    converters = [_db_value(field) for field in fields]
    rows = (
        [
            convert(field.pre_save(instance, True))
            for field, convert in zip(fields, converters, strict=True)
        ]
        for instance in instances
    )
    if connection.vendor == "postgresql":
        with binary_cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(row) for row in rows])


def _db_value(field) -> Callable[[Any], Any]:
    """How one field's Python value becomes the database's: plain values as they are,
    datetimes and dates as Django stores them in SQLite, anything else through the field."""
    from django.db import models

    plain = (
        models.BooleanField,
        models.CharField,
        models.FloatField,
        models.ForeignKey,
        models.IntegerField,
        models.TextField,
    )
    sqlite = connection.vendor == "sqlite"
    if sqlite and isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else sqlite_datetime(v)
    if sqlite and isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, (*plain, models.DateField)):
        return _same
    return lambda v: field.get_db_prep_save(v, connection)


def _same(value: Any) -> Any:
    return value

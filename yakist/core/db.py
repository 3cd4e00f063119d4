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

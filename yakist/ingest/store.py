"""Set-based writes of accepted events: one statement per batch, duplicates skipped in SQL.

PostgreSQL gets `INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING`; SQLite gets one
prepared `INSERT … ON CONFLICT DO NOTHING` run over all rows. No ORM object is built per event.

On PostgreSQL the production events are partitioned by month of receipt and their idempotency
key lives in `ingest_eventkey` (yakist.ingest.partitions): one statement inserts the keys with
`ON CONFLICT DO NOTHING` and then the events whose keys were new, so a duplicate is told apart
exactly as the primary key of one table told it before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from yakist.core.db import binary_cursor, sqlite_datetime
from yakist.ingest.models import Event, EventBase, EventKey, Journal, SandboxEvent

try:  # the PostgreSQL driver; SQLite installations do without it
    import psycopg
    from psycopg.types.json import Jsonb
except ImportError:  # pragma: no cover
    psycopg = None

# The columns of a validated row (validation.Validated.rows), in order.
EVENT_COLUMNS = (
    "event_id",
    "case_id",
    "type",
    "occurred_at",
    "service_id",
    "centre_id",
    "provider_id",
    "channel",
    "status",
    "reason",
    "rating",
    "applicant_pseudonym",
)
_PG_TYPES = (
    "uuid",
    "varchar",
    "varchar",
    "timestamptz",
    "int",
    "int",
    "int",
    "varchar",
    "varchar",
    "varchar",
    "smallint",
    "varchar",
)


def event_model(*, sandbox: bool) -> type[EventBase]:
    return SandboxEvent if sandbox else Event


def keyed_apart(*, sandbox: bool) -> bool:
    """Whether the events' idempotency key is a table of its own (the partitioned production
    events on PostgreSQL) rather than the event table's primary key."""
    return not sandbox and connection.vendor == "postgresql"


def events_insert(
    *,
    sandbox: bool,
    system_id: int,
    journal_id: int,
    received_at: dt.datetime,
    columns: Sequence[list],
) -> int:
    """Insert events not stored yet, given column by column (EVENT_COLUMNS); return how many
    were new. Runs inside the caller's transaction (the journal entry and its events commit
    together)."""
    if not columns or not columns[0]:
        return 0
    table = event_model(sandbox=sandbox)._meta.db_table
    names = ", ".join(("system_id", "journal_id", "received_at", *EVENT_COLUMNS))
    if connection.vendor == "postgresql":
        # A column with one value for the whole batch travels once, not a thousand times.
        selected, arrays, constants, params = [], [], [], []
        for number, (kind, column) in enumerate(zip(_PG_TYPES, columns, strict=True)):
            if column.count(column[0]) == len(column):
                selected.append(f"%b::{kind}")
                constants.append(column[0])
            elif kind == "timestamptz":
                selected.append(f"u.c{number}")
                arrays.append((f"%b::{kind}[]", f"c{number}"))
                params.append(column)
            else:
                selected.append(f"u.c{number}")
                arrays.append((f"%t::{kind}[]", f"c{number}"))
                params.append(array_literal(column, strings=kind in ("uuid", "varchar")))
        source = ""
        if arrays:  # (with every column constant, the batch holds a single event)
            unnest = ", ".join(array for array, _ in arrays)
            aliases = ", ".join(alias for _, alias in arrays)
            source = f"FROM unnest({unnest}) AS u({aliases}) "
        if keyed_apart(sandbox=sandbox):
            # The keys first; an event goes in only if its key did (the join with `fresh`).
            keys = EventKey._meta.db_table
            sql = (
                f"WITH batch ({', '.join(EVENT_COLUMNS)}) AS "  # noqa: S608
                f"(SELECT {', '.join(selected)} {source}), "
                f"fresh AS (INSERT INTO {keys} (system_id, event_id, received_at) "
                "SELECT %b, event_id, %b FROM batch ON CONFLICT DO NOTHING RETURNING event_id) "
                f"INSERT INTO {table} ({names}) "
                "SELECT %b, %b, %b, batch.* FROM batch JOIN fresh USING (event_id)"
            )
            values = [*constants, *params, system_id, received_at]
            values += [system_id, journal_id, received_at]
        else:
            sql = (
                f"INSERT INTO {table} ({names}) SELECT %b, %b, %b, {', '.join(selected)} "
                f"{source}ON CONFLICT DO NOTHING"
            )
            values = [system_id, journal_id, received_at, *constants, *params]
        with binary_cursor() as cursor:
            cursor.execute(sql, values)
            return cursor.rowcount
    # SQLite: one prepared statement run over all rows by the driver's C loop.
    received = sqlite_datetime(received_at)
    placeholders = ", ".join(["%s"] * (3 + len(EVENT_COLUMNS)))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders}) "  # noqa: S608
            "ON CONFLICT DO NOTHING",
            [
                # Django keeps UUIDs in SQLite as 32 hex digits, datetimes as naive UTC text.
                (
                    system_id,
                    journal_id,
                    received,
                    r[0].replace("-", ""),
                    r[1],
                    r[2],
                    sqlite_datetime(r[3]),
                    *r[4:],
                )
                for r in zip(*columns, strict=True)
            ],
        )
        return cursor.rowcount


def array_literal(column: list, *, strings: bool) -> str:
    """A column of strings, or of integers with None for NULL, as PostgreSQL's array text,
    built by `str.join` in C: psycopg's binary list dumper runs a Python loop per element, and
    PostgreSQL reads the literal back for a fraction of that (docs/performance.md). Strings
    are always quoted, so none reads as NULL; a quote or backslash in any is escaped."""
    if strings:
        probe = "".join(column)
        if '"' in probe or "\\" in probe:
            column = [v.replace("\\", "\\\\").replace('"', '\\"') for v in column]
        return '{"' + '","'.join(column) + '"}'
    if None in column:
        return "{" + ",".join("NULL" if v is None else str(v) for v in column) + "}"
    return "{" + ",".join(map(str, column)) + "}"


def columns_of(rows: Sequence[tuple]) -> list[list]:
    """Rows (in EVENT_COLUMNS order) turned into the columns `events_insert` takes."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else []


def journal_insert(**values: Any) -> int:
    """Insert a journal row; return its id. PostgreSQL gets the body as a binary parameter."""
    if connection.vendor != "postgresql":
        return Journal.objects.create(**values).pk
    # Raw SQL skips the model's defaults: fill in every column a door did not name.
    for field in Journal._meta.concrete_fields:
        if not field.primary_key and field.attname not in values:
            values[field.attname] = field.get_default()  # "" for text, as the ORM would
    columns = list(values)
    params = [
        Jsonb(value) if isinstance(value, (dict, list)) else value for value in values.values()
    ]
    with binary_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Journal._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%b'] * len(columns))}) RETURNING id",
            params,
        )
        return cursor.fetchone()[0]


def events_stored(
    *, sandbox: bool, system_id: int, event_ids: Iterable[str]
) -> dict[str, tuple[int, tuple]]:
    """Stored events by id: (journal id, row in validation order) — for the rare path that
    tells a resent event (duplicate) from a different event under the same id (conflict)."""
    model = event_model(sandbox=sandbox)
    wanted = list(event_ids)
    if keyed_apart(sandbox=sandbox):
        # The keys say when (so in which month) each event was received: each month is read
        # for the events it holds, through the BRIN index on received_at.
        months: dict[dt.datetime, list] = {}
        for event_id, received_at in EventKey.objects.filter(
            system_id=system_id, event_id__in=wanted
        ).values_list("event_id", "received_at"):
            months.setdefault(received_at, []).append(event_id)
        searches = [{"received_at": at, "event_id__in": ids} for at, ids in months.items()]
    else:
        searches = [{"event_id__in": wanted}]
    found = {}
    for search in searches:
        for values in model.objects.filter(system_id=system_id, **search).values_list(
            "journal_id", *EVENT_COLUMNS
        ):
            journal_id, event_id, *rest = values
            found[str(event_id)] = (journal_id, (str(event_id), *rest))
    return found

"""Set-based writes of accepted events: one statement per batch, duplicates skipped in SQL.

PostgreSQL gets `INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING`; SQLite gets the
same shape over `json_each`. No ORM object is built per event.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence

from django.db import connection

from yakist.ingest.models import Event, EventBase, SandboxEvent

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


def events_insert(
    *,
    sandbox: bool,
    system_id: int,
    journal_id: int,
    received_at: dt.datetime,
    rows: Sequence[tuple],
) -> int:
    """Insert rows not stored yet; return how many were new."""
    if not rows:
        return 0
    table = event_model(sandbox=sandbox)._meta.db_table
    columns = ", ".join(("system_id", "journal_id", "received_at", *EVENT_COLUMNS))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{kind}[]" for kind in _PG_TYPES)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, %s, %s, u.* "  # noqa: S608
                f"FROM unnest({arrays}) AS u ON CONFLICT DO NOTHING",
                [system_id, journal_id, received_at, *(list(c) for c in zip(*rows, strict=True))],
            )
        else:
            adapt = connection.ops.adapt_datetimefield_value
            values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(EVENT_COLUMNS)))
            payload = json.dumps(
                [[uuid.UUID(r[0]).hex, r[1], r[2], adapt(r[3]), *r[4:]] for r in rows],
                ensure_ascii=False,
            )
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, %s, %s, {values} "  # noqa: S608
                "FROM json_each(%s) WHERE true ON CONFLICT DO NOTHING",
                [system_id, journal_id, adapt(received_at), payload],
            )
        return cursor.rowcount


def events_stored(
    *, sandbox: bool, system_id: int, event_ids: Iterable[str]
) -> dict[str, tuple[int, tuple]]:
    """Stored events by id: (journal id, row in validation order) — for the rare path that
    tells a resent event (duplicate) from a different event under the same id (conflict)."""
    model = event_model(sandbox=sandbox)
    found = {}
    for values in model.objects.filter(
        system_id=system_id, event_id__in=list(event_ids)
    ).values_list("journal_id", *EVENT_COLUMNS):
        journal_id, event_id, *rest = values
        found[str(event_id)] = (journal_id, (str(event_id), *rest))
    return found

"""Set-based writes of projected cases: one upsert statement per chunk, no ORM object per case.

PostgreSQL: `INSERT … SELECT FROM unnest(arrays) ON CONFLICT … DO UPDATE`; SQLite: one prepared
upsert run over all rows. Rows are tuples in the order of `CASE_COLUMNS`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connection, transaction

from yakist.cases.models import Case
from yakist.core.db import binary_cursor, sqlite_datetime

KEY_COLUMNS = ("system_id", "sandbox", "case_id")
# (column, PostgreSQL type)
CASE_COLUMNS = (
    ("system_id", "int"),
    ("sandbox", "bool"),
    ("case_id", "varchar"),
    ("service_id", "int"),
    ("centre_id", "int"),
    ("main_centre_id", "int"),
    ("region_id", "varchar"),
    ("hromada_id", "varchar"),
    ("provider_id", "int"),
    ("channel", "varchar"),
    ("applicant_pseudonym", "varchar"),
    ("status", "varchar"),
    ("outcome", "varchar"),
    ("received_at", "timestamptz"),
    ("registered_at", "timestamptz"),
    ("completed_at", "timestamptz"),
    ("done_at", "timestamptz"),
    ("term_value", "int"),
    ("term_unit", "varchar"),
    ("due_at", "timestamptz"),
    ("at_risk_from", "timestamptz"),
    ("on_time", "bool"),
    ("days_late", "int"),
    ("suspended_seconds", "bigint"),
    ("rating", "smallint"),
    ("rated_at", "timestamptz"),
    ("quality_issues", "jsonb"),
    ("has_quality_issues", "bool"),
    ("event_count", "int"),
    ("last_event_at", "timestamptz"),
    ("projected_at", "timestamptz"),
)
COLUMN_NAMES = tuple(name for name, _ in CASE_COLUMNS)
# One projected case, in CASE_COLUMNS order: a tuple to the store, named fields to its makers.
CaseRow = NamedTuple("CaseRow", [(name, object) for name in COLUMN_NAMES])
# What later stages count of a case (the methodology's cube and duration histograms): where it
# was applied for and its moments. `cases_projected` carries each case's facts before and after.
FACT_COLUMNS = (
    "service_id",
    "main_centre_id",
    "provider_id",
    "region_id",
    "hromada_id",
    "channel",
    "outcome",
    "received_at",
    "done_at",
    "due_at",
    "on_time",
    "rating",
    "rated_at",
)
CaseFacts = NamedTuple("CaseFacts", [(name, object) for name in FACT_COLUMNS])
_DATETIMES = frozenset(i for i, (_, kind) in enumerate(CASE_COLUMNS) if kind == "timestamptz")
_JSON = COLUMN_NAMES.index("quality_issues")


def case_facts(row: CaseRow) -> CaseFacts:
    return CaseFacts(*(getattr(row, name) for name in FACT_COLUMNS))


def case_facts_stored(
    *, system_id: int, sandbox: bool, case_ids: list[str]
) -> dict[str, CaseFacts]:
    """The stored facts of the cases about to be written (one indexed read per chunk)."""
    rows = Case.objects.filter(system_id=system_id, sandbox=sandbox, case_id__in=case_ids)
    return {
        values[0]: CaseFacts(*values[1:])
        for values in rows.values_list("case_id", *FACT_COLUMNS).iterator(chunk_size=5000)
    }


def cases_upsert(rows: Sequence[CaseRow]) -> None:
    """Insert cases, or replace the projected columns of cases already there."""
    if not rows:
        return
    table = Case._meta.db_table
    columns = ", ".join(COLUMN_NAMES)
    updates = ", ".join(
        f"{name} = excluded.{name}" for name in COLUMN_NAMES if name not in KEY_COLUMNS
    )
    conflict = f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates}"
    if connection.vendor == "postgresql":
        arrays = ", ".join(
            f"%b::{kind}[]" if kind != "jsonb" else "%b::text[]::jsonb[]"
            for _, kind in CASE_COLUMNS
        )
        columns_data = [list(c) for c in zip(*rows, strict=True)]
        columns_data[_JSON] = [json.dumps(v, ensure_ascii=False) for v in columns_data[_JSON]]
        with binary_cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608
                + conflict,
                columns_data,
            )
        return
    # One transaction: outside one, SQLite would commit after every row of executemany.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(CASE_COLUMNS))}) {conflict}",
            [
                tuple(
                    json.dumps(v, ensure_ascii=False)
                    if i == _JSON
                    else sqlite_datetime(v)
                    if i in _DATETIMES and v is not None
                    else v
                    for i, v in enumerate(row)
                )
                for row in rows
            ],
        )

"""Storing a period's computed figures by revision (yakist.indicators.services runs it).

A figure of the same definition is refreshed in place (a provisional figure); one computed
under another definition keeps the old row, marked not current, and becomes revision + 1.
A period has tens of thousands of current figures, so they are read as plain tuples and
written with set-based statements, not model instances.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from yakist.core.db import binary_cursor
from yakist.indicators import engine
from yakist.indicators.models import IndicatorResult
from yakist.indicators.selectors import FIGURE_FIELDS

if TYPE_CHECKING:
    from yakist.indicators.services import ComputeReport

# The figures compared to decide whether a stored figure changed.
RESULT_FIELDS = FIGURE_FIELDS
INSERT_COLUMNS = (
    "definition_id",
    "indicator_code",
    "subject_type",
    "subject_key",
    "period",
    "breakdown",
    "value",
    "numerator",
    "denominator",
    "n",
    "ci_low",
    "ci_high",
    "extra",
    "status",
    "revision",
    "is_current",
    "computed_at",
)


def results_store(ctx: engine.Context, rows: list[engine.Row], report: ComputeReport) -> None:
    """Write `rows` against the period's current figures and count what changed in `report`."""
    now = timezone.now()
    current = _current_figures(ctx.period.code, _recomputed(ctx))
    to_create: list[tuple] = []
    to_replace: list[int] = []
    to_retire: list[int] = []
    for row in rows:
        definition = ctx.definitions[row.indicator]
        existing = current.get(row.key)
        values = {name: getattr(row, name) for name in RESULT_FIELDS}
        if existing is not None and existing.definition_id == definition.pk:
            if all(_same(getattr(existing, k), v) for k, v in values.items()):
                report.unchanged += 1
                continue
            # A provisional figure of the same definition is refreshed: replaced in place.
            to_replace.append(existing.pk)
            revision = existing.revision
        else:
            revision = 1
            if existing is not None:
                to_retire.append(existing.pk)
                revision = existing.revision + 1
        to_create.append(_result_row(row, definition.pk, ctx.period.code, revision, now))
    # Set-based writes: Django's bulk_update builds one CASE per row and per field, which is
    # slower than deleting and inserting the same rows.
    for chunk in chunks(to_replace, 5000):
        IndicatorResult.objects.filter(pk__in=chunk).delete()
    for chunk in chunks(to_retire, 5000):
        IndicatorResult.objects.filter(pk__in=chunk).update(is_current=False)
    _insert_results(to_create)
    report.created = len(to_create) - len(to_replace)
    report.updated, report.superseded = len(to_replace), len(to_retire)


def _recomputed(ctx: engine.Context) -> Q | None:
    """The subjects an incremental run writes figures for (None: a full run, every subject)."""
    if not ctx.incremental:
        return None
    centres, providers = ctx.dirty_codes()
    hromadas, regions = ctx.dirty_areas
    return (
        Q(subject_type="centre", subject_key__in=centres)
        | Q(subject_type="provider", subject_key__in=providers)
        | Q(subject_type="hromada", subject_key__in=hromadas)
        | Q(subject_type="region", subject_key__in=regions)
        | Q(subject_type="nation")
    )


def _current_figures(period_code: str, subjects: Q | None) -> dict[tuple, _Stored]:
    """(indicator, subject type, subject key, breakdown) -> the current figure, of `subjects`
    only when given (an incremental run compares only what it recomputed)."""
    columns = ("pk", "definition_id", "revision", *RESULT_FIELDS)
    figures = IndicatorResult.objects.filter(period=period_code, is_current=True)
    if subjects is not None:
        figures = figures.filter(subjects)
    return {
        tuple(values[:4]): _Stored(*values[4:])
        for values in figures.values_list(
            "indicator_code", "subject_type", "subject_key", "breakdown", *columns
        )
    }


def _result_row(row: engine.Row, definition_id: int, period_code: str, revision: int, now) -> tuple:
    """A new current figure in the order of INSERT_COLUMNS."""
    return (
        definition_id,
        row.indicator,
        row.subject_type,
        row.subject_key,
        period_code,
        row.breakdown,
        row.value,
        row.numerator,
        row.denominator,
        row.n,
        row.ci_low,
        row.ci_high,
        json.dumps(row.extra, ensure_ascii=False),
        row.status,
        revision,
        True,
        now,
    )


def _insert_results(rows: list[tuple]) -> None:
    """A period has tens of thousands of figures: PostgreSQL gets them in one COPY (a long
    multi-row INSERT bound on the client is parsed anew for every chunk); SQLite gets plain
    multi-row INSERTs. Building a model instance for each would cost more than writing it."""
    table = IndicatorResult._meta.db_table
    if connection.vendor == "postgresql":
        if rows:
            copy_sql = f"COPY {table} ({', '.join(INSERT_COLUMNS)}) FROM STDIN"
            with binary_cursor() as cursor, cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    placeholders = "(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for chunk in chunks(rows, 500):
            sql = (
                f"INSERT INTO {table} ({', '.join(INSERT_COLUMNS)}) VALUES "  # noqa: S608
                + ", ".join([placeholders] * len(chunk))
            )
            cursor.execute(sql, [value for row in chunk for value in row])


class _Stored:
    """A current figure as read for comparison."""

    __slots__ = ("definition_id", "extra_fields", "pk", "revision")

    def __init__(self, pk, definition_id, revision, *fields) -> None:
        self.pk, self.definition_id, self.revision = pk, definition_id, revision
        self.extra_fields = dict(zip(RESULT_FIELDS, fields, strict=True))

    def __getattr__(self, name):
        try:
            return self.extra_fields[name]
        except KeyError as error:
            raise AttributeError(name) from error


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return abs(old - new) < 1e-12
    return old == new

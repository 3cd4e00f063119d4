"""The publication schedule as data: due dates per period.

The dates come from a DRAFT (the unsigned Procedure of publication, ref. 1/04-1-2938 of
19.03.2021, item 5); each row of `data/publication-schedule.csv` carries that basis (columns
basis, document, reference, date, note) and is refused without it. A row says in which month
after the period and on which day the report is due, and how many days before the reminder
anchor reminders go out. «До 25 числа» is read inclusively: a report is late when it is not
published by the end of its due day in Kyiv time; reminders count from the working day before
the due day, so the exclusive reading is met too.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from yakist.core import basis as bases
from yakist.core.periods import Period, kyiv_date

SCHEDULE_FILE = settings.BASE_DIR / "data" / "publication-schedule.csv"


@dataclass(frozen=True)
class ScheduleRule:
    periodicity: str
    month_after_period: int  # 1 = the first month after the period
    day: int
    reminder_days: tuple[int, ...]
    source: str
    basis: dict


BASIS_COLUMNS = ("document", "reference", "date", "note", "act", "number", "point")


def _basis(row: dict) -> dict:
    basis = {"kind": row.get("basis", "")}
    for name in (*BASIS_COLUMNS, "rationale", "replace_with", "in_force_since"):
        value = (row.get(name) or "").strip()
        if value:
            basis[name] = dt.date.fromisoformat(value) if name == "date" else value
    problems = bases.errors(f"publication-schedule.csv {row.get('periodicity')}", basis)
    if problems:
        raise ValueError("; ".join(problems))
    return bases.stored(basis)


@cache
def rules() -> dict[str, ScheduleRule]:
    with SCHEDULE_FILE.open(encoding="utf-8") as handle:
        return {
            row["periodicity"]: ScheduleRule(
                periodicity=row["periodicity"],
                month_after_period=int(row["month_after_period"]),
                day=int(row["day"]),
                reminder_days=tuple(
                    sorted((int(d) for d in row["reminder_days"].split()), reverse=True)
                ),
                source=row["source"],
                basis=_basis(row),
            )
            for row in csv.DictReader(handle)
        }


def periodicity_of(period: Period) -> str:
    return "quarterly" if period.is_quarter else "yearly"


def due_date(period: Period) -> dt.date:
    rule = rules()[periodicity_of(period)]
    month_index = period.next_first_day.month - 1 + rule.month_after_period - 1
    year = period.next_first_day.year + month_index // 12
    return dt.date(year, month_index % 12 + 1, rule.day)


def reminder_anchor(due_on: dt.date) -> dt.date:
    """The working day before the due day: reminders count from here (rule
    `publication.reading` of the methodology), so either reading of «до 25 числа» is met."""
    from yakist.cases.calendar import ua_calendar

    calendar = ua_calendar()
    day = due_on - dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def is_late(period: Period, *, published_at: dt.datetime | None, today: dt.date) -> bool:
    """Late: published after the due day, or still unpublished once the due day has passed."""
    due = due_date(period)
    if published_at is not None:
        return kyiv_date(published_at) > due
    return today > due


@dataclass(frozen=True)
class Deadline:
    period: Period
    periodicity: str
    due_on: dt.date


def schedule_for_year(year: int) -> list[Deadline]:
    """The five reports of a year's periods (four quarters and the year) and their due dates."""
    periods = [*Period(year).quarters(), Period(year)]
    return [Deadline(p, periodicity_of(p), due_date(p)) for p in periods]


def closed_periods(today: dt.date) -> list[Period]:
    """The latest closed quarter and the latest closed year: what is to be published now."""
    quarter = Period.quarter_of(today).previous()
    return [quarter, Period(today.year - 1)]


def open_deadlines(today: dt.date, *, horizon_days: int = 400) -> list[Deadline]:
    """Deadlines of periods already closed whose due date is at most `horizon_days` ago,
    plus the next ones; the console lists these."""
    deadlines = []
    for year in (today.year - 1, today.year):
        for deadline in schedule_for_year(year):
            closed = deadline.period.next_first_day <= today
            if closed and (today - deadline.due_on).days <= horizon_days:
                deadlines.append(deadline)
    return sorted(deadlines, key=lambda d: d.due_on, reverse=True)

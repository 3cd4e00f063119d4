"""Legal deadlines: the due moment of a case from its term, the calendar and its suspensions.

Rules (Civil Code art. 253–254, the Law on administrative services; docs/architecture.md,
"Legal deadlines"):
- a term in days starts the day after the case was received and ends at the end of its last
  day (23:59:59 Kyiv time); `working_days` count only working days;
- a term that ends on a day off ends at the end of the next working day;
- `hours` are clock hours from the moment of receipt that run on working days only ("протягом
  24 годин ... крім вихідних та святкових днів", art. 25 of Law 755-IV); they are real
  elapsed hours, so Kyiv's DST changes (always on a Sunday) never stretch or shrink them;
  `on_visit` ends the day the case was received (or the next working day);
- suspension is excluded: hours while suspended do not run; for terms in days, a day at whose
  end the case stood suspended does not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from yakist.cases.calendar import WorkingCalendar, ua_calendar
from yakist.core.periods import KYIV, UTC, kyiv_date, kyiv_midnight
from yakist.registry.enums import TermUnit

AT_RISK_SHARE = 0.2  # the last fifth of the term …
AT_RISK_MINIMUM = dt.timedelta(days=1)  # … but at least the last day


@dataclass(frozen=True)
class Term:
    value: int | None
    unit: str


@dataclass(frozen=True)
class Deadline:
    due_at: dt.datetime
    at_risk_from: dt.datetime


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=KYIV).astimezone(UTC)


def deadline_compute(
    *,
    received_at: dt.datetime,
    term: Term,
    suspensions: Sequence[tuple[dt.datetime, dt.datetime]],
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """The due moment of a case received at `received_at` under `term`, excluding suspensions
    (pairs of suspended-at, resumed-at; an open suspension is passed as ending now)."""
    cal = calendar or ua_calendar()
    # Arithmetic in UTC: Python adds a timedelta to a zoned time on the wall clock, which
    # would make a 48-hour term 47 or 49 hours long across a DST change.
    received_at = received_at.astimezone(UTC)
    spans = sorted(
        (start.astimezone(UTC), end.astimezone(UTC)) for start, end in suspensions if end > start
    )
    if term.unit == TermUnit.HOURS:
        due_at = _hours(received_at, term.value or 0, spans, cal)
    elif term.unit == TermUnit.ON_VISIT:
        due_at = end_of_day(_on_visit(kyiv_date(received_at), spans, cal))
    elif term.unit in (TermUnit.CALENDAR_DAYS, TermUnit.WORKING_DAYS):
        due_at = end_of_day(_days(kyiv_date(received_at), term, spans, cal))
    else:
        raise ValueError(f"unknown term unit {term.unit!r}")
    margin = max(AT_RISK_MINIMUM, (due_at - received_at) * AT_RISK_SHARE)
    return Deadline(due_at=due_at, at_risk_from=max(received_at, due_at - margin))


def _hours(received_at, hours, spans, cal: WorkingCalendar) -> dt.datetime:
    """Clock hours that run only on working days and only while the case is not suspended."""
    remaining = dt.timedelta(hours=hours)
    moment = received_at
    spans = list(spans)
    while True:
        day = kyiv_date(moment)
        if not cal.is_working_day(day):
            moment = kyiv_midnight(cal.next_working_day(day))
            continue
        day_end = kyiv_midnight(day + dt.timedelta(days=1))
        while spans and spans[0][1] <= moment:
            spans.pop(0)
        if spans and spans[0][0] <= moment:
            moment = spans.pop(0)[1]  # suspended now: the clock waits for the resumption
            continue
        stop = min(day_end, spans[0][0]) if spans else day_end
        if remaining < stop - moment:
            return moment + remaining
        if remaining == stop - moment and stop == day_end:
            return end_of_day(day)
        remaining -= stop - moment
        moment = stop


def _suspended_days(spans) -> set[dt.date]:
    """Days at whose end (Kyiv midnight) the case stood suspended."""
    days = set()
    for start, end in spans:
        day, last = kyiv_date(start), kyiv_date(end)
        while day < last:
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def _days(received: dt.date, term: Term, spans, cal: WorkingCalendar) -> dt.date:
    value = term.value or 0
    working = term.unit == TermUnit.WORKING_DAYS

    def nth(count: int) -> dt.date:
        if working:
            return cal.add_working_days(received, count)
        return received + dt.timedelta(days=count)

    suspended = sorted(
        d for d in _suspended_days(spans) if d > received and (not working or cal.is_working_day(d))
    )
    due, excluded = nth(value), 0
    # Each suspended day inside the term pushes the end one counted day further, which may
    # bring more suspended days inside: repeat until the end stops moving.
    while True:
        inside = sum(1 for d in suspended if d <= due)
        if inside == excluded:
            break
        excluded = inside
        due = nth(value + excluded)
    return due if cal.is_working_day(due) else cal.next_working_day(due)


def _on_visit(received: dt.date, spans, cal: WorkingCalendar) -> dt.date:
    base = cal.next_working_day(received)
    suspended = sorted(d for d in _suspended_days(spans) if d >= base and cal.is_working_day(d))
    due, excluded = base, 0
    while True:
        inside = sum(1 for d in suspended if d <= due)
        if inside == excluded:
            break
        excluded = inside
        due = cal.add_working_days(base, excluded)
    return due

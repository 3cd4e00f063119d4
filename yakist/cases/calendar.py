"""Ukrainian working days as dated data: weekends, public holidays, transfers and regimes.

Two files in `data/calendar/`, reviewed like code, each row citing its source:

- `ua-holidays.csv` — public holidays and the Cabinet's transfers of working days, generated
  from the `holidays` package by `yakist calendar export`;
- `ua-regimes.csv` — which rule is in force when: Saturday and Sunday are days off; public
  holidays (and the transfers around them) are days off until 23 Feb 2022 and working days
  since 24 Feb 2022 under martial law (Law 2136-IX suspends art. 73 of the Labour Code).

Changing the law is a new row in `ua-regimes.csv`, not an `if` in the code.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

CALENDAR_DIR = Path(settings.BASE_DIR) / "data" / "calendar"
HOLIDAYS_FILE = "ua-holidays.csv"
REGIMES_FILE = "ua-regimes.csv"

# Rules a regime row may state (column `rule` of ua-regimes.csv).
RULE_WEEKEND = "weekend_sat_sun"
RULE_HOLIDAYS_OFF = "holidays_days_off"
RULE_HOLIDAYS_WORKING = "holidays_working_days"
RULES = (RULE_WEEKEND, RULE_HOLIDAYS_OFF, RULE_HOLIDAYS_WORKING)

# Kinds of dated rows (column `kind` of ua-holidays.csv).
KIND_HOLIDAY = "holiday"  # a public holiday or the weekday that replaces one on a weekend
KIND_TRANSFER_DAY_OFF = "transfer_day_off"  # a weekday made a day off by a transfer
KIND_TRANSFER_WORKING_DAY = "transfer_working_day"  # the Saturday worked in exchange
KINDS = (KIND_HOLIDAY, KIND_TRANSFER_DAY_OFF, KIND_TRANSFER_WORKING_DAY)

# Deadlines are computed for cases received from 2020 on; the table reaches far enough ahead
# for the longest legal terms plus suspensions.
FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2045, 12, 31)


@dataclass(frozen=True)
class Regime:
    rule: str
    start: dt.date
    end: dt.date | None
    source: str

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class DatedDay:
    day: dt.date
    kind: str
    name: str
    source: str


class WorkingCalendar:
    """Answers "is this a working day?" and counts working days, from dated data."""

    def __init__(self, *, days: list[DatedDay], regimes: list[Regime]) -> None:
        self.days = {(d.day, d.kind): d for d in days}
        self.regimes = regimes
        self._off: dict[dt.date, str] = {}
        working = []
        day = FIRST_DAY
        one = dt.timedelta(days=1)
        while day <= LAST_DAY:
            reason = self._reason_off(day)
            if reason is None:
                working.append(day.toordinal())
            else:
                self._off[day] = reason
            day += one
        # Sorted ordinals of working days: the n-th working day after a date is one bisect.
        self._working = working

    def _rule(self, day: dt.date, rule: str) -> bool:
        return any(r.rule == rule and r.covers(day) for r in self.regimes)

    def _reason_off(self, day: dt.date) -> str | None:
        holidays_off = self._rule(day, RULE_HOLIDAYS_OFF) and not self._rule(
            day, RULE_HOLIDAYS_WORKING
        )
        if holidays_off:
            for kind in (KIND_HOLIDAY, KIND_TRANSFER_DAY_OFF):
                dated = self.days.get((day, kind))
                if dated is not None:
                    return dated.name
            if (day, KIND_TRANSFER_WORKING_DAY) in self.days:
                return None
        if day.weekday() >= 5 and self._rule(day, RULE_WEEKEND):
            return "Субота" if day.weekday() == 5 else "Неділя"
        return None

    def _check(self, day: dt.date) -> None:
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValueError(f"{day} is outside the calendar ({FIRST_DAY}…{LAST_DAY})")

    def is_working_day(self, day: dt.date) -> bool:
        self._check(day)
        return day not in self._off

    def day_off_reason(self, day: dt.date) -> str | None:
        """Why `day` is a day off (holiday name, «Субота», «Неділя»), or None."""
        self._check(day)
        return self._off.get(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        self._check(day)
        index = bisect.bisect_left(self._working, day.toordinal())
        return dt.date.fromordinal(self._working[index])

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day` (counting starts the next day)."""
        self._check(day)
        if count < 1:
            raise ValueError("count must be at least 1")
        index = bisect.bisect_right(self._working, day.toordinal()) + count - 1
        return dt.date.fromordinal(self._working[index])

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in the half-open range (start, end]."""
        self._check(start)
        self._check(end)
        if end <= start:
            return 0
        return bisect.bisect_right(self._working, end.toordinal()) - bisect.bisect_right(
            self._working, start.toordinal()
        )


def _date(value: str) -> dt.date | None:
    value = value.strip()
    return dt.date.fromisoformat(value) if value else None


def read_days(path: Path) -> list[DatedDay]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    days = []
    for number, row in enumerate(rows, start=2):
        if row["kind"] not in KINDS:
            raise ValueError(f"{path.name}:{number}: unknown kind {row['kind']!r}")
        days.append(
            DatedDay(
                day=dt.date.fromisoformat(row["date"]),
                kind=row["kind"],
                name=row["name"],
                source=row["source"],
            )
        )
    return days


def read_regimes(path: Path) -> list[Regime]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    regimes = []
    for number, row in enumerate(rows, start=2):
        if row["rule"] not in RULES:
            raise ValueError(f"{path.name}:{number}: unknown rule {row['rule']!r}")
        start = _date(row["effective_from"])
        if start is None:
            raise ValueError(f"{path.name}:{number}: effective_from is required")
        regimes.append(
            Regime(
                rule=row["rule"],
                start=start,
                end=_date(row["effective_until"]),
                source=row["source"],
            )
        )
    return regimes


@lru_cache(maxsize=1)
def ua_calendar() -> WorkingCalendar:
    """The calendar from data/calendar/, read once per process."""
    return WorkingCalendar(
        days=read_days(CALENDAR_DIR / HOLIDAYS_FILE),
        regimes=read_regimes(CALENDAR_DIR / REGIMES_FILE),
    )


def holidays_from_package(first_year: int, last_year: int) -> list[DatedDay]:
    """Rows for ua-holidays.csv from the `holidays` package (public holidays, including those
    the package files as working days under martial law, and the Cabinet's transfers)."""
    import holidays
    from holidays.countries.ukraine import UkraineStaticHolidays

    version = getattr(holidays, "__version__", "")
    source = f"holidays {version} (UA), ст. 73 КЗпП".strip()
    years = range(first_year, last_year + 1)
    rows: dict[tuple[dt.date, str], DatedDay] = {}
    public = holidays.UA(years=years, categories=("public", "workday"), language="uk")
    transfers = UkraineStaticHolidays.special_public_holidays
    transfer_days: dict[dt.date, dt.date] = {}
    for year in years:
        entries = transfers.get(year, ())
        if entries and isinstance(entries[0], int):
            entries = (entries,)
        for month, day, from_month, from_day in entries:
            transfer_days[dt.date(year, month, day)] = dt.date(year, from_month, from_day)
    for day, name in sorted(public.items()):
        kind = KIND_TRANSFER_DAY_OFF if day in transfer_days else KIND_HOLIDAY
        rows[(day, kind)] = DatedDay(day=day, kind=kind, name=name, source=source)
    for day_off, worked in sorted(transfer_days.items()):
        rows[(worked, KIND_TRANSFER_WORKING_DAY)] = DatedDay(
            day=worked,
            kind=KIND_TRANSFER_WORKING_DAY,
            name=f"Робочий день (перенесено на {day_off:%d.%m.%Y})",
            source=f"розпорядження КМУ про перенесення робочих днів у {day_off.year} році; "
            f"{source}",
        )
    return sorted(rows.values(), key=lambda r: (r.day, r.kind))


def write_days(path: Path, days: list[DatedDay]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["date", "kind", "name", "source"])
        for row in days:
            writer.writerow([row.day.isoformat(), row.kind, row.name, row.source])

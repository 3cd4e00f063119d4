"""Reporting periods: calendar quarters and years in Kyiv time (docs/architecture.md, "Time")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

KYIV = ZoneInfo("Europe/Kyiv")
UTC = dt.UTC

_PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-?Q(?P<quarter>[1-4]))?$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar year (quarter is None) or quarter, e.g. `2026Q3` or `2026`."""

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD_RE.match(text.strip())
        if not match:
            raise ValueError(
                f"Невідомий період «{text}»: очікується РРРР або РРРРQn, напр. 2026Q3."
            )
        quarter = match.group("quarter")
        return cls(int(match.group("year")), int(quarter) if quarter else None)

    @classmethod
    def quarter_of(cls, moment: dt.datetime | dt.date) -> Period:
        day = kyiv_date(moment) if isinstance(moment, dt.datetime) else moment
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def year_of(cls, moment: dt.datetime | dt.date) -> Period:
        day = kyiv_date(moment) if isinstance(moment, dt.datetime) else moment
        return cls(day.year)

    @property
    def is_quarter(self) -> bool:
        return self.quarter is not None

    @property
    def first_day(self) -> dt.date:
        month = 1 if self.quarter is None else 3 * (self.quarter - 1) + 1
        return dt.date(self.year, month, 1)

    @property
    def next_first_day(self) -> dt.date:
        """First day after the period (exclusive end)."""
        if self.quarter is None or self.quarter == 4:
            return dt.date(self.year + 1, 1, 1)
        return dt.date(self.year, 3 * self.quarter + 1, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next_first_day - dt.timedelta(days=1)

    @property
    def start(self) -> dt.datetime:
        """Start instant in UTC (Kyiv midnight of the first day)."""
        return kyiv_midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        """Exclusive end instant in UTC."""
        return kyiv_midnight(self.next_first_day)

    def previous(self) -> Period:
        if self.quarter is None:
            return Period(self.year - 1)
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def next(self) -> Period:
        if self.quarter is None:
            return Period(self.year + 1)
        if self.quarter == 4:
            return Period(self.year + 1, 1)
        return Period(self.year, self.quarter + 1)

    def quarters(self) -> list[Period]:
        if self.quarter is not None:
            return [self]
        return [Period(self.year, q) for q in range(1, 5)]

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def code(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        """The period in words, in the active language: "3 квартал 2026 р." or "Q3 2026"."""
        if self.quarter is None:
            return _("%(year)s рік") % {"year": self.year}
        return _("%(quarter)s квартал %(year)s р.") % {"quarter": self.quarter, "year": self.year}

    def __str__(self) -> str:
        return self.code


def kyiv_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=KYIV).astimezone(UTC)


def kyiv_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(KYIV).date()


def kyiv_now() -> dt.datetime:
    return dt.datetime.now(KYIV)

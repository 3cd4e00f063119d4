"""`yakist calendar export|show|check|due`: the Ukrainian working-day calendar as dated data."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from yakist.cases import calendar
from yakist.cases.deadlines import Term, deadline_compute
from yakist.core.periods import KYIV
from yakist.registry.enums import TermUnit


class Command(BaseCommand):
    help = "Календар робочих днів / The working-day calendar."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export", help="оновити data/calendar/ua-holidays.csv з пакета holidays"
        )
        export.add_argument("--from-year", type=int, default=2019)
        export.add_argument("--to-year", type=int, default=2035)
        show = sub.add_parser("show", help="вихідні та святкові дні року")
        show.add_argument("year", type=int)
        check = sub.add_parser(
            "check", help="вихідні, перенесені й робочі святкові дні року з правилом і актом"
        )
        check.add_argument("year", type=int)
        check.add_argument(
            "--martial-law-until",
            type=dt.date.fromisoformat,
            help="змоделювати кінець воєнного стану: останній його день, РРРР-ММ-ДД",
        )
        due = sub.add_parser("due", help="кінцевий строк для справи")
        due.add_argument("--received", required=True, help="час отримання, ISO 8601 зі зсувом")
        due.add_argument("--value", type=int)
        due.add_argument("--unit", required=True, choices=TermUnit.values)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _export(self, from_year, to_year, **_):
        rows = calendar.holidays_from_package(from_year, to_year)
        path = calendar.CALENDAR_DIR / calendar.HOLIDAYS_FILE
        calendar.write_days(path, rows)
        self.stdout.write(f"{path}: {len(rows)} рядків ({from_year}–{to_year})")

    def _show(self, year, **_):
        cal = calendar.ua_calendar()
        day = dt.date(year, 1, 1)
        while day.year == year:
            reason = cal.day_off_reason(day)
            if reason and day.weekday() < 5:
                self.stdout.write(f"{day:%Y-%m-%d %a}\t{reason}")
            elif not reason and day.weekday() >= 5:
                self.stdout.write(f"{day:%Y-%m-%d %a}\tробочий день")
            day += dt.timedelta(days=1)

    def _check(self, year, martial_law_until, **_):
        if not calendar.FIRST_DAY.year <= year <= calendar.LAST_DAY.year:
            raise CommandError(
                f"Рік поза календарем ({calendar.FIRST_DAY.year}–{calendar.LAST_DAY.year})."
            )
        cal = calendar.ua_calendar()
        if martial_law_until is not None:
            cal = calendar.WorkingCalendar(
                days=list(cal.days.values()),
                regimes=calendar.with_martial_law_until(cal.regimes, martial_law_until),
            )
        for entry in cal.year_entries(year):
            self.stdout.write(f"{entry.day.isoformat()}  {entry.kind}  {entry.rule}")
        self.stdout.write(f"Робочих днів у {year} році: {cal.working_days_in_year(year)}")

    def _due(self, received, value, unit, **_):
        moment = parse_datetime(received)
        if moment is None or moment.tzinfo is None:
            raise CommandError(
                "--received: потрібні дата й час зі зсувом, напр. 2025-03-28T10:00+02:00"
            )
        if unit != TermUnit.ON_VISIT and not value:
            raise CommandError("--value: потрібне для цієї одиниці строку")
        deadline = deadline_compute(
            received_at=moment, term=Term(value=value, unit=unit), suspensions=[]
        )
        self.stdout.write(deadline.due_at.astimezone(KYIV).isoformat())

"""`yakist calendar export|show|due`: the Ukrainian working-day calendar as dated data."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from yakist.cases import calendar
from yakist.cases.deadlines import Term, deadline_compute
from yakist.core.periods import KYIV
from yakist.registry.models import TermUnit


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

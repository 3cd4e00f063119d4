"""`yakist indicators compute PERIOD… | refresh | backfill`: compute results and ratings."""

import time

from django.core.management.base import BaseCommand, CommandError

from yakist.core.periods import Period, kyiv_now
from yakist.core.problems import Problem
from yakist.indicators.models import IndicatorResult, MethodologyVersion
from yakist.indicators.services import indicators_compute, indicators_refresh


class Command(BaseCommand):
    help = "Розрахунок показників і рейтингів / Compute indicators and ratings."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser(
            "compute",
            help="повний розрахунок періодів (2026Q3, 2026, …; current — поточні квартал і рік, "
            "щоночі)",
        )
        compute.add_argument("periods", nargs="+")
        compute.add_argument(
            "--methodology", help="код версії методики (типово — чинна на початок періоду)"
        )
        compute.add_argument(
            "--with-quarters", action="store_true", help="для року — також кожен його квартал"
        )
        refresh = sub.add_parser("refresh", help="перерахувати лише змінене новими даними")
        refresh.add_argument(
            "--every",
            type=int,
            default=0,
            help="повторювати кожні N секунд (для демо та простих розгортань)",
        )
        backfill = sub.add_parser(
            "backfill", help="розрахувати поточний рік і попередні квартали без результатів"
        )
        backfill.add_argument("--quarters", type=int, default=4)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _refresh(self, every, **_):
        while True:
            for report in indicators_refresh():
                self._print(report)
            if not every:
                return
            time.sleep(every)

    def _backfill(self, quarters, **_):
        quarter = Period.quarter_of(kyiv_now().date())
        periods = [Period(quarter.year)]
        for _step in range(quarters):
            quarter = quarter.previous()
            periods.append(quarter)
        # Oldest first, so that each period's rank movement finds the period before it.
        for period in sorted(periods, key=lambda p: (p.is_quarter, p.first_day)):
            if not IndicatorResult.objects.filter(period=period.code).exists():
                self._print(indicators_compute(period=period))

    def _compute(self, periods, methodology, with_quarters, **_):
        chosen = None
        if methodology:
            chosen = MethodologyVersion.objects.filter(code=methodology).first()
            if chosen is None:
                raise CommandError(f"Версію методики {methodology} не знайдено.")
        for period in self._periods(periods, with_quarters=with_quarters):
            try:
                self._print(indicators_compute(period=period, methodology=chosen))
            except Problem as problem:
                raise CommandError(str(problem.detail or problem.title)) from problem

    @staticmethod
    def _periods(texts: list[str], *, with_quarters: bool) -> list[Period]:
        periods = []
        for text in texts:
            if text == "current":  # the nightly full run: exact medians, cube recounted
                quarter = Period.quarter_of(kyiv_now().date())
                periods += [quarter, Period(quarter.year)]
                continue
            try:
                period = Period.parse(text)
            except ValueError as error:
                raise CommandError(str(error)) from error
            if with_quarters and not period.is_quarter:
                periods.extend(period.quarters())
            periods.append(period)
        return periods

    def _print(self, report) -> None:
        self.stdout.write(
            f"{report.period} (методика {report.methodology}): нових {report.created}, "
            f"оновлено {report.updated}, без змін {report.unchanged}, нових редакцій "
            f"{report.superseded}, рейтинг {report.ratings}; {report.seconds['total']:.2f} с"
        )

"""`yakist publication`: the schedule, reminders before due dates, bulk publication."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yakist.accounts.scope import scope_of
from yakist.core.periods import Period, kyiv_now
from yakist.core.problems import Problem
from yakist.portal import schedule, services, sources


class Command(BaseCommand):
    help = "Оприлюднення: графік, нагадування, масове оприлюднення / Publication commands."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("schedule", help="строки оприлюднення за рік")
        plan.add_argument("--year", type=int, default=kyiv_now().year)
        remind = sub.add_parser("remind", help="надіслати нагадування (запускати щодня)")
        remind.add_argument("--today", type=dt.date.fromisoformat, default=None)
        bulk = sub.add_parser("publish", help="оприлюднити набір звітів від імені Мінцифри")
        bulk.add_argument("period")
        bulk.add_argument("--region", default=None, help="код КАТОТТГ регіону")
        bulk.add_argument("--as", dest="username", default="ministry")

    def handle(self, *args, action, **options):
        if action == "schedule":
            for deadline in schedule.schedule_for_year(options["year"]):
                self.stdout.write(
                    f"{deadline.period.code}\t{deadline.periodicity}\t{deadline.due_on}"
                )
        elif action == "remind":
            today = options["today"] or kyiv_now().date()
            sent = services.reminders_send(today=today, subjects=sources.subjects_all())
            self.stdout.write(f"Надіслано нагадувань: {sent}")
        else:
            self._publish(options)

    def _publish(self, options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Користувача «{options['username']}» не знайдено.")
        try:
            period = Period.parse(options["period"])
            report = services.publication_publish_bulk(
                period=period,
                subjects=sources.subjects_all(region=options["region"]),
                scope=scope_of(user),
                actor=user,
            )
        except (ValueError, Problem) as error:
            raise CommandError(str(getattr(error, "detail", None) or error)) from error
        self.stdout.write(f"Оприлюднено: {report.published}; уже було: {report.already}")
        for reason, count in report.blocked.items():
            self.stdout.write(f"Заблоковано ({count}): {reason}")

"""`yakist statmon load-form|open-campaign|close-campaign|remind|token|revoke-token`."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yakist.core.periods import Period
from yakist.core.problems import Problem
from yakist.statmon import catalogue, reminders, selectors, services, tokens


class Command(BaseCommand):
    help = "Статичний моніторинг: каталог, кампанії, нагадування / Static monitoring."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load-form", help="завантажити каталог показників (нова версія форми)"
        )
        load.add_argument("file", type=Path)
        opened = sub.add_parser(
            "open-campaign",
            help="відкрити кампанію кварталу (типово — поточного) з очікуваними звітами",
        )
        opened.add_argument("period", nargs="?", help="РРРРQn; типово — поточний квартал")
        opened.add_argument(
            "--deadline", help="строк подання РРРР-ММ-ДД (типово — 10-й день після кварталу)"
        )
        closed = sub.add_parser(
            "close-campaign", help="закрити кампанію; прийняті звіти закриваються"
        )
        closed.add_argument("period")
        remind = sub.add_parser("remind", help="надіслати нагадування (щодня з cron)")
        remind.add_argument("--today", help="дата РРРР-ММ-ДД (типово — сьогодні за Києвом)")
        remind.add_argument("--dry-run", action="store_true", help="лише показати, кому")
        token = sub.add_parser(
            "token", help="створити API-токен користувача (показується один раз)"
        )
        token.add_argument("username")
        token.add_argument("--name", default="", help="призначення, напр. «ПК Вулик»")
        revoke = sub.add_parser("revoke-token", help="відкликати токен за його початком")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action.replace('-', '_')}")(**options)
        except Problem as problem:
            errors = problem.extra.get("errors") or []
            lines = [str(problem.detail or problem.title), *[f"  - {e}" for e in errors]]
            raise CommandError("\n".join(lines)) from problem

    def _load_form(self, *, file: Path, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Не вдалося прочитати {file}: {error.strerror}") from error
        result = catalogue.form_load(content=content, file_name=file.name)
        form = result.form
        if not result.created:
            self.stdout.write(f"Версію {form.version} форми {form.code} уже завантажено; без змін.")
            return
        for warning in result.warnings:
            self.stdout.write(f"  увага: {warning}")
        if result.superseded:
            self.stdout.write(
                f"Версія {result.superseded.version} діє по "
                f"{result.superseded.effective_to:%d.%m.%Y}."
            )
        self.stdout.write(
            f"Завантажено форму {form.code}, версія {form.version}: "
            f"{form.indicators.count()} показників, діє з {form.effective_from:%d.%m.%Y}."
        )

    def _open_campaign(self, *, period, deadline, **options):
        try:
            quarter = Period.parse(period) if period else Period.quarter_of(selectors.today_kyiv())
            day = dt.date.fromisoformat(deadline) if deadline else None
        except ValueError as error:
            raise CommandError(str(error)) from error
        campaign, created = services.campaign_open(period=quarter, deadline=day)
        self.stdout.write(
            f"Кампанія {campaign.period}: форма версії {campaign.form.version}, строк "
            f"{campaign.deadline:%d.%m.%Y}; додано очікуваних звітів: {created}, "
            f"усього: {campaign.reports.count()}."
        )

    def _close_campaign(self, *, period, **options):
        campaign = selectors.campaign_get(period)
        if campaign is None:
            raise CommandError(f"Кампанію {period} не знайдено.")
        locked = services.campaign_close(campaign=campaign)
        self.stdout.write(f"Кампанію {period} закрито; прийнятих звітів закрито: {locked}.")

    def _remind(self, *, today, dry_run, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError("Дата має бути у форматі РРРР-ММ-ДД.") from error
        result = reminders.reminders_send(today=day, dry_run=dry_run)
        for period, rule in (result.rules or {}).items():
            self.stdout.write(f"{period}: правило {rule}")
        self.stdout.write(f"Надіслано листів: {result.sent}; без адреси: {result.without_address}.")

    def _token(self, *, username, name, **options):
        user = tokens.user_get(username)
        if user is None:
            raise CommandError(f"Користувача {username} не знайдено.")
        self.stdout.write("Збережіть токен зараз — його не буде показано вдруге:")
        self.stdout.write(tokens.token_create(user=user, name=name))

    def _revoke_token(self, *, prefix, **options):
        count = tokens.token_revoke(prefix=prefix)
        self.stdout.write(f"Відкликано токенів: {count}.")

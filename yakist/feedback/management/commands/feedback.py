"""`yakist feedback import-survey FILE`: import an external satisfaction survey (CSV/XLSX);
`yakist feedback purge-contacts`: erase contacts of closed messages past their retention."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yakist.core.problems import Problem
from yakist.core.spreadsheets import file_bytes, read_table
from yakist.feedback.models import ExternalSurvey
from yakist.feedback.services import external_survey_import, feedback_contacts_purge


class Command(BaseCommand):
    help = "Імпорт зовнішнього опитування задоволеності / Import an external survey."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import-survey",
            help="колонки: centre_code, score, premises, "
            "staff, services_range, overall, submitted_at",
        )
        load.add_argument("file", type=Path)
        load.add_argument("--name", required=True)
        load.add_argument("--conducted-by", default="")
        load.add_argument("--method", default="")
        load.add_argument("--from", dest="start", required=True, type=dt.date.fromisoformat)
        load.add_argument("--to", dest="end", required=True, type=dt.date.fromisoformat)
        sub.add_parser("purge-contacts", help="видалити контакти закритих повідомлень")

    def handle(self, *args, action, **options):
        if action == "purge-contacts":
            erased = feedback_contacts_purge(
                older_than_days=settings.FEEDBACK_CONTACT_RETENTION_DAYS
            )
            self.stdout.write(f"Видалено контактів: {erased}")
            return
        self._import_survey(**options)

    def _import_survey(self, *, file, name, conducted_by, method, start, end, **options):
        if end < start:
            raise CommandError("--to не може бути раніше за --from.")
        try:
            rows = read_table(file.name, file_bytes(file))
        except OSError as error:
            raise CommandError(f"Не вдалося прочитати {file}: {error.strerror}") from error
        except Problem as problem:
            raise CommandError(str(problem.detail or problem.title)) from problem
        survey = ExternalSurvey(
            name=name,
            conducted_by=conducted_by,
            method=method,
            period_start=start,
            period_end=end,
            file_name=file.name,
        )
        count, errors = external_survey_import(survey=survey, rows=rows, actor=None)
        if errors:
            for error in errors[:200]:
                self.stderr.write(error)
            raise CommandError(f"Помилок: {len(errors)}. Нічого не імпортовано.")
        self.stdout.write(f"Імпортовано відповідей: {count}")

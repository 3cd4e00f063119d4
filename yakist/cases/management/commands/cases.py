"""`yakist cases import FILE --centre CODE|--provider CODE`: case events from CSV/XLSX."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yakist.cases.services import cases_project_pending
from yakist.core.problems import Problem
from yakist.ingest.upload import case_upload_accept, row_message
from yakist.registry.models.reference import Centre, Organisation


class Command(BaseCommand):
    help = "Справи з файлів CSV/XLSX / Case events from CSV/XLSX files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        upload = sub.add_parser(
            "import", help="завантажити події справ з CSV/XLSX (колонки — поля події API)"
        )
        upload.add_argument("file", type=Path)
        who = upload.add_mutually_exclusive_group(required=True)
        who.add_argument("--centre", help="код ЦНАП, що завантажує")
        who.add_argument("--provider", help="код суб'єкта надання, що завантажує")

    def handle(self, *args, action, file: Path, centre=None, provider=None, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Не вдалося прочитати файл «%(path)s».") % {"path": file}
            ) from error
        subjects = {"centre": None, "provider": None}
        if centre:
            subjects["centre"] = Centre.objects.filter(code=centre).first()
            if subjects["centre"] is None:
                raise CommandError(_("Центр з кодом «%(code)s» не знайдено.") % {"code": centre})
        else:
            subjects["provider"] = Organisation.objects.filter(code=provider).first()
            if subjects["provider"] is None:
                raise CommandError(
                    _("Суб'єкта надання з кодом «%(code)s» не знайдено.") % {"code": provider}
                )
        try:
            outcome = case_upload_accept(filename=file.name, content=content, **subjects)
        except Problem as problem:
            raise CommandError(str(problem.detail or problem.title)) from problem
        if outcome.accepted:
            while cases_project_pending()[0]:
                pass
        for rejection in outcome.rejected:
            self.stdout.write(row_message(rejection))
        self.stdout.write(outcome.summary)

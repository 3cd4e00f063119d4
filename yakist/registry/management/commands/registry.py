"""`yakist registry import|export KIND FILE`: subjects, centres and services as CSV/XLSX."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yakist.core.problems import Problem
from yakist.core.spreadsheets import file_bytes
from yakist.registry.exporting import registry_export
from yakist.registry.filelayout import KINDS
from yakist.registry.importers import registry_import


class Command(BaseCommand):
    help = "Імпорт і експорт реєстру (CSV/XLSX) / Registry import and export."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import")
        load.add_argument("kind", choices=KINDS)
        load.add_argument("file", type=Path)
        load.add_argument(
            "--partial",
            action="store_true",
            help="імпортувати правильні рядки, навіть якщо є помилки",
        )
        load.add_argument("--dry-run", action="store_true", help="лише перевірити")
        dump = sub.add_parser("export")
        dump.add_argument("kind", choices=KINDS)
        dump.add_argument("file", type=Path, help="шлях .csv або .xlsx")

    def handle(self, *args, action, kind, file, **options):
        if action == "export":
            fmt = "xlsx" if file.suffix.lower() == ".xlsx" else "csv"
            file.write_bytes(registry_export(kind=kind, fmt=fmt))
            self.stdout.write(f"Записано {file}")
            return
        try:
            content = file_bytes(file)
        except OSError as error:
            raise CommandError(f"Не вдалося прочитати {file}: {error.strerror}") from error
        except Problem as problem:
            raise CommandError(str(problem.detail or problem.title)) from problem
        try:
            report = registry_import(
                kind=kind,
                filename=file.name,
                content=content,
                allow_partial=options["partial"],
                dry_run=options["dry_run"],
            )
        except Problem as problem:
            raise CommandError(str(problem.detail or problem.title)) from problem
        for error in report.errors:
            self.stderr.write(str(error))
        if report.applied:
            self.stdout.write(
                f"{kind}: рядків {report.rows}, створено {report.created}, "
                f"оновлено {report.updated}, "
                f"без змін {report.unchanged}, помилок {len(report.errors)}."
            )
        elif report.errors:
            self.stderr.write(
                f"Помилок: {len(report.errors)}. Нічого не змінено "
                "(--partial імпортує правильні рядки)."
            )
            sys.exit(1)
        else:
            self.stdout.write(f"{kind}: перевірено {report.rows} рядків, помилок немає.")

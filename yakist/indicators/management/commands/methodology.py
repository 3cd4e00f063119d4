"""`yakist methodology load FILE | list`: versioned methodology files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yakist.indicators.methodology import MethodologyInvalid, methodology_load
from yakist.indicators.models import MethodologyVersion


class Command(BaseCommand):
    help = "Версії методики / Methodology versions."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="завантажити файл TOML методики")
        load.add_argument("file", type=Path)
        sub.add_parser("list", help="перелік версій")

    def handle(self, *args, action, **options):
        if action == "list":
            for version in MethodologyVersion.objects.order_by("effective_from"):
                until = version.effective_to or "…"
                self.stdout.write(
                    f"{version.code}\t{version.effective_from} – {until}\t{version.title}"
                )
            return
        path = options["file"]
        if not path.exists():
            raise CommandError(f"Файл {path} не знайдено.")
        try:
            result = methodology_load(path=path)
        except MethodologyInvalid as invalid:
            for error in invalid.errors:
                self.stderr.write(f"- {error}")
            raise CommandError(
                f"Методику не завантажено: помилок {len(invalid.errors)}."
            ) from invalid
        state = "завантажено" if result.created else "уже була завантажена"
        self.stdout.write(f"Методика {result.methodology.code}: {state}.")

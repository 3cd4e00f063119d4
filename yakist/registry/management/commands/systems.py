"""`yakist systems add|list|keys|add-key|add-xroad|revoke|status|scope`: connected systems,
their keys and their «Трембіта» (X-Road) client identifiers."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from yakist.core.problems import Problem
from yakist.registry import services
from yakist.registry.models import ConnectedSystem, SystemKey


class Command(BaseCommand):
    help = "Підключені інформаційні системи та їхні ключі / Connected systems and their keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add", help="зареєструвати систему з відкритим ключем Ed25519 і/або клієнтом X-Road"
        )
        add.add_argument("name")
        add.add_argument("--public-key", type=Path, help="файл PEM")
        add.add_argument(
            "--xroad-client",
            action="append",
            default=[],
            metavar="INSTANCE/CLASS/MEMBER/SUBSYSTEM",
            help="клієнт «Трембіти» (X-Road), напр. UA/GOV/12345678/VULYK; можна кілька",
        )
        add.add_argument(
            "--scope", default="all", help="коди центрів / суб'єктів надання через кому, або all"
        )
        add.add_argument(
            "--any-centre",
            action="store_true",
            help="суб'єкти надання із зони — з будь-якого центру (система суб'єкта надання)",
        )
        add.add_argument(
            "--status", choices=ConnectedSystem.State.values, default=ConnectedSystem.State.ACTIVE
        )
        add.add_argument("--valid-until", help="дата й час закінчення дії ключа (ISO 8601)")
        sub.add_parser("list", help="перелік систем")
        keys = sub.add_parser("keys", help="ключі систем")
        keys.add_argument("name", nargs="?")
        add_key = sub.add_parser("add-key", help="додати ключ (ротація)")
        add_key.add_argument("name")
        add_key.add_argument("--public-key", required=True, type=Path)
        add_key.add_argument("--valid-until")
        add_xroad = sub.add_parser("add-xroad", help="додати системі клієнта X-Road")
        add_xroad.add_argument("name")
        add_xroad.add_argument("xroad_client", metavar="INSTANCE/CLASS/MEMBER/SUBSYSTEM")
        revoke = sub.add_parser("revoke", help="відкликати ключ")
        revoke.add_argument("key_id")
        revoke.add_argument("--reason", default="")
        status = sub.add_parser("status", help="змінити стан системи")
        status.add_argument("name")
        status.add_argument("status", choices=ConnectedSystem.State.values)
        scope = sub.add_parser("scope", help="змінити зону підключення системи (з аудитом)")
        scope.add_argument("name")
        scope.add_argument(
            "--scope", required=True, help="коди центрів / суб'єктів надання через кому, або all"
        )
        scope.add_argument("--any-centre", action="store_true")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action.replace('-', '_')}")(**options)
        except Problem as problem:
            raise CommandError(str(problem.detail or problem.title)) from problem

    def _read_key(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except FileNotFoundError as error:
            raise CommandError(_("Файл ключа «%(path)s» не знайдено.") % {"path": path}) from error
        except OSError as error:
            raise CommandError(
                _("Не вдалося прочитати файл ключа «%(path)s» (немає доступу або це тека).")
                % {"path": path}
            ) from error

    def _valid_until(self, value: str | None) -> dt.datetime | None:
        if not value:
            return None
        moment = parse_datetime(value)
        if moment is None or moment.tzinfo is None:
            raise CommandError(
                "--valid-until: потрібні дата й час зі зсувом, напр. 2027-01-01T00:00:00+02:00"
            )
        return moment

    def _system(self, name: str) -> ConnectedSystem:
        system = ConnectedSystem.objects.filter(name=name).first()
        if system is None:
            raise CommandError(f"Систему «{name}» не знайдено.")
        return system

    def _scope_codes(self, scope: str, any_centre: bool) -> list[str] | None:
        if scope.strip().lower() == "all":
            if any_centre:
                raise CommandError("--any-centre не поєднується з --scope all.")
            return None
        codes = [c for c in scope.split(",") if c.strip()]
        if not codes:
            raise CommandError("--scope: вкажіть коди через кому або all.")
        return codes

    def _add(self, name, public_key, xroad_client, scope, any_centre, status, valid_until, **_):
        codes = self._scope_codes(scope, any_centre)
        if public_key is None and not xroad_client:
            raise CommandError("Вкажіть --public-key FILE.pem і/або --xroad-client ID.")
        if public_key is None:
            services.system_xroad_add(
                name=name,
                xroad_clients=xroad_client,
                scope=codes,
                any_centre=any_centre,
                status=status,
            )
            self.stdout.write(f"Систему «{name}» зареєстровано (стан: {status}). Клієнт X-Road:")
            self.stdout.write("\n".join(xroad_client))
            return
        key = services.system_add(
            name=name,
            public_key=self._read_key(public_key),
            scope=self._scope_codes(scope, any_centre),
            any_centre=any_centre,
            status=status,
            valid_until=self._valid_until(valid_until),
            xroad_clients=xroad_client,
        )
        for identifier in xroad_client:
            self.stdout.write(f"Клієнт X-Road: {identifier}")
        self.stdout.write(f"Систему «{name}» зареєстровано (стан: {status}). Ідентифікатор ключа:")
        self.stdout.write(key.key_id)

    def _add_xroad(self, name, xroad_client, **_):
        client = services.system_xroad_client_add(
            system=self._system(name), identifier=xroad_client
        )
        self.stdout.write(client.identifier)

    def _add_key(self, name, public_key, valid_until, **_):
        key = services.system_key_add(
            system=self._system(name),
            public_key=self._read_key(public_key),
            valid_until=self._valid_until(valid_until),
        )
        self.stdout.write(key.key_id)

    def _list(self, **_):
        for system in ConnectedSystem.objects.order_by("name"):
            if system.scope_all:
                scope = "all"
            else:
                centres = (
                    "будь-який центр"
                    if system.scope_any_centre
                    else f"{system.scope_centres.count()} центрів"
                )
                scope = f"{centres}, {system.scope_providers.count()} суб'єктів надання"
            xroad = ",".join(c.identifier for c in system.xroad_clients.all()) or "-"
            self.stdout.write(f"{system.name}\t{system.status}\t{scope}\t{xroad}")

    def _keys(self, name=None, **_):
        keys = SystemKey.objects.select_related("system").order_by("system__name", "valid_from")
        if name:
            keys = keys.filter(system=self._system(name))
        for key in keys:
            state = "відкликано" if key.revoked_at else "дійсний"
            until = key.valid_until.isoformat() if key.valid_until else "-"
            self.stdout.write(
                f"{key.key_id}\t{key.system.name}\t{state}\tз {key.valid_from:%Y-%m-%d}\tдо {until}"
                f"\tsha256:{key.fingerprint[:16]}…"
            )

    def _revoke(self, key_id, reason, **_):
        key = services.system_key_revoke(key_id=key_id, reason=reason)
        self.stdout.write(f"Ключ {key.key_id} відкликано.")

    def _status(self, name, status, **_):
        services.system_status_set(system=self._system(name), status=status)
        self.stdout.write(f"{name}: {status}")

    def _scope(self, name, scope, any_centre, **_):
        system = services.system_scope_set(
            system=self._system(name),
            scope=self._scope_codes(scope, any_centre),
            any_centre=any_centre,
        )
        marks = "all" if system.scope_all else ("будь-який центр" if any_centre else "за кодами")
        self.stdout.write(f"{name}: зону підключення змінено ({marks}).")

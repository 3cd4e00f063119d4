"""`yakist events send|replay|work|purge`: the integrator's client and the projection worker.

The command lives in cases because its heart is the projector (`events work` turns the intake's
journal into cases); ingest offers only its pending journal entries and their marking.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yakist.cases.services import cases_project_pending
from yakist.core.retention import RETENTION_EVERY, retention_run
from yakist.ingest import client, services
from yakist.ingest.signatures import nonce_retention


class Command(BaseCommand):
    help = "Події справ: надсилання, повторна обробка журналу, обробник / Case events."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="надіслати події з файлу JSON Lines (підписано)")
        send.add_argument("file", type=Path, help="події, по одному об'єкту JSON у рядку")
        send.add_argument(
            "--via",
            choices=("api", "trembita"),
            default="api",
            help="api — підписаний API (типово); trembita — через сервер безпеки «Трембіти»",
        )
        send.add_argument("--key", type=Path, help="закритий ключ Ed25519 (PEM), для --via api")
        send.add_argument("--keyid", help="ідентифікатор ключа (yk-…), для --via api")
        send.add_argument("--url", help="адреса сервера, напр. https://yakist…, для --via api")
        send.add_argument(
            "--security-server", help="адреса сервера безпеки клієнта, для --via trembita"
        )
        send.add_argument(
            "--client", help="клієнт X-Road INSTANCE/CLASS/MEMBER/SUBSYSTEM, для --via trembita"
        )
        send.add_argument(
            "--service",
            help="служба Якості INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE (шлях /r1/…)",
        )
        send.add_argument("--max-attempts", type=int, default=8)
        replay = sub.add_parser("replay", help="повторно обробити діапазон журналу приймання")
        replay.add_argument("--from", dest="first", type=int, help="перший id запису журналу")
        replay.add_argument("--to", dest="last", type=int, help="останній id запису журналу")
        replay.add_argument("--ids", help="ids записів журналу через кому")
        work = sub.add_parser(
            "work", help="обробник: проєктує прийняті події у справи; щодня — строки зберігання"
        )
        work.add_argument("--once", action="store_true", help="обробити чергу й вийти")
        work.add_argument("--interval", type=float, default=1.0, help="пауза, коли черга порожня")
        work.add_argument("--quiet", action="store_true")
        purge = sub.add_parser(
            "purge", help="прибрати старі nonce і все, чий строк зберігання минув (як обробник)"
        )
        purge.add_argument(
            "--journal-days", type=int, default=settings.INGEST_JOURNAL_RETENTION_DAYS
        )

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _send(self, file, via, key, keyid, url, security_server, max_attempts, service, **options):
        try:
            if via == "trembita":
                if not security_server or not options["client"]:
                    raise CommandError("--via trembita потребує --security-server і --client.")
                sender = client.TrembitaSender(
                    security_server=security_server,
                    client=options["client"],
                    service=service,
                    max_attempts=max_attempts,
                )
            else:
                if not (key and keyid and url):
                    raise CommandError("Підписаний API потребує --key, --keyid і --url.")
                sender = client.EventSender(
                    url=url,
                    key_id=keyid,
                    private_key=client.load_private_key(key),
                    max_attempts=max_attempts,
                )
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error

        def report(result: client.BatchResult) -> None:
            self.stdout.write(
                f"пакет: HTTP {result.status}, прийнято {result.accepted}, повторів "
                f"{result.duplicates}, відхилено {len(result.rejected)} (спроб: {result.attempts})"
            )

        try:
            summary = sender.send_stream(client.read_jsonl(file), on_batch=report)
        except (client.SendFailed, ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        for item in summary.rejected:
            reasons = "; ".join(e.get("detail", e.get("type", "")) for e in item["errors"])
            self.stderr.write(f"рядок {item['index'] + 1} ({item.get('event_id')}): {reasons}")
        self.stdout.write(
            f"Усього: {summary.events} подій у {summary.batches} пакетах; прийнято "
            f"{summary.accepted}, повторів {summary.duplicates}, відхилено {len(summary.rejected)}."
        )

    def _replay(self, first, last, ids, **_):
        chosen = [int(x) for x in ids.split(",") if x.strip()] if ids else None
        if chosen is None and first is None and last is None:
            raise CommandError("Вкажіть --from/--to або --ids.")
        entries, inserted = services.journal_replay(first=first, last=last, ids=chosen)
        projected = self._drain()
        self.stdout.write(
            f"Повторно оброблено записів журналу: {entries}; відновлено подій: {inserted}; "
            f"оновлено справ: {projected}."
        )

    def _drain(self) -> int:
        total = 0
        while True:
            entries, cases = cases_project_pending()
            total += cases
            if not entries:
                return total

    def _work(self, once, interval, quiet, **_):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        last_purge = 0.0
        last_retention: float | None = None
        while not stopping:
            # Retention needs no operator: at start, then once a day.
            if (
                last_retention is None
                or time.monotonic() - last_retention > RETENTION_EVERY.total_seconds()
            ):
                removed = retention_run()
                last_retention = time.monotonic()
                if not quiet and any(removed.values()):
                    self.stdout.write(f"строки зберігання: {removed}")
            entries, cases = cases_project_pending()
            if entries and not quiet:
                self.stdout.write(f"оброблено записів журналу: {entries}, справ: {cases}")
            if time.monotonic() - last_purge > 600:
                services.nonces_purge(older_than=nonce_retention())
                last_purge = time.monotonic()
            if not entries:
                if once:
                    return
                time.sleep(interval)

    def _purge(self, journal_days, **_):
        nonces = services.nonces_purge(older_than=nonce_retention())
        bodies = services.journal_bodies_purge(older_than_days=journal_days)
        removed = retention_run()
        self.stdout.write(
            f"Видалено nonce: {nonces}; тіл запитів у журналі: "
            f"{bodies + removed['journal_bodies']}; контактів у повідомленнях: "
            f"{removed['feedback_contacts']}; коментарів опитувань: {removed['survey_comments']}; "
            f"IP-адрес в аудиті: {removed['audit_addresses']}."
        )

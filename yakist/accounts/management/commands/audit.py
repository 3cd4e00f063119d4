"""`yakist audit verify`: check the audit trail's hash chain; exit 0 when whole, 1 naming the
first entry that was changed, removed or inserted outside the application."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yakist.accounts.selectors import audit_chain_report

REASONS = {
    "link": "посилання на попередній запис не збігається (запис перед ним видалено чи вставлено)",
    "content": "вміст запису змінено",
    "ip": "IP-адреса не відповідає своєму відбитку",
}


class Command(BaseCommand):
    help = "Журнал аудиту: перевірка ланцюжка гешів / Audit trail: verify the hash chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="перевірити ланцюжок від першого запису до останнього")

    def handle(self, *args, action, **options):
        report = audit_chain_report()
        if report.broken is not None:
            broken = report.broken
            at = timezone.localtime(broken.at).strftime("%Y-%m-%d %H:%M:%S %Z")
            raise CommandError(
                f"Ланцюжок журналу аудиту порушено на записі #{broken.id} ({at}): "
                f"{REASONS[broken.reason]}. Audit chain broken at entry #{broken.id} "
                f"({broken.at.isoformat()}): {broken.reason}."
            )
        self.stdout.write(
            f"Журнал аудиту цілий / audit chain intact: {report.count} записів; "
            f"останній #{report.head_id} {report.head_hash}"
        )

"""`yakist serve`: the production WSGI server (gunicorn) with the project's defaults."""

import os
import shutil
import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Запускає сервер gunicorn / Starts the gunicorn server."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("YAKIST_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("YAKIST_WORKERS", str((os.cpu_count() or 1) + 1))),
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("YAKIST_THREADS", "4"))
        )

    def handle(self, *args, bind, workers, threads, **options):
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError("gunicorn не встановлено у середовищі.")
        argv = [
            gunicorn,
            "yakist.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--timeout",
            "60",
            "--graceful-timeout",
            "20",
            "--max-requests",
            "5000",
            "--max-requests-jitter",
            "500",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        ]
        self.stdout.write(f"Сервер: http://{bind}/ (gunicorn, {workers}×{threads})")
        self.stdout.flush()
        os.execv(gunicorn, argv)  # noqa: S606  (replace this process: signals reach gunicorn)

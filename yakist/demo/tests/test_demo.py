"""`make demo` as a newcomer runs it: prepare, serve with the production server, log in."""

import http.cookiejar
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rich.console import Console

from yakist.core.models import DemoStep
from yakist.demo.runner import run_demo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_second_demo_run_reuses_every_finished_step(settings):
    """Only the step not yet done runs (and says so); every finished one is reused."""
    pending = "yakist.demo.accounts.logins"  # idempotent and quick: the world has its logins
    for name in settings.DEMO_STEPS:
        if name != pending:
            DemoStep.objects.get_or_create(name=name, defaults={"seed": 1})
    output = io.StringIO()
    run_demo(seed=1, scale=1.0, console=Console(file=output, width=200, force_terminal=False))
    printed = output.getvalue()
    assert printed.count("✓") == 1, printed
    assert "Демо-входи: 0 нових" in printed
    assert DemoStep.objects.get(name=pending).summary.startswith("Демо-входи")

    output = io.StringIO()
    run_demo(seed=1, scale=1.0, console=Console(file=output, width=200, force_terminal=False))
    assert "✓" not in output.getvalue()  # now nothing is run again


@pytest.mark.server
def test_demo_prepares_serves_and_its_printed_logins_work(tmp_path):
    bin_dir = Path(sys.executable).parent
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "YAKIST_", "DJANGO_"))
    }
    env.update({"YAKIST_DEMO": "1", "YAKIST_VAR_DIR": str(tmp_path)})
    prepared = subprocess.run(
        [str(bin_dir / "yakist"), "demo", "--scale", "0.2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert prepared.returncode == 0, prepared.stderr[-3000:]
    for username in ("ministry", "coordinator", "centre", "provider", "integrator", "auditor"):
        assert re.search(rf"\b{username}\b", prepared.stdout), username
    assert (tmp_path / "demo-keys" / "system-1.keyid").exists()

    port = free_port()
    server = subprocess.Popen(
        [str(bin_dir / "yakist"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "server did not answer /healthz"
                time.sleep(0.3)
        with urllib.request.urlopen(f"{base}/", timeout=10) as response:
            page = response.read().decode()
        assert "Якість адміністративних послуг" in page and "Львівська" in page
        with urllib.request.urlopen(f"{base}/static/yakist/site.css", timeout=10) as response:
            assert response.status == 200  # static files are served by the app server

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode(
            {
                "username": "coordinator",
                "password": "yakist-demo-2026",
                "csrfmiddlewaretoken": token,
                "next": "/accounts/",
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
        )
        home = opener.open(request, timeout=10).read().decode()
        assert "Регіональний координатор" in home and "Львівська область" in home
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.django_db
def test_the_demo_centre_logins_centre_is_connected_and_busier_than_average(django_user_model):
    from django.db.models import Count, Q

    from yakist.cases.models import Case
    from yakist.registry.models import ConnectedSystem

    centre = django_user_model.objects.get(username="centre").staff_profile.centre
    assert ConnectedSystem.objects.filter(scope_centres=centre, status="active").exists()
    own = Case.objects.filter(Q(centre=centre) | Q(centre__parent=centre)).count()
    per_centre = (
        Case.objects.exclude(main_centre=None)
        .values("main_centre")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)
    )
    average = sum(per_centre) / len(per_centre)
    assert own > 5 * average

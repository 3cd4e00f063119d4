"""Public pages under load: p95 latency at 100 concurrent clients through the production
server (`yakist serve`, gunicorn) on the national demo data in PostgreSQL, against a static
file of the pages' median size served by the same server in the same run.

Load model (bench/loadgen.py): 100 concurrent clients, each behaving like a person — request a
page, read it, pause 0.5–1.5 s — for 20 s, on loopback. A second, saturating run (no pauses)
reports the capacity of the machine; its latency is queueing, not page cost."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console

from bench.harness import Result, bench_database_url
from bench.loadgen import run_load

ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS = 100
SECONDS = 20.0
TARGET_MS = 50.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = ["psql", "-h", parts.hostname or "127.0.0.1", "-U", parts.username or "postgres"]
    admin += ["-p", str(parts.port or 5432), "-d", "postgres", "-q", "-c"]
    subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)
    subprocess.run([*admin, f'CREATE DATABASE "{name}"'], check=True)


def run(console: Console) -> list[Result]:
    database = os.environ.get("BENCH_PORTAL_DATABASE_URL") or bench_database_url()
    workdir = Path(tempfile.mkdtemp(prefix="yakist-bench-portal-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YAKIST_", "DJANGO_"))}
    env.update(
        {
            "DATABASE_URL": database,
            "YAKIST_DEMO": "1",
            "YAKIST_VAR_DIR": str(workdir),
            "YAKIST_STATIC_COMPRESS": "0",
            "PYTHONPATH": str(ROOT),
        }
    )
    bin_dir = Path(sys.executable).parent
    console.print(f"Підготовка національних даних у {urlsplit(database).path.lstrip('/')}…")
    _recreate_database(database)
    subprocess.run([str(bin_dir / "yakist"), "demo"], env=env, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-m", "bench.portal.prepare", str(workdir)], env=env, check=True, cwd=ROOT
    )
    plan = json.loads((workdir / "urls.json").read_text(encoding="utf-8"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(bin_dir / "yakist"), "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(base)
        for path in plan["urls"]:  # render each page once: the run measures the cached site
            urllib.request.urlopen(base + path, timeout=30).read()
        pages = run_load(base, plan["urls"], clients=CONNECTIONS, seconds=SECONDS)
        static = run_load(base, ["/static/bench/page.html"], clients=CONNECTIONS, seconds=SECONDS)
        capacity = run_load(base, plan["urls"], clients=CONNECTIONS, seconds=8, think=(0.0, 0.0))
    finally:
        server.terminate()
        server.wait(timeout=30)
    shutil.rmtree(workdir, ignore_errors=True)
    console.print(
        f"Сторінки: p95 {pages.p95_ms:.1f} мс, p50 {pages.p50_ms:.1f} мс, p99 {pages.p99_ms:.1f} мс, "
        f"{pages.requests} запитів ({pages.rate:.0f}/с), помилок {pages.errors}; статичний файл "
        f"({plan['median_size']} байт): p95 {static.p95_ms:.1f} мс; межа пропускної здатності "
        f"(без пауз): {capacity.rate:.0f} сторінок/с, p95 {capacity.p95_ms:.0f} мс"
    )
    return [
        Result(
            name="portal public pages p95 @100 clients",
            measured=pages.p95_ms,
            baseline=static.p95_ms,
            unit="ms",
            target=f"p95 < {TARGET_MS:.0f} ms; ratio to a static file",
            ok=lambda ratio: pages.p95_ms < TARGET_MS and pages.errors == 0,
            note=f"{len(plan['urls'])} URLs, {CONNECTIONS} clients with 0.5–1.5 s pauses, "
            f"{SECONDS:.0f} s; static file of {plan['median_size']} bytes through the same "
            f"gunicorn; capacity without pauses {capacity.rate:.0f} pages/s",
        )
    ]


def _wait(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("Сервер не відповів за 60 с")

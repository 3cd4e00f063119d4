"""Public pages under load through the production server (`yakist serve`, gunicorn) on the
national demo data in PostgreSQL, against a static file of the pages' median size served by the
same server in the same run, both through the same load generator (bench/loadgen.py, loopback):

1. 100 concurrent clients, each behaving like a person — request a page, read it, pause
   0.5–1.5 s — for 20 s: p95 latency of the cached pages (target < 50 ms), the static file's
   beside it;
2. the same 100 clients in a closed loop (no pauses) for 20 s: pages/s of the cached pages vs
   the static file's pages/s (target ≥ 0.6), p95 of both (queueing, not page cost).

Any answer but 200 counts as an error, on the measured side and the baseline's alike; a run
with errors does not meet its target.

Knobs: BENCH_PORTAL_SECONDS (each load phase, default 20), BENCH_SCALE (< 1 runs
`yakist demo --scale`), BENCH_PORTAL_DATABASE_URL (default: the bench database's name +
"_portal"; dropped and recreated every run)."""

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

from bench.harness import Result, env_scale, sibling_database_url
from bench.loadgen import LoadResult, run_load

ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS = 100
SECONDS = float(os.environ.get("BENCH_PORTAL_SECONDS", "20"))
TARGET_MS = 50.0
TARGET_RATE = 0.6


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
    database = os.environ.get("BENCH_PORTAL_DATABASE_URL") or sibling_database_url("portal")
    scale = env_scale()
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
    console.print(f"Підготовка національних даних у {urlsplit(database).path.lstrip('/')}…")
    plan = _prepare(database, env, workdir, scale)
    pages, static, loop_pages, loop_static = _loads(env, plan["urls"])
    shutil.rmtree(workdir, ignore_errors=True)
    return _results(console, plan, scale, pages, static, loop_pages, loop_static)


def _prepare(database: str, env: dict[str, str], workdir: Path, scale: float) -> dict:
    """A fresh national demo database and the list of public URLs to load."""
    bin_dir = Path(sys.executable).parent
    _recreate_database(database)
    demo = [str(bin_dir / "yakist"), "demo"] + (["--scale", str(scale)] if scale < 1 else [])
    subprocess.run(demo, env=env, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-m", "bench.portal.prepare", str(workdir)], env=env, check=True, cwd=ROOT
    )
    return json.loads((workdir / "urls.json").read_text(encoding="utf-8"))


def _loads(env: dict[str, str], urls: list[str]) -> tuple[LoadResult, ...]:
    """Pages and the static file, with think time and in a closed loop, on one server."""
    bin_dir = Path(sys.executable).parent
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(bin_dir / "yakist"), "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    static_path = ["/static/bench/page.html"]
    closed = (0.0, 0.0)
    try:
        _wait(base)
        for path in urls:  # render each page once: the run measures the cached site
            urllib.request.urlopen(base + path, timeout=30).read()
        return (
            run_load(base, urls, clients=CONNECTIONS, seconds=SECONDS),
            run_load(base, static_path, clients=CONNECTIONS, seconds=SECONDS),
            run_load(base, urls, clients=CONNECTIONS, seconds=SECONDS, think=closed),
            run_load(base, static_path, clients=CONNECTIONS, seconds=SECONDS, think=closed),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def _results(
    console: Console,
    plan: dict,
    scale: float,
    pages: LoadResult,
    static: LoadResult,
    loop_pages: LoadResult,
    loop_static: LoadResult,
) -> list[Result]:
    size = plan["median_size"]
    console.print(
        f"З паузами / with think time: сторінки {_line(pages)}; статичний файл ({size} байт) "
        f"{_line(static)}"
    )
    console.print(
        f"Замкнений цикл / closed loop: сторінки {_line(loop_pages)}; статичний файл "
        f"{_line(loop_static)}"
    )
    clean = all(r.errors == 0 for r in (pages, static, loop_pages, loop_static))
    errors = (
        f"errors: pages {pages.errors}/{loop_pages.errors}, "
        f"static {static.errors}/{loop_static.errors} (think time / closed loop)"
    )
    reduced = ", ".join(
        ([f"yakist demo --scale {scale}"] if scale < 1 else [])
        + ([f"{SECONDS:.0f} s per phase, not 20"] if SECONDS < 20 else [])
    )
    return [
        Result(
            name="portal: public pages p95 @100 clients with think time",
            measured=pages.p95_ms,
            baseline=static.p95_ms,
            unit="ms",
            target=f"p95 < {TARGET_MS:.0f} ms, no errors",
            ok=lambda ratio: pages.p95_ms < TARGET_MS and clean,
            note=f"{len(plan['urls'])} URLs, {CONNECTIONS} clients with 0.5–1.5 s pauses, "
            f"{SECONDS:.0f} s; p50 {pages.p50_ms:.1f} ms, p99 {pages.p99_ms:.1f} ms, "
            f"{pages.rate:.0f} pages/s; baseline: static file of {size} bytes through the same "
            f"gunicorn; {errors}",
            reduced=reduced,
        ),
        Result(
            name="portal: pages/s @100 closed-loop clients vs static file",
            measured=loop_pages.rate,
            baseline=loop_static.rate,
            unit="pages/s",
            target=f"≥ {TARGET_RATE}, no errors",
            ok=lambda ratio: ratio >= TARGET_RATE and clean,
            note=f"{CONNECTIONS} clients without pauses, {SECONDS:.0f} s each side; p95 pages "
            f"{loop_pages.p95_ms:.0f} ms vs static {loop_static.p95_ms:.0f} ms (queueing); "
            f"client threads on the same 2-core machine as the server; {errors}",
            reduced=reduced,
        ),
    ]


def _line(load: LoadResult) -> str:
    return (
        f"{load.rate:,.0f}/с, p50 {load.p50_ms:.1f} мс, p95 {load.p95_ms:.1f} мс, "
        f"p99 {load.p99_ms:.1f} мс, {load.requests} запитів, помилок {load.errors}"
    )


def _wait(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("Сервер не відповів за 60 с")

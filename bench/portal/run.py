"""Public pages under load: p95 latency at 100 concurrent clients through the production
server (`yakist serve`, gunicorn) on the national demo data in PostgreSQL, against a static
file of the pages' median size served by the same server in the same run. Load: Debian's
`wrk` on loopback, 100 connections, a fixed duration."""

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

ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS = 100
DURATION = "15s"
TARGET_MS = 50.0
LUA = """
local paths = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT p95_us=%d p50_us=%d requests=%d errors=%d\\n",
    latency:percentile(95), latency:percentile(50), summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


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


def _wrk(base: str, paths: list[str], workdir: Path) -> dict:
    listing = workdir / "paths.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    script = workdir / "paths.lua"
    script.write_text(LUA, encoding="utf-8")
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}",
            "-s",
            str(script),
            base,
            "--",
            str(listing),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    fields = dict(item.split("=") for item in line.split()[1:])
    return {k: int(v) for k, v in fields.items()}


def run(console: Console) -> list[Result]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk не встановлено: apt-get install wrk (Debian)")
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
        pages = _wrk(base, plan["urls"], workdir)
        static = _wrk(base, ["/static/bench/page.html"], workdir)
    finally:
        server.terminate()
        server.wait(timeout=30)
    shutil.rmtree(workdir, ignore_errors=True)
    measured, baseline = pages["p95_us"] / 1000, static["p95_us"] / 1000
    console.print(
        f"Сторінки: p95 {measured:.1f} мс, p50 {pages['p50_us'] / 1000:.1f} мс, "
        f"{pages['requests']} запитів, помилок {pages['errors']}; статичний файл "
        f"({plan['median_size']} байт): p95 {baseline:.1f} мс, {static['requests']} запитів"
    )
    return [
        Result(
            name="portal public pages p95 @100 clients",
            measured=measured,
            baseline=baseline,
            unit="ms",
            target=f"p95 < {TARGET_MS:.0f} ms; ratio to a static file",
            ok=lambda ratio: measured < TARGET_MS and pages["errors"] == 0,
            note=f"{len(plan['urls'])} URLs, {CONNECTIONS} connections, {DURATION}, "
            f"static file of {plan['median_size']} bytes through the same gunicorn",
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

"""bench/ingest: signed HTTP batches through the production server vs raw COPY, same rows.

Measured side by side in one run, against one PostgreSQL database (BENCH_DATABASE_URL):

1. our path — `yakist serve` (gunicorn, several workers) receives signed batches of 1000
   events from several client threads; each request is verified (Ed25519, RFC 9421 and
   RFC 9530), validated, journalled and inserted into `ingest_event` (its key into
   `ingest_eventkey`, in the same statement) before its 202;
2. the baseline — the same event rows written with `COPY … FROM STDIN` into a table created
   `LIKE ingest_event INCLUDING ALL`, and their keys into one `LIKE ingest_eventkey INCLUDING
   ALL` (same columns and indexes, so the same unique check), in one transaction a batch.

Prints events/s for both and their ratio (target ≥ 0.5, docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console

from bench.harness import Result, bench_database_url

ROOT = Path(__file__).resolve().parents[2]
YAKIST = Path(sys.executable).parent / "yakist"
EVENTS = int(os.environ.get("BENCH_INGEST_EVENTS", "300000"))
ROUNDS = int(os.environ.get("BENCH_INGEST_ROUNDS", "3"))
BATCH = 1000
CLIENTS = int(os.environ.get("BENCH_INGEST_CLIENTS", "6"))
# One synchronous worker per core served the intake best on two cores (docs/performance.md:
# 3×2 gave 71.7 k events/s, 3×1 81.0 k, 4×1 77.5 k, 2×1 84.2–86.7 k), as docs/operations.md
# advises for nodes that take the intake.
WORKERS = int(os.environ.get("BENCH_INGEST_WORKERS", str(os.cpu_count() or 2)))
THREADS = int(os.environ.get("BENCH_INGEST_THREADS", "1"))
# Each baseline writes what the intake writes for an event: its row, in a table like
# `ingest_event`, and its idempotency key, in a table like `ingest_eventkey` (the unique
# (system, event_id) that the partitioned event table cannot hold itself).
COPY_TABLES = {
    "bench_copy_batches": "ingest_event",
    "bench_copy_batches_keys": "ingest_eventkey",
    "bench_copy_bulk": "ingest_event",
    "bench_copy_bulk_keys": "ingest_eventkey",
}
KEY_COLUMNS = ("system_id", "event_id", "received_at")
TYPES = ["submitted", "registered", "status_changed", "completed", "issued"]


def run(console: Console) -> list[Result]:
    database_url = bench_database_url()
    _database_create(database_url)
    with tempfile.TemporaryDirectory(prefix="yakist-bench-") as var_dir:
        env = _env(database_url, var_dir)
        _world_prepare(database_url, env, console)
        key_id, private = _system_register(env, var_dir)
        codes = _codes(database_url)
        port = _free_port()
        server = _server_start(env, port)
        try:
            _wait_healthy(port)
            _warm_up(port, key_id, private, codes, console)
            http_rates, copy_rates, bulk_rates = _rounds(
                console, database_url, port=port, key_id=key_id, private=private, codes=codes
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
            _drop_copy_tables(database_url)
        # The machine is shared and noisy: each side is judged by its best round.
        http_rate, copy_rate, bulk_rate = max(http_rates), max(copy_rates), max(bulk_rates)
    reduced = "" if EVENTS >= 300_000 and ROUNDS >= 3 else f"{EVENTS:,} events in {ROUNDS} rounds"
    return [
        Result(
            name="ingest: signed HTTP batches vs raw COPY",
            measured=http_rate,
            baseline=copy_rate,
            unit="events/s",
            target="≥ 0.5",
            ok=lambda ratio: ratio >= 0.5,
            note=(
                f"{EVENTS:,} events in {ROUNDS} rounds (best round each side), batches of "
                f"{BATCH}, {CLIENTS} client threads, "
                f"gunicorn {WORKERS} workers × {THREADS} threads, PostgreSQL; baseline: COPY "
                f"of the same rows and their idempotency keys (tables like ingest_event and "
                f"ingest_eventkey) in the same batches over {CLIENTS} connections, each batch "
                "committed"
            ),
            reduced=reduced,
        ),
        Result(
            name="ingest: signed HTTP batches vs one bulk COPY (for reference)",
            measured=http_rate,
            baseline=bulk_rate,
            unit="events/s",
            target="—",
            ok=lambda ratio: True,
            note="one COPY of all rows and one of their keys in one transaction: the ceiling "
            "of the database itself, with no batching or durability per batch",
            reduced=reduced,
        ),
    ]


def _world_prepare(database_url: str, env: dict[str, str], console: Console) -> None:
    console.print(f"База: {_redacted(database_url)}; підготовка світу (migrate, demo)…")
    subprocess.run([YAKIST, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    # The demo refuses a database holding systems it did not make (the demo guard), and
    # earlier runs leave their bench systems: build the world once.
    if not _world_ready(database_url):
        subprocess.run(
            [YAKIST, "demo", "--scale", "0.01"],
            check=True,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
    _fresh_tables(database_url)


def _server_start(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            YAKIST,
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _rounds(
    console: Console, database_url: str, *, port: int, key_id: str, private, codes
) -> tuple[list[float], list[float], list[float]]:
    """Each round: the signed HTTP side, then both COPY baselines of the very rows stored."""
    http_rates, copy_rates, bulk_rates = [], [], []
    per_round = EVENTS // ROUNDS
    console.print(
        f"{ROUNDS} раунди по {per_round:,} подій (пакети по {BATCH}): HTTP з {CLIENTS} "
        f"клієнтів → gunicorn {WORKERS}×{THREADS}, потім COPY тих самих рядків"
    )
    for number in range(ROUNDS):
        run_id = f"{number}{uuid.uuid4().hex[:7]}"
        events = _events(codes, per_round, seed=number, run_id=run_id)
        bodies = [
            json.dumps({"events": events[i : i + BATCH]}, separators=(",", ":")).encode()
            for i in range(0, len(events), BATCH)
        ]
        requests = [_signed(body, key_id, private, port) for body in bodies]
        seconds, accepted = _send_all(port, requests)
        if accepted != len(events):
            raise RuntimeError(f"прийнято {accepted} з {len(events)} подій")
        batches_seconds, bulk_seconds = _copy_baselines(database_url, key_id, run_id)
        http_rates.append(accepted / seconds)
        copy_rates.append(accepted / batches_seconds)
        bulk_rates.append(accepted / bulk_seconds)
        console.print(
            f"  раунд {number + 1}: HTTP {http_rates[-1]:,.0f} подій/с; COPY пакетами "
            f"{copy_rates[-1]:,.0f}; одним COPY {bulk_rates[-1]:,.0f} рядків/с"
        )
    return http_rates, copy_rates, bulk_rates


def _env(database_url: str, var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "YAKIST_VAR_DIR": var_dir,
        "YAKIST_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "YAKIST_DEMO": "1",
        "YAKIST_INGEST_RATE_LIMIT": "1000000",
        "YAKIST_LOG_LEVEL": "WARNING",
        **_redis(),
    }


def _redis() -> dict[str, str]:
    """Production keeps the per-system rate-limit counters in Redis (docs/operations.md); the
    bench does too when a Redis answers (BENCH_REDIS_URL), else the file cache of the demo."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return {"REDIS_URL": url}
    except OSError:
        return {}


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port}{parts.path}"


def _database_create(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url.replace(parts.path, "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _system_register(env: dict, var_dir: str) -> tuple[str, Ed25519PrivateKey]:
    private = Ed25519PrivateKey.generate()
    pem = Path(var_dir) / "bench.pub.pem"
    pem.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    done = subprocess.run(
        [
            YAKIST,
            "systems",
            "add",
            f"bench-{uuid.uuid4().hex[:8]}",
            "--public-key",
            str(pem),
            "--scope",
            "all",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1], private


def _codes(url: str) -> dict[str, list]:
    with psycopg.connect(url) as conn:
        services = [
            r[0]
            for r in conn.execute("SELECT code FROM registry_service WHERE is_active ORDER BY code")
        ]
        centres = [
            r[0] for r in conn.execute("SELECT code FROM registry_centre ORDER BY code LIMIT 500")
        ]
        providers = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM registry_organisation WHERE kind = 'provider' ORDER BY code"
            )
        ]
    return {"services": services, "centres": centres, "providers": providers}


_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def _events(codes: dict[str, list], count: int, *, seed: int, run_id: str) -> list[dict]:
    rng = random.Random(seed)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    events = []
    for i in range(count):
        case = i // len(TYPES)
        kind = TYPES[i % len(TYPES)]
        event = {
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            # Letters only around the number: no run of ten digits that reads as a РНОКПП.
            "case_id": f"B-{run_id.translate(_LETTERS)}-{case}",
            "type": kind,
            "occurred_at": (start + dt.timedelta(minutes=case % 40000, hours=i % 5)).isoformat(),
            "service_code": codes["services"][case % len(codes["services"])],
            "centre_code": codes["centres"][case % len(codes["centres"])],
            "provider_code": codes["providers"][case % len(codes["providers"])],
            "channel": "offline",
        }
        if kind == "status_changed":
            event["status"] = "in_progress"
        if case % 3 == 0:
            event["applicant_ref"] = f"app-{case:08d}"
        events.append(event)
    return events


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("сервер не відповів на /healthz за 60 с")


def _signed(body: bytes, key_id: str, private, port: int) -> tuple[dict, bytes]:
    from yakist.ingest.client import EventSender

    sender = EventSender(url=f"http://127.0.0.1:{port}", key_id=key_id, private_key=private)
    request = sender.signed_request(body)
    return request.headers, body


def _warm_up(port, key_id, private, codes, console) -> None:
    """One small batch per worker so imports and caches are warm before the clock starts."""
    for _ in range(WORKERS * THREADS):
        events = _events(codes, 10, seed=random.getrandbits(32), run_id=uuid.uuid4().hex)
        body = json.dumps({"events": events}).encode()
        headers, body = _signed(body, key_id, private, port)
        status, _payload = _post(http.client.HTTPConnection("127.0.0.1", port), headers, body)
        if status != 202:
            raise RuntimeError(f"розігрів: HTTP {status}: {_payload}")


def _post(conn: http.client.HTTPConnection, headers: dict, body: bytes) -> tuple[int, dict]:
    conn.request("POST", "/api/v1/events", body=body, headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def _send_all(port: int, requests: list[tuple[dict, bytes]]) -> tuple[float, int]:
    queue = list(reversed(requests))
    lock = threading.Lock()
    accepted = [0]
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    return
                headers, body = queue.pop()
            status, payload = _post(conn, headers, body)
            with lock:
                if status == 202:
                    accepted[0] += payload["accepted"]
                else:
                    failures.append(f"{status} {payload}")

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} запитів не прийнято, напр.: {failures[0][:300]}")
    return seconds, accepted[0]


def _copy_baselines(url: str, key_id: str, run_id: str) -> tuple[float, float]:
    """COPY the very rows the HTTP path stored into identical tables, twice: in the same
    batches over the same number of connections, each batch committed (what a receiver of
    batches must do before acknowledging), and as one bulk COPY. Returns both durations."""
    with psycopg.connect(url) as conn:
        system_id = conn.execute(
            "SELECT system_id FROM registry_systemkey WHERE key_id = %s", [key_id]
        ).fetchone()[0]
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'ingest_event' ORDER BY ordinal_position"
            )
        ]
        rows = conn.execute(
            f"SELECT {', '.join(columns)} FROM ingest_event "
            "WHERE system_id = %s AND case_id LIKE %s",
            [system_id, f"B-{run_id.translate(_LETTERS)}-%"],
        ).fetchall()
    chunks = [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]
    queue = list(reversed(chunks))
    lock = threading.Lock()

    def client() -> None:
        with psycopg.connect(url) as conn:
            while True:
                with lock:
                    if not queue:
                        return
                    chunk = queue.pop()
                _copy_rows(conn, "bench_copy_batches", columns, chunk)
                conn.commit()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    batches_seconds = time.perf_counter() - started
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        _copy_rows(conn, "bench_copy_bulk", columns, rows)
        conn.commit()
        bulk_seconds = time.perf_counter() - started
    return batches_seconds, bulk_seconds


def _copy_rows(conn: psycopg.Connection, table: str, columns: list[str], rows: list) -> None:
    """COPY event rows into `table` and their keys into `table`_keys, as the intake's one
    statement writes both."""
    where = [columns.index(name) for name in KEY_COLUMNS]
    with conn.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with cursor.copy(f"COPY {table}_keys ({', '.join(KEY_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[i] for i in where])


def _world_ready(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM core_demostep").fetchone()[0] > 0


def _fresh_tables(url: str) -> None:
    """Start every run alike: forget earlier runs' bench events, and give the COPY baseline
    tables of its own that grow round by round as `ingest_event` does."""
    with psycopg.connect(url) as conn:
        bench_systems = "SELECT id FROM registry_connectedsystem WHERE name LIKE 'bench-%%'"
        conn.execute(f"DELETE FROM ingest_event WHERE system_id IN ({bench_systems})")
        conn.execute(f"DELETE FROM ingest_journal WHERE system_id IN ({bench_systems})")
        for table, like in COPY_TABLES.items():
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(f"CREATE TABLE {table} (LIKE {like} INCLUDING ALL)")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ingest_event, ingest_journal, ingest_nonce")


def _drop_copy_tables(url: str) -> None:
    with psycopg.connect(url) as conn:
        for table in COPY_TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.commit()

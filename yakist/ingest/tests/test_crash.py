"""`kill -9` of the production server under a load of signed batches: after a restart, every
event that got a 2xx is stored (once), and the case projection catches up from the journal.

Runs against its own database (a temporary SQLite file, or a PostgreSQL database created and
dropped here when the suite runs on PostgreSQL): the server is a separate process and must
see committed data.
"""

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from yakist.ingest.client import EventSender, load_private_key

pytestmark = [pytest.mark.server, pytest.mark.django_db]

YAKIST = Path(sys.executable).parent / "yakist"
BATCH = 200


@contextlib.contextmanager
def separate_database(tmp_path: Path):
    """Environment variables for a fresh database of the same kind as the test run's."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "YAKIST_VAR_DIR": str(tmp_path),
        "YAKIST_DEMO": "1",
        "YAKIST_INGEST_RATE_LIMIT": "100000",
        "YAKIST_LOG_LEVEL": "WARNING",
    }
    if connection.vendor != "postgresql":
        yield (
            env,
            lambda sql, params=(): (
                sqlite3.connect(tmp_path / "yakist.sqlite3")
                .execute(sql.replace("%s", "?"), params)
                .fetchall()
            ),
        )
        return
    import psycopg

    base = os.environ["DATABASE_URL"]
    name = f"yakist_crash_{uuid.uuid4().hex[:8]}"
    admin = base.replace(urlsplit(base).path, "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.replace(urlsplit(base).path, f"/{name}")

    def query(sql, params=()):
        with psycopg.connect(url) as conn:
            return conn.execute(sql, params).fetchall()

    try:
        yield {**env, "DATABASE_URL": url}, query
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [YAKIST, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: kill -9 reaches every worker
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not come up")


def events_for(codes: dict, count: int, prefix: str) -> list[dict]:
    return [
        {
            "event_id": str(uuid.uuid4()),
            "case_id": f"{prefix}-{i // 4}",
            "type": ["submitted", "registered", "completed", "issued"][i % 4],
            "occurred_at": f"2026-0{1 + i % 4}-1{i % 9}T10:00:00+02:00",
            "service_code": codes["service"],
            "centre_code": codes["centre"],
            "provider_code": codes["provider"],
            "channel": "offline",
        }
        for i in range(count)
    ]


def test_every_acknowledged_event_survives_kill_9_of_the_server(tmp_path):
    with separate_database(tmp_path) as (env, query):
        subprocess.run(
            [YAKIST, "demo", "--only", "yakist.demo.registry,yakist.demo.accounts"],
            env=env,
            check=True,
            cwd=settings.BASE_DIR,
            stdout=subprocess.DEVNULL,
            timeout=240,
        )
        keys = tmp_path / "demo-keys"
        key_id = (keys / "system-3.keyid").read_text().split()[0]
        private = load_private_key(keys / "system-3.pem")
        codes = {
            "service": query(
                "SELECT s.code FROM registry_service s JOIN registry_serviceterm t "
                "ON t.service_id = s.id ORDER BY s.code LIMIT 1"
            )[0][0],
            "centre": query("SELECT code FROM registry_centre ORDER BY code LIMIT 1")[0][0],
            "provider": query(
                "SELECT code FROM registry_organisation WHERE kind = 'provider' LIMIT 1"
            )[0][0],
        }
        port = free_port()
        server = start_server(env, port)
        acknowledged: set[str] = set()
        unacknowledged: list[list[dict]] = []
        lock = threading.Lock()
        stop = threading.Event()

        def load(number: int) -> None:
            sender = EventSender(
                url=f"http://127.0.0.1:{port}",
                key_id=key_id,
                private_key=private,
                max_attempts=1,
                timeout=10,
            )
            batch_number = 0
            while not stop.is_set():
                batch_number += 1
                batch = events_for(codes, BATCH, f"K{number}-{batch_number}")
                try:
                    result = sender.send_batch(batch)
                except Exception:  # the server died under this request: no answer, no promise
                    with lock:
                        unacknowledged.append(batch)
                    continue
                assert result.status == 202 and not result.rejected
                with lock:
                    acknowledged.update(e["event_id"] for e in batch)

        threads = [threading.Thread(target=load, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        # A sender that dies (a refused batch) must fail the test, not leave it waiting.
        deadline = time.monotonic() + 120
        while len(acknowledged) < 12 * BATCH:
            assert all(t.is_alive() for t in threads), "a sender stopped before the crash"
            assert time.monotonic() < deadline, "the load did not reach 12 batches"
            time.sleep(0.05)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join()
        assert acknowledged

        server = start_server(env, port)
        try:
            sender = EventSender(url=f"http://127.0.0.1:{port}", key_id=key_id, private_key=private)
            for batch in unacknowledged[:5]:
                result = sender.send_batch(batch)  # resent after the crash: stored once
                assert result.accepted + result.duplicates == len(batch)
                acknowledged.update(e["event_id"] for e in batch)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

        stored = {
            str(uuid.UUID(str(row[0])))
            for row in query("SELECT event_id FROM ingest_event WHERE case_id LIKE %s", ["K%"])
        }
        assert acknowledged <= stored
        assert len(stored) == len(
            query("SELECT event_id FROM ingest_event WHERE case_id LIKE %s", ["K%"])
        )
        subprocess.run(
            [YAKIST, "events", "work", "--once", "--quiet"],
            env=env,
            check=True,
            cwd=settings.BASE_DIR,
            timeout=120,
        )
        assert query("SELECT count(*) FROM ingest_journal WHERE processed_at IS NULL")[0][0] == 0
        cases = query("SELECT count(*) FROM cases_case WHERE case_id LIKE %s", ["K%"])[0][0]
        case_ids = query("SELECT DISTINCT case_id FROM ingest_event WHERE case_id LIKE %s", ["K%"])
        assert cases == len(case_ids)

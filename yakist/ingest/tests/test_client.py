"""The reference client (`yakist events send`) against a real HTTP server: batching, retries
with the same event ids on 429, 5xx and network errors, honouring Retry-After."""

import http.server
import json
import threading
import urllib.error
import urllib.request

import pytest
from cryptography.hazmat.primitives import serialization
from django.test import override_settings

from yakist.core.models import RateCounter
from yakist.core.testing import away_from_window_edge
from yakist.ingest import client as reference
from yakist.ingest.models import Event
from yakist.ingest.tests import support

pytestmark = pytest.mark.django_db


def sender_for(system, url, **options) -> reference.EventSender:
    return reference.EventSender(
        url=url, key_id=system.key_id, private_key=system.private, **options
    )


def test_events_url_accepts_a_base_url_or_the_endpoint():
    assert reference.events_url("http://h:8000") == "http://h:8000/api/v1/events"
    assert reference.events_url("http://h/api/v1/events/") == "http://h/api/v1/events"
    with pytest.raises(ValueError, match="http"):
        reference.events_url("file:///etc/passwd")


def test_batches_respect_the_count_and_size_limits():
    world = support.world()
    small = [support.event(world, case_id=f"C-{i}") for i in range(2500)]
    assert [len(b) for b in reference.batches(small)] == [1000, 1000, 500]
    big = [support.event(world, reason="x" * 300, type="refused") for _ in range(3000)]
    for batch in reference.batches(big):
        assert len(json.dumps({"events": batch}).encode()) < 1024 * 1024


@override_settings(INGEST_RATE_LIMIT_PER_MINUTE=1)
def test_the_client_waits_retry_after_on_429_and_resends_the_same_events(live_url):
    system = support.new_system()
    world = support.world()
    waits = []

    def wait(seconds):
        waits.append(seconds)
        RateCounter.objects.all().delete()  # the window the server asked for has passed

    sender = sender_for(system, live_url, sleep=wait)
    away_from_window_edge()
    assert sender.send_batch([support.event(world)]).accepted == 1
    events = [support.event(world, case_id="AFTER-429")]
    result = sender.send_batch(events)
    assert (result.status, result.accepted, result.attempts) == (202, 1, 2)
    assert len(waits) == 1 and 1 <= waits[0] <= 60
    assert Event.objects.filter(system=system.system, case_id="AFTER-429").count() == 1


class FlakyProxy(http.server.BaseHTTPRequestHandler):
    """A network in front of the real server: drops the first connection, answers 503 to the
    second, then passes requests through unchanged."""

    upstream = ""
    plan: list[str] = []
    seen: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(body)
        step = self.plan.pop(0) if self.plan else "pass"
        if step == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if step == "503":
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        # Host too, as a reverse proxy keeps it: the signature covers "@authority".
        names = ("Host", "Content-Type", "Content-Digest", "Signature-Input", "Signature")
        request = urllib.request.Request(
            self.upstream + self.path,
            data=body,
            method="POST",
            headers={name: self.headers[name] for name in names},
        )
        try:
            with urllib.request.urlopen(request) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def test_the_client_retries_network_errors_and_5xx_with_the_same_body(live_url):
    system = support.new_system()
    world = support.world()
    FlakyProxy.upstream, FlakyProxy.plan, FlakyProxy.seen = live_url, ["drop", "503"], []
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyProxy)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        sender = sender_for(
            system, f"http://127.0.0.1:{proxy.server_address[1]}", sleep=lambda _s: None
        )
        events = [support.event(world, case_id=f"FLAKY-{i}") for i in range(3)]
        result = sender.send_batch(events)
    finally:
        proxy.shutdown()
    assert (result.accepted, result.attempts) == (3, 3)
    assert len(set(FlakyProxy.seen)) == 1  # every attempt carried the same events
    assert Event.objects.filter(system=system.system, case_id__startswith="FLAKY-").count() == 3


def test_a_refused_request_is_not_retried(live_url):
    system = support.new_system()
    sender = reference.EventSender(
        url=live_url, key_id="yk-unknown", private_key=system.private, sleep=lambda _s: None
    )
    with pytest.raises(reference.SendFailed) as error:
        sender.send_batch([support.event(support.world())])
    assert error.value.status == 401
    assert error.value.body["type"] == "/problems/signature-unknown-key"


def test_events_send_command_streams_a_jsonl_file(live_url, tmp_path, command):
    system = support.new_system()
    world = support.world()
    key = tmp_path / "key.pem"
    key.write_bytes(
        system.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    events = [support.event(world, case_id=f"FILE-{i}") for i in range(1200)]
    events.append(support.event(world, case_id="FILE-BAD", service_code="NOPE"))
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n")
    args = ("events", "send", str(path), "--key", str(key), "--keyid", system.key_id)
    output = command(*args, "--url", live_url)
    assert "прийнято 1200" in output and "відхилено 1" in output and "2 пакетах" in output
    again = command(*args, "--url", live_url)
    assert "повторів 1200" in again
    assert Event.objects.filter(system=system.system).count() == 1200

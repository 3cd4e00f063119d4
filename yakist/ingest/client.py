"""The reference intake client: signs, batches, sends and retries (`yakist events send`).

Integrators can read it as a worked example of docs/integration.md: every attempt is signed anew
(fresh `created` and nonce) over the same body, so a retried batch carries the same event ids
and the server counts it as duplicates, never twice. 429 and 503 answers are honoured with
their Retry-After; other 5xx answers and network errors back off exponentially.
"""

from __future__ import annotations

import json
import random
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms

EVENTS_PATH = "/api/v1/events"
TREMBITA_PATH = "/trembita/rest/events"
COVERED = ("@method", "@authority", "@path", "content-digest", "content-type")
MAX_EVENTS = 1000
MAX_BODY = 1024 * 1024 - 4096  # stay clear of the 1 MiB limit
RETRY_STATUSES = {429, 500, 502, 503, 504}
USER_AGENT = "yakist-events-client/1"


class SendFailed(Exception):
    """A batch could not be delivered after all retries (or was refused as a whole)."""

    def __init__(self, message: str, *, status: int | None = None, body: dict | None = None):
        super().__init__(message)
        self.status, self.body = status, body or {}


@dataclass
class Request:
    """What the library signs: method, absolute URL and a mutable header mapping."""

    method: str
    url: str
    headers: dict[str, str]


@dataclass
class BatchResult:
    status: int
    accepted: int
    duplicates: int
    rejected: list[dict]
    attempts: int


@dataclass
class Summary:
    batches: int = 0
    events: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)


def events_url(url: str) -> str:
    """Accept a base URL (http://host:8000) or the full endpoint."""
    url = url.rstrip("/")
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"адреса має починатися з http:// або https://: {url}")
    return url if urlsplit(url).path.endswith(EVENTS_PATH) else url + EVENTS_PATH


def load_private_key(path: Path | str) -> Ed25519PrivateKey:
    key = load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("потрібен закритий ключ Ed25519 у форматі PEM (PKCS#8)")
    return key


class EventSender:
    def __init__(
        self,
        *,
        url: str,
        key_id: str,
        private_key: Ed25519PrivateKey,
        max_attempts: int = 8,
        timeout: float = 60,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = events_url(url)
        self.key_id = key_id
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.sleep = sleep
        self.signer = HTTPMessageSigner(
            signature_algorithm=algorithms.ED25519,
            key_resolver=MappingKeyResolver(public_keys={}, private_keys={key_id: private_key}),
        )

    def signed_request(self, body: bytes) -> Request:
        request = Request("POST", self.url, {"Content-Type": "application/json"})
        self.signer.sign(
            request,
            key_id=self.key_id,
            nonce=secrets.token_urlsafe(18),
            label="sig1",
            covered_component_ids=COVERED,
            body=body,
        )
        return request

    def send_batch(self, events: list[dict]) -> BatchResult:
        body = json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")).encode()
        return self.send_body(body)

    def prepared_request(self, body: bytes, batch: str) -> Request:
        """One attempt's request; `batch` stays the same across the retries of one body."""
        return self.signed_request(body)

    def send_body(self, body: bytes) -> BatchResult:
        delay = 1.0
        batch = str(uuid.uuid4())
        for attempt in range(1, self.max_attempts + 1):
            request = self.prepared_request(body, batch)
            http_request = urllib.request.Request(  # noqa: S310 (scheme checked in events_url)
                request.url,
                data=body,
                method="POST",
                headers={**request.headers, "User-Agent": USER_AGENT},
            )
            retry_after = None
            try:
                with urllib.request.urlopen(http_request, timeout=self.timeout) as response:  # noqa: S310
                    payload = json.loads(response.read() or b"{}")
                    return BatchResult(
                        response.status,
                        payload.get("accepted", 0),
                        payload.get("duplicates", 0),
                        payload.get("rejected", []),
                        attempt,
                    )
            except urllib.error.HTTPError as error:
                payload = _json(error.read())
                if error.code == 422 and "rejected" in payload:
                    return BatchResult(422, 0, 0, payload["rejected"], attempt)
                if error.code not in RETRY_STATUSES:
                    raise SendFailed(
                        f"{error.code} {payload.get('title', '')}: {payload.get('detail', '')}",
                        status=error.code,
                        body=payload,
                    ) from error
                retry_after = _retry_after(error.headers.get("Retry-After"))
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass  # the network: try again with the same events
            if attempt == self.max_attempts:
                break
            wait = retry_after if retry_after is not None else delay * (0.5 + random.random())
            self.sleep(min(wait, 300))
            delay = min(delay * 2, 60)
        raise SendFailed(f"пакет не доставлено за {self.max_attempts} спроб")

    def send_stream(
        self, events: Iterable[dict], *, on_batch: Callable[[BatchResult], None] | None = None
    ) -> Summary:
        summary = Summary()
        for batch in batches(events):
            result = self.send_batch(batch)
            summary.batches += 1
            summary.events += len(batch)
            summary.accepted += result.accepted
            summary.duplicates += result.duplicates
            offset = summary.events - len(batch)
            summary.rejected.extend(
                {**item, "index": item["index"] + offset} for item in result.rejected
            )
            if on_batch is not None:
                on_batch(result)
        return summary


class TrembitaSender(EventSender):
    """Sends through «Трембіта»: to the consumer security server of the sending system, which
    seals the message with the member's qualified seal and forwards it to Yakist's REST door.
    Nothing is signed here; `X-Road-Client` names the sender, and one `X-Road-Id` per batch,
    kept across its retries, lets Yakist tell a resend from a new message.

    `security_server` is the consumer security server's base URL; with `service` (Yakist's
    X-Road service id INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE) requests go to
    `{security_server}/r1/{service}/events` (X-Road message protocol for REST); without it the
    URL is taken as the full address of the events path (as in the demo's stand-in)."""

    def __init__(
        self,
        *,
        security_server: str,
        client: str,
        service: str | None = None,
        max_attempts: int = 8,
        timeout: float = 60,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        base = security_server.rstrip("/")
        if urlsplit(base).scheme not in ("http", "https"):
            raise ValueError(f"адреса має починатися з http:// або https://: {security_server}")
        if service:
            self.url = f"{base}/r1/{service.strip('/')}/events"
        elif urlsplit(base).path.endswith("/events"):
            self.url = base
        else:
            self.url = base + TREMBITA_PATH
        self.client = client
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.sleep = sleep

    def prepared_request(self, body: bytes, batch: str) -> Request:
        return Request(
            "POST",
            self.url,
            {"Content-Type": "application/json", "X-Road-Client": self.client, "X-Road-Id": batch},
        )


def batches(events: Iterable[dict]) -> Iterator[list[dict]]:
    """Group events into batches within both limits (count and body size)."""
    batch: list[dict] = []
    size = 16
    for event in events:
        length = len(json.dumps(event, ensure_ascii=False).encode()) + 1
        if batch and (len(batch) >= MAX_EVENTS or size + length > MAX_BODY):
            yield batch
            batch, size = [], 16
        batch.append(event)
        size += length
    if batch:
        yield batch


def read_jsonl(path: Path | str) -> Iterator[dict]:
    """Events from a JSON Lines file, one object a line, streamed."""
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except ValueError as error:
                raise ValueError(f"{path}:{number}: некоректний JSON: {error}") from error


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None

"""Signed event batches sent in-process through Django's test client: the intake's whole
request handling (middleware, RFC 9421 signature and RFC 9530 digest, validation, journal,
insert) without a server or sockets. The profile of the intake (bench/profile.py) and the
indicators bench's "events at random centres" scenario use it; Django must be set up.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HOST = "127.0.0.1"  # a host the production settings allow
BATCH = 1000
# Five events a case, as a case system sends them from application to result.
LIFE = (
    ("submitted", dt.timedelta(0)),
    ("registered", dt.timedelta(hours=1)),
    ("status_changed", dt.timedelta(days=1)),
    ("completed", dt.timedelta(days=6)),
    ("issued", dt.timedelta(days=6, hours=2)),
)
# Letters only around the case number: no run of ten digits that reads as a РНОКПП.
_LETTERS = str.maketrans("0123456789", "ghijklmnop")


class Intake:
    """A connected system (scope "all", active) with a fresh Ed25519 key, and a test client
    that posts its signed batches to the API."""

    def __init__(self, name: str) -> None:
        from django.test import Client

        from yakist.ingest.client import EventSender
        from yakist.registry import services
        from yakist.registry.models import ConnectedSystem

        private = Ed25519PrivateKey.generate()
        pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        key = services.system_add(
            name=f"{name}-{uuid.uuid4().hex[:8]}",
            public_key=pem,
            scope=None,
            status=ConnectedSystem.State.ACTIVE,
        )
        self.system_id = key.system_id
        self.sender = EventSender(url=f"http://{HOST}", key_id=key.key_id, private_key=private)
        self.client = Client(HTTP_HOST=HOST)

    def post(self, body: bytes) -> dict:
        """One signed batch through the whole request path; its 202 answer."""
        request = self.sender.signed_request(body)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
        response = self.client.post(
            "/api/v1/events", data=body, content_type="application/json", headers=headers
        )
        if response.status_code != 202:
            raise RuntimeError(f"HTTP {response.status_code}: {response.content[:300]!r}")
        return response.json()

    def remove(self) -> None:
        """Forget what this system sent (cases, events, journal) and the system itself."""
        from django.db import connection

        from yakist.cases.models import Case
        from yakist.ingest.models import Event, Journal, Nonce
        from yakist.registry.models import ConnectedSystem, SystemKey

        keys = list(
            SystemKey.objects.filter(system_id=self.system_id).values_list("key_id", flat=True)
        )
        with connection.cursor() as cursor:
            for model in (Case, Event, Journal):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE system_id = %s",
                    [self.system_id],
                )
        Nonce.objects.filter(key_id__in=keys).delete()
        SystemKey.objects.filter(system_id=self.system_id).delete()
        ConnectedSystem.objects.filter(pk=self.system_id).delete()


def codes() -> dict[str, list[str]]:
    """Codes an event may name: active services, every active access point, the providers."""
    from yakist.registry.enums import Status
    from yakist.registry.models.reference import Centre, Organisation, Service

    return {
        "services": list(
            Service.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)
        ),
        "centres": list(
            Centre.objects.filter(status=Status.ACTIVE)
            .order_by("code")
            .values_list("code", flat=True)
        ),
        "providers": list(
            Organisation.objects.filter(kind=Organisation.Kind.PROVIDER, parent__isnull=False)
            .order_by("code")
            .values_list("code", flat=True)
        ),
    }


def events(
    codes: dict[str, list[str]],
    *,
    cases: int,
    start: dt.datetime,
    days: float,
    seed: int,
    centres: list[str] | None = None,
) -> list[dict]:
    """`cases` cases of five events each, begun at random moments of [start, start + days)
    at random access points (of `centres` if given), each service from a random provider."""
    rng = random.Random(seed)
    run = uuid.UUID(int=rng.getrandbits(128)).hex[:8].translate(_LETTERS)
    places = centres or codes["centres"]
    out = []
    for number in range(cases):
        began = start + dt.timedelta(seconds=rng.uniform(0, days * 86400))
        fields = {
            "case_id": f"B-{run}-{number}",
            "service_code": rng.choice(codes["services"]),
            "centre_code": rng.choice(places),
            "provider_code": rng.choice(codes["providers"]),
            "channel": "offline",
        }
        if number % 3 == 0:
            fields["applicant_ref"] = f"app-{run}-{number}"
        for kind, after in LIFE:
            event = {
                "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "type": kind,
                "occurred_at": (began + after).isoformat(),
                **fields,
            }
            if kind == "status_changed":
                event["status"] = "in_progress"
            out.append(event)
    return out


def bodies(events: list[dict]) -> list[bytes]:
    """Batches of 1000 events as a client sends them."""
    return [
        json.dumps({"events": events[i : i + BATCH]}, separators=(",", ":")).encode()
        for i in range(0, len(events), BATCH)
    ]

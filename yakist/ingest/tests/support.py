"""Test helpers for the intake: systems with fresh keys, events from the demo world, and
signed requests made with the `http-message-signatures` library (not the server's code)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from http_message_signatures import (
    ContentDigest,
    HTTPMessageSigner,
    MappingKeyResolver,
    algorithms,
)

from yakist.ingest import lookups
from yakist.registry.models import ConnectedSystem
from yakist.registry.models.reference import Centre, Organisation, Service
from yakist.registry.services import system_add

EVENTS_URL = "http://testserver/api/v1/events"
COVERED = ("@method", "@authority", "@path", "content-digest", "content-type")


@dataclass
class TestSystem:
    system: ConnectedSystem
    key_id: str
    private: Ed25519PrivateKey

    def sign(
        self,
        body: bytes,
        *,
        created: dt.datetime | None = None,
        nonce: str | None = None,
        content_type: str = "application/json",
        covered: tuple[str, ...] = COVERED,
        url: str = EVENTS_URL,
        expires: dt.datetime | None = None,
    ) -> dict[str, str]:
        return sign(
            body,
            key_id=self.key_id,
            private=self.private,
            created=created,
            expires=expires,
            nonce=nonce,
            content_type=content_type,
            covered=covered,
            url=url,
        )


@dataclass
class _Message:
    method: str
    url: str
    headers: dict


def sign(
    body: bytes,
    *,
    key_id: str,
    private: Ed25519PrivateKey,
    created: dt.datetime | None = None,
    nonce: str | None = None,
    content_type: str = "application/json",
    covered: tuple[str, ...] = COVERED,
    url: str = EVENTS_URL,
    expires: dt.datetime | None = None,
) -> dict[str, str]:
    """Headers of a request signed with the library's own signer (RFC 9421 + RFC 9530)."""
    message = _Message("POST", url, {"Content-Type": content_type})
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={key_id: private}),
    )
    covers_digest = "content-digest" in covered
    if not covers_digest:
        # The library covers the digest whenever it is given the body; sign without it.
        message.headers["Content-Digest"] = ContentDigest.create(body)
    signer.sign(
        message,
        key_id=key_id,
        created=created,
        expires=expires,
        nonce=nonce or uuid.uuid4().hex,
        label="sig1",
        covered_component_ids=covered,
        body=body if covers_digest else None,
        use_existing_digest=not covers_digest,
    )
    return message.headers


def public_pem(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def new_system(
    *, name: str | None = None, scope: list[str] | None = None, status: str = "active"
) -> TestSystem:
    private = Ed25519PrivateKey.generate()
    key = system_add(
        name=name or f"test-{uuid.uuid4().hex[:8]}",
        public_key=public_pem(private),
        scope=scope,
        status=status,
    )
    lookups.lookups_clear()
    return TestSystem(key.system, key.key_id, private)


@dataclass
class World:
    centre: Centre
    other_centre: Centre
    service: Service
    provider: Organisation


def world() -> World:
    """A main centre, another centre in another region, a service with a term, a provider."""
    centre = Centre.objects.filter(kind="centre", status="active").order_by("code").first()
    other = (
        Centre.objects.filter(kind="centre", status="active")
        .exclude(region=centre.region)
        .order_by("code")
        .first()
    )
    service = Service.objects.filter(terms__unit="working_days").order_by("code").first()
    provider = Organisation.objects.filter(kind="provider", parent__isnull=False).first()
    return World(centre, other, service, provider)


def event(w: World, **fields) -> dict:
    data = {
        "event_id": str(uuid.uuid4()),
        "case_id": "C-1",
        "type": "submitted",
        "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "service_code": w.service.code,
        "centre_code": w.centre.code,
        "provider_code": w.provider.code,
        "channel": "offline",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def body_of(events: list[dict]) -> bytes:
    return json.dumps({"events": events}, ensure_ascii=False).encode()


def post(client, system: TestSystem, body: bytes, **sign_options):
    headers = system.sign(body, **sign_options)
    content_type = headers.pop("Content-Type")
    return client.post(EVENTS_URL, data=body, content_type=content_type, headers=headers)


def post_events(client, system: TestSystem, events: list[dict]):
    return post(client, system, body_of(events))


def refused(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == f"/problems/{slug}"
    assert ukrainian(problem["title"]) and ukrainian(problem["detail"]), problem
    return problem


def ukrainian(text: str) -> bool:
    """Written in Ukrainian: Cyrillic letters, not an English message from a library."""
    return sum("а" <= ch <= "я" or ch in "іїєґ" for ch in text.lower()) >= 3

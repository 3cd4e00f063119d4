"""RFC 9421 / RFC 9530 on the intake: an independent signer is accepted; every bad signature
gets a clear Ukrainian 401/400 with a stable type, and nothing is stored."""

import base64
import datetime as dt
import hashlib
import json
import subprocess
import time
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import override_settings
from django.utils import timezone

from yakist.core.testing import away_from_window_edge
from yakist.ingest.models import Event, Journal
from yakist.ingest.tests import support
from yakist.ingest.tests.support import refused
from yakist.registry.services import system_key_revoke

pytestmark = pytest.mark.django_db


def openssl_signed_request(
    body: bytes, *, key_pem: str, key_id: str, nonce: str, created: int, workdir
) -> dict[str, str]:
    """Sign as an integrator without any RFC 9421 library: build the signature base by hand
    (RFC 9421 §2.5) and sign it with `openssl pkeyutl -sign -rawin` (Ed25519)."""
    digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    params = (
        '("@method" "@authority" "@path" "content-digest" "content-type")'
        f';created={created};keyid="{key_id}";nonce="{nonce}";alg="ed25519"'
    )
    base = (
        '"@method": POST\n'
        '"@authority": testserver\n'
        '"@path": /api/v1/events\n'
        f'"content-digest": {digest}\n'
        '"content-type": application/json\n'
        f'"@signature-params": {params}'
    )
    base_file = workdir / f"base-{nonce}.txt"
    base_file.write_bytes(base.encode())
    # Ed25519 signs the whole message at once, so openssl reads it from a file.
    signature = subprocess.run(
        ["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key_pem, "-in", str(base_file)],
        capture_output=True,
        check=True,
    ).stdout
    return {
        "Content-Digest": digest,
        "Signature-Input": f"sig1={params}",
        "Signature": f"sig1=:{base64.b64encode(signature).decode()}:",
    }


def openssl_post(client, body: bytes, headers: dict):
    return client.post(
        support.EVENTS_URL, data=body, content_type="application/json", headers=headers
    )


def test_independent_signature_with_a_cli_registered_key_is_accepted_once(tmp_path, command):
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(tmp_path / "key.pem")],
        check=True,
    )
    subprocess.run(
        [
            "openssl",
            "pkey",
            "-in",
            str(tmp_path / "key.pem"),
            "-pubout",
            "-out",
            str(tmp_path / "key.pub.pem"),
        ],
        check=True,
    )
    output = command(
        "systems", "add", "openssl-system", "--public-key", str(tmp_path / "key.pub.pem")
    )
    key_id = output.strip().splitlines()[-1]
    world = support.world()
    body = support.body_of([support.event(world)])
    headers = openssl_signed_request(
        body,
        key_pem=str(tmp_path / "key.pem"),
        key_id=key_id,
        nonce=uuid.uuid4().hex,
        created=int(time.time()),
        workdir=tmp_path,
    )
    from django.test import Client

    client = Client()
    accepted = openssl_post(client, body, headers)
    assert accepted.status_code == 202, accepted.content
    assert accepted.json() == {"accepted": 1, "duplicates": 0, "rejected": []}

    refused(openssl_post(client, body, headers), 401, "signature-replayed")

    tampered = body.replace(b'"C-1"', b'"C-2"')
    assert len(tampered) == len(body)
    fresh = openssl_signed_request(
        body,
        key_pem=str(tmp_path / "key.pem"),
        key_id=key_id,
        nonce=uuid.uuid4().hex,
        created=int(time.time()),
        workdir=tmp_path,
    )
    refused(openssl_post(client, tampered, fresh), 400, "content-digest-mismatch")
    assert Event.objects.filter(system__keys__key_id=key_id).count() == 1


@pytest.fixture
def system():
    return support.new_system()


@pytest.fixture
def body():
    return support.body_of([support.event(support.world())])


def test_a_request_without_signature_is_refused(client, body):
    before = Journal.objects.count()
    response = client.post(support.EVENTS_URL, data=body, content_type="application/json")
    problem = refused(response, 401, "signature-missing")
    assert "Signature-Input" in problem["detail"]
    assert Journal.objects.count() == before


def test_a_signature_by_a_different_key_is_refused(client, system, body):
    impostor = support.TestSystem(system.system, system.key_id, Ed25519PrivateKey.generate())
    refused(support.post(client, impostor, body), 401, "signature-invalid")


def test_an_unknown_key_id_is_refused(client, system, body):
    stranger = support.TestSystem(system.system, "yk-nosuchkey", system.private)
    problem = refused(support.post(client, stranger, body), 401, "signature-unknown-key")
    assert "yk-nosuchkey" in problem["detail"]


def test_a_revoked_key_is_refused(client, system, body):
    system_key_revoke(key_id=system.key_id, reason="скомпрометовано")
    refused(support.post(client, system, body), 401, "signature-key-revoked")


def test_an_expired_key_is_refused(client, system, body):
    key = system.system.keys.get()
    key.valid_until = timezone.now() - dt.timedelta(days=1)
    key.save()
    refused(support.post(client, system, body), 401, "signature-key-expired")


def test_a_signature_created_too_long_ago_is_refused(client, system, body):
    old = timezone.now() - dt.timedelta(seconds=301)
    problem = refused(support.post(client, system, body, created=old), 401, "signature-expired")
    assert "300" in problem["detail"]


def test_a_signature_created_in_the_future_is_refused(client, system, body):
    ahead = timezone.now() + dt.timedelta(seconds=400)
    refused(support.post(client, system, body, created=ahead), 401, "signature-created-in-future")


def test_a_signature_within_the_clock_window_is_accepted(client, system, body):
    skewed = timezone.now() + dt.timedelta(seconds=200)
    assert support.post(client, system, body, created=skewed).status_code == 202


def test_replayed_nonce_is_refused(client, system, body):
    assert support.post(client, system, body, nonce="nonce-0001").status_code == 202
    again = support.body_of([support.event(support.world(), case_id="C-other")])
    refused(support.post(client, system, again, nonce="nonce-0001"), 401, "signature-replayed")
    assert Journal.objects.filter(system=system.system).count() == 1


def test_a_signature_that_does_not_cover_the_digest_is_refused(client, system, body):
    response = support.post(client, system, body, covered=("@method", "@path", "content-type"))
    problem = refused(response, 401, "signature-components")
    assert '"content-digest"' in problem["detail"]


def test_body_changed_after_signing_is_refused(client, system, body):
    headers = system.sign(body)
    content_type = headers.pop("Content-Type")
    tampered = body.replace(b"submitted", b"registered")
    response = client.post(
        support.EVENTS_URL, data=tampered, content_type=content_type, headers=headers
    )
    refused(response, 400, "content-digest-mismatch")
    assert not Event.objects.filter(system=system.system).exists()


def test_a_suspended_system_is_refused(client, body):
    suspended = support.new_system(status="suspended")
    refused(support.post(client, suspended, body), 403, "system-suspended")


@override_settings(INGEST_RATE_LIMIT_PER_MINUTE=2)
def test_a_system_over_its_rate_limit_gets_429_with_retry_after(client, system):
    world = support.world()
    away_from_window_edge()
    for _ in range(2):
        response = support.post_events(client, system, [support.event(world)])
        assert response.status_code == 202
    response = support.post_events(client, system, [support.event(world)])
    problem = refused(response, 429, "rate-limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert problem["retry_after"] == int(response["Retry-After"])


def test_another_algorithm_in_the_signature_is_refused(client, system, body):
    headers = system.sign(body)
    content_type = headers.pop("Content-Type")
    headers["Signature-Input"] = headers["Signature-Input"].replace(
        'alg="ed25519"', 'alg="rsa-pss-sha512"'
    )
    response = client.post(
        support.EVENTS_URL, data=body, content_type=content_type, headers=headers
    )
    refused(response, 401, "signature-algorithm")


def test_malformed_signature_headers_are_refused(client, system, body):
    headers = system.sign(body)
    content_type = headers.pop("Content-Type")
    headers["Signature-Input"] = "sig1=(not structured"
    response = client.post(
        support.EVENTS_URL, data=body, content_type=content_type, headers=headers
    )
    refused(response, 401, "signature-malformed")


def test_rotated_keys_both_sign_until_one_is_revoked(client, system, body):
    from yakist.registry.services import system_key_add

    second = Ed25519PrivateKey.generate()
    new_key = system_key_add(
        system=system.system,
        public_key=second.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    rotated = support.TestSystem(system.system, new_key.key_id, second)
    world = support.world()
    assert support.post_events(client, system, [support.event(world)]).status_code == 202
    assert support.post_events(client, rotated, [support.event(world)]).status_code == 202
    system_key_revoke(key_id=system.key_id)
    refused(support.post(client, system, body), 401, "signature-key-revoked")
    assert support.post_events(client, rotated, [support.event(world)]).status_code == 202


def test_problem_types_of_the_intake_have_catalogue_pages(client):
    for slug in ("signature-replayed", "content-digest-mismatch", "event-out-of-scope"):
        page = client.get(f"/problems/{slug}")
        assert page.status_code == 200
    assert json.loads(client.get("/api/v1/openapi.json").content)["paths"]["/api/v1/events"]


def test_a_new_signature_algorithm_plugs_in_without_touching_the_endpoint(client, body):
    """How DSTU 4145 will be added: an HTTPSignatureAlgorithm registered under its id, and
    keys registered with that algorithm. (Here a stand-in that wraps Ed25519.)"""
    from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms

    from yakist.ingest.signatures import VERIFIERS, verifier_register

    class StandIn(algorithms.ED25519):
        algorithm_id = "test-standin"

    system = support.new_system()
    system.system.keys.update(algorithm="test-standin")

    def post():
        message = support._Message("POST", support.EVENTS_URL, {"Content-Type": "application/json"})
        HTTPMessageSigner(
            signature_algorithm=StandIn,
            key_resolver=MappingKeyResolver(
                public_keys={}, private_keys={system.key_id: system.private}
            ),
        ).sign(
            message,
            key_id=system.key_id,
            nonce=uuid.uuid4().hex,
            covered_component_ids=support.COVERED,
            body=body,
        )
        headers = dict(message.headers)
        return client.post(
            support.EVENTS_URL,
            data=body,
            content_type=headers.pop("Content-Type"),
            headers=headers,
        )

    refused(post(), 401, "signature-algorithm")
    verifier_register("test-standin", StandIn)
    try:
        assert post().status_code == 202
    finally:
        VERIFIERS.pop("test-standin")

"""Intake hardening (issue 11, hole 13): nesting depth, a signature bound to the server,
nonces remembered long enough, and `expires` without grace."""

import datetime as dt

import pytest
from django.utils import timezone

from yakist.ingest.models import Journal, Nonce
from yakist.ingest.tests import support
from yakist.ingest.tests.support import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def system():
    return support.new_system()


@pytest.fixture
def body():
    return support.body_of([support.event(support.world())])


def test_hole_13_deeply_nested_json_from_a_signed_sender_gets_a_4xx_problem(client, system):
    depth = 100_000
    body = b'{"events": [{"case_id": ' + b"[" * depth + b"]" * depth + b"}]}"
    problem = refused(support.post(client, system, body), 400, "json-too-deep")
    assert problem["status"] == 400
    entry = Journal.objects.get(system=system.system)
    assert entry.batch_error == "json-too-deep"  # journalled, as every authenticated request


def test_hole_13_shallow_nesting_in_an_unknown_field_is_an_ordinary_event_error(client, system):
    body = b'{"events": [{"extra": [[[{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}]]]}]}'
    response = support.post(client, system, body)
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/events-rejected"


def test_hole_13_a_signature_must_cover_the_authority(client, system, body):
    response = support.post(
        client, system, body, covered=("@method", "@path", "content-digest", "content-type")
    )
    problem = refused(response, 401, "signature-components")
    assert '"@authority"' in problem["detail"]


def test_hole_13_a_request_signed_for_another_server_does_not_replay_here(client, system, body):
    response = support.post(
        client, system, body, url="https://staging.yakist.example/api/v1/events"
    )
    refused(response, 401, "signature-invalid")
    assert support.post(client, system, body).status_code == 202


def test_hole_13_nonces_are_kept_at_least_twice_the_signature_window(command, settings):
    settings.INGEST_SIGNATURE_WINDOW_SECONDS = 3600
    now = timezone.now()
    Nonce.objects.create(
        key_id="yk-test", nonce="young-enough", seen_at=now - dt.timedelta(minutes=90)
    )
    Nonce.objects.create(key_id="yk-test", nonce="long-gone", seen_at=now - dt.timedelta(hours=3))
    command("events", "purge")
    assert list(Nonce.objects.filter(key_id="yk-test").values_list("nonce", flat=True)) == [
        "young-enough"
    ]


def test_hole_13_a_replay_within_twice_the_window_is_refused_after_the_purge(
    client, system, body, command, settings
):
    window = settings.INGEST_SIGNATURE_WINDOW_SECONDS
    created = timezone.now() + dt.timedelta(seconds=window - 5)  # a clock ahead, still accepted
    headers = system.sign(body, created=created, nonce="nonce-ahead-1")
    content_type = headers.pop("Content-Type")
    first = client.post(support.EVENTS_URL, data=body, content_type=content_type, headers=headers)
    assert first.status_code == 202, first.content
    # Just over one window later the signature is still within the window: the nonce must stay.
    Nonce.objects.filter(nonce="nonce-ahead-1").update(
        seen_at=timezone.now() - dt.timedelta(seconds=window + 10)
    )
    command("events", "purge")
    again = client.post(support.EVENTS_URL, data=body, content_type=content_type, headers=headers)
    refused(again, 401, "signature-replayed")


def test_hole_13_expires_is_checked_strictly(client, system, body):
    expired = timezone.now() - dt.timedelta(seconds=5)
    response = support.post(client, system, body, expires=expired)
    problem = refused(response, 401, "signature-expired")
    assert "expires" in problem["detail"]
    later = timezone.now() + dt.timedelta(seconds=60)
    assert support.post(client, system, body, expires=later).status_code == 202

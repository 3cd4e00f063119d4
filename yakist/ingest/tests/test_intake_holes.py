"""Intake hardening (issue 11, hole 13): nesting depth, a signature bound to the server,
nonces remembered long enough, and `expires` without grace."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from yakist.ingest import services
from yakist.ingest.models import Event, Journal, Nonce
from yakist.ingest.personaldata import pseudonym, rnokpp_checksum_ok
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


def test_shallow_nesting_in_an_unknown_field_is_an_ordinary_event_error(client, system):
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


def test_a_request_signed_for_another_server_does_not_replay_here(client, system, body):
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


def test_a_replay_within_twice_the_window_is_refused_after_the_purge(
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


# --- hole 15: personal data in the journal and in case numbers ---


def test_hole_15_applicant_ref_is_pseudonymised_before_the_body_is_journalled(client, system):
    ref = "vulyk-app-000777"
    world = support.world()
    event = support.event(world, case_id="PSEUDO", applicant_ref=ref)
    response = support.post_events(client, system, [event])
    assert response.json()["accepted"] == 1
    entry = Journal.objects.get(pk=int(response["Yakist-Journal-Id"]))
    stored_body = bytes(entry.body)
    assert ref.encode() not in stored_body
    expected = pseudonym(system.system.pk, ref)
    assert json.loads(stored_body)["events"][0]["applicant_ref"] == "#" + expected

    # A replay from the journal gives the same pseudonym, not a pseudonym of a pseudonym.
    Event.objects.filter(system=system.system).delete()
    assert services.journal_replay(ids=[entry.pk]) == (1, 1)
    assert Event.objects.get(system=system.system).applicant_pseudonym == expected


def test_a_sender_cannot_pass_off_a_journalled_pseudonym(client, system):
    forged = "#" + "0" * 64
    event = support.event(support.world(), applicant_ref=forged)
    result = support.post_events(client, system, [event]).json()
    (item,) = result["rejected"]
    assert [e["field"] for e in item["errors"]] == ["applicant_ref"]


def _rnokpp_like(prefix: str) -> str:
    """Nine digits and the check digit a РНОКПП would have."""
    return next(prefix + str(d) for d in range(10) if rnokpp_checksum_ok(prefix + str(d)))


@pytest.mark.parametrize(
    "case_id",
    [
        "3012345678",
        "0000000001",
        f"ЦНАП-{_rnokpp_like('301234567')}",
        f"A/{_rnokpp_like('284010203')}/2025",
    ],
)
def test_hole_15_case_id_shaped_like_a_rnokpp_is_refused(client, system, case_id):
    events = [
        support.event(support.world(), case_id="OK-1"),
        support.event(support.world(), case_id=case_id),
    ]
    response = support.post_events(client, system, events)
    result = response.json()
    assert result["accepted"] == 1
    (item,) = result["rejected"]
    (error,) = item["errors"]
    assert (error["type"], error["field"]) == ("/problems/event-personal-data", "case_id")
    assert "РНОКПП" in error["detail"] and support.ukrainian(error["detail"])
    entry = Journal.objects.get(pk=int(response["Yakist-Journal-Id"]))
    assert case_id.encode() not in bytes(entry.body)


def test_ordinary_case_numbers_with_digits_are_still_accepted(client, system):
    wrong_check = "301234567" + str((int(_rnokpp_like("301234567")[-1]) + 1) % 10)
    ids = ["12345678901", "2025/000123", f"ЦНАП-{wrong_check}", "123456789"]
    events = [support.event(support.world(), case_id=case_id) for case_id in ids]
    assert support.post_events(client, system, events).json()["accepted"] == len(ids)

"""Per-event validation with partial acceptance, whole-batch errors, idempotency, sandbox,
personal data, and the journal written before the answer."""

import datetime as dt
import json
import uuid

import pytest
from django.test import override_settings
from django.utils import timezone

from yakist.accounts.enums import Role
from yakist.accounts.scope import Scope
from yakist.cases.models import Case
from yakist.cases.selectors import case_counters
from yakist.cases.services import cases_project_pending
from yakist.ingest.models import Event, Journal, SandboxEvent
from yakist.ingest.personaldata import pseudonym
from yakist.ingest.tests import support
from yakist.ingest.tests.support import refused
from yakist.registry.models.reference import Centre, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return support.world()


@pytest.fixture
def system():
    return support.new_system()


def error_types(item: dict) -> set[str]:
    return {error["type"] for error in item["errors"]}


def test_valid_events_are_accepted_and_bad_ones_reported_by_index(client, system, world):
    events = [
        support.event(world, case_id="OK-1"),
        support.event(world, case_id="BAD-1", service_code="NO-SUCH"),
        support.event(world, case_id="OK-2", type="registered"),
        support.event(world, case_id="BAD-2", passport="АА123456"),
    ]
    response = support.post_events(client, system, events)
    assert response.status_code == 202
    result = response.json()
    assert result["accepted"] == 2 and result["duplicates"] == 0
    assert [item["index"] for item in result["rejected"]] == [1, 3]
    assert result["rejected"][0]["event_id"] == events[1]["event_id"]
    assert error_types(result["rejected"][0]) == {"/problems/event-unknown-service"}
    assert "NO-SUCH" in result["rejected"][0]["errors"][0]["detail"]
    assert error_types(result["rejected"][1]) == {"/problems/event-unknown-field"}
    assert result["rejected"][1]["errors"][0]["field"] == "passport"
    stored = set(Event.objects.filter(system=system.system).values_list("case_id", flat=True))
    assert stored == {"OK-1", "OK-2"}


def test_a_batch_with_no_acceptable_event_is_422_with_the_same_report(client, system, world):
    response = support.post_events(client, system, [support.event(world, centre_code="X-1")])
    problem = refused(response, 422, "events-rejected")
    assert problem["accepted"] == 0
    assert error_types(problem["rejected"][0]) == {"/problems/event-unknown-centre"}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"occurred_at": "2031-01-01T10:00:00+02:00"}, "event-impossible-time"),
        ({"occurred_at": "2019-12-31T23:00:00+02:00"}, "event-impossible-time"),
        ({"occurred_at": "2025-03-01T10:00:00"}, "event-invalid-value"),
        ({"occurred_at": "01.03.2025 10:00"}, "event-invalid-value"),
        ({"event_id": "not-a-uuid"}, "event-invalid-value"),
        ({"channel": "fax"}, "event-invalid-value"),
        ({"type": "reopened"}, "event-invalid-value"),
        ({"provider_code": "00000000"}, "event-unknown-provider"),
        ({"centre_code": None}, "event-missing-field"),
        ({"type": "rated"}, "event-missing-field"),
        ({"type": "rated", "rating": 11}, "event-invalid-value"),
        ({"type": "rated", "rating": "9"}, "event-invalid-value"),
        ({"rating": 9}, "event-field-not-allowed"),
        ({"type": "status_changed"}, "event-missing-field"),
        ({"status": "in_progress"}, "event-field-not-allowed"),
        ({"reason": "неповний пакет"}, "event-field-not-allowed"),
        ({"case_id": "C 1 з пробілом"}, "event-invalid-value"),
        ({"applicant_ref": "3012345678"}, "event-personal-data"),
        ({"applicant_ref": "19900101-12345"}, "event-personal-data"),
        ({"applicant_ref": "AB123456"}, "event-personal-data"),
        ({"type": "refused", "reason": "заявник РНОКПП 3012345678"}, "event-personal-data"),
        ({"email": "x@example.com"}, "event-unknown-field"),
    ],
)
def test_each_bad_event_gets_a_stable_type_and_a_ukrainian_message(
    client, system, world, fields, expected
):
    good = support.event(world, case_id="GOOD")
    bad = {**support.event(world, case_id="BAD"), **fields}
    bad = {name: value for name, value in bad.items() if value is not None}
    response = support.post_events(client, system, [good, bad])
    assert response.status_code == 202, response.content
    result = response.json()
    assert result["accepted"] == 1
    (item,) = result["rejected"]
    assert f"/problems/{expected}" in error_types(item)
    message = " ".join(error["detail"] for error in item["errors"])
    assert any("а" <= ch <= "я" or ch in "іїєґ" for ch in message.lower()), message


def test_out_of_scope_centre_is_refused_but_its_access_points_are_in_scope(client, world):
    scoped = support.new_system(scope=[world.centre.code, world.provider.code])
    point = Centre.objects.filter(parent=world.centre).first() or world.centre
    events = [
        support.event(world, case_id="IN"),
        support.event(world, case_id="POINT", centre_code=point.code),
        support.event(world, case_id="OUT", centre_code=world.other_centre.code),
    ]
    result = support.post_events(client, scoped, events).json()
    assert result["accepted"] == 2
    (item,) = result["rejected"]
    assert item["index"] == 2
    assert error_types(item) == {"/problems/event-out-of-scope"}


def test_online_case_without_centre_and_a_local_council_as_provider_are_accepted(
    client, system, world
):
    council = Organisation.objects.filter(kind="local_gov").first()
    events = [
        support.event(world, case_id="ONLINE", channel="online", centre_code=None),
        support.event(world, case_id="LOCAL", provider_code=council.code),
    ]
    assert support.post_events(client, system, events).json()["accepted"] == 2


def test_resent_event_is_a_duplicate_and_a_changed_one_a_conflict(client, system, world):
    first = support.event(world, case_id="DUP")
    assert support.post_events(client, system, [first]).json()["accepted"] == 1
    changed = dict(first, type="registered")
    result = support.post_events(client, system, [first, changed]).json()
    assert result["accepted"] == 0 and result["duplicates"] == 1
    assert error_types(result["rejected"][0]) == {"/problems/event-conflict"}
    assert result["rejected"][0]["event_id"] == first["event_id"]
    assert Event.objects.filter(system=system.system, case_id="DUP").count() == 1


def test_a_conflict_does_not_hold_back_the_new_events_of_its_batch(client, system, world):
    first = support.event(world, case_id="CONFLICT")
    assert support.post_events(client, system, [first]).json()["accepted"] == 1
    changed = dict(first, occurred_at=(timezone.now() - dt.timedelta(hours=5)).isoformat())
    fresh = support.event(world, case_id="NEW-BESIDE-CONFLICT")
    response = support.post_events(client, system, [fresh, changed, first])
    assert response.status_code == 202
    result = response.json()
    assert (result["accepted"], result["duplicates"]) == (1, 1)
    (item,) = result["rejected"]
    assert item["index"] == 1 and item["event_id"] == first["event_id"]
    assert error_types(item) == {"/problems/event-conflict"}
    assert "іншим вмістом" in item["errors"][0]["detail"]
    assert Event.objects.filter(system=system.system, case_id="NEW-BESIDE-CONFLICT").exists()
    entry = Journal.objects.get(pk=int(response["Yakist-Journal-Id"]))
    assert (entry.accepted, entry.duplicates, entry.rejected) == (1, 1, 1)
    assert entry.rejection_types == {"event-conflict": 1}


def test_two_different_events_under_one_new_id_in_a_batch_keep_the_first(client, system, world):
    first = support.event(world, case_id="TWICE")
    other = dict(first, type="registered")
    result = support.post_events(client, system, [first, other]).json()
    assert (result["accepted"], result["duplicates"]) == (1, 0)
    (item,) = result["rejected"]
    assert item["index"] == 1 and error_types(item) == {"/problems/event-conflict"}
    assert Event.objects.get(system=system.system, case_id="TWICE").type == "submitted"


def test_the_same_event_twice_in_one_batch_is_stored_once(client, system, world):
    same = support.event(world)
    upper = dict(same, event_id=same["event_id"].upper())
    result = support.post_events(client, system, [same, upper]).json()
    assert (result["accepted"], result["duplicates"], result["rejected"]) == (1, 1, [])


def test_the_same_instant_in_another_offset_is_the_same_event(client, system, world):
    moment = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    first = support.event(world, occurred_at=moment.isoformat())
    again = dict(
        first, occurred_at=moment.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
    )
    support.post_events(client, system, [first])
    assert support.post_events(client, system, [again]).json()["duplicates"] == 1


def signed_post(client, system, body: bytes, content_type: str = "application/json"):
    headers = system.sign(body, content_type=content_type)
    headers.pop("Content-Type")
    return client.post(support.EVENTS_URL, data=body, content_type=content_type, headers=headers)


def test_malformed_json_is_refused_and_journalled(client, system):
    response = signed_post(client, system, b'{"events": [ {"event_id": ')
    refused(response, 400, "malformed-json")
    entry = Journal.objects.get(system=system.system)
    assert entry.batch_error == "malformed-json" and entry.accepted == 0


@pytest.mark.parametrize(
    "body", [b'{"events": []}', b'[{"event_id": "x"}]', b'{"events": [], "extra": 1}']
)
def test_a_batch_of_the_wrong_shape_is_refused(client, system, body):
    refused(signed_post(client, system, body), 422, "batch-invalid")


def test_wrong_content_type_is_415(client, system, world):
    body = support.body_of([support.event(world)])
    response = signed_post(client, system, body, content_type="text/plain")
    refused(response, 415, "unsupported-media-type")


def test_more_than_1000_events_is_413(client, system, world):
    events = [support.event(world, case_id=f"C-{i}") for i in range(1001)]
    problem = refused(support.post_events(client, system, events), 413, "batch-too-large")
    assert "1001" in problem["detail"] and "1000" in problem["detail"]
    assert not Event.objects.filter(system=system.system).exists()


@override_settings(API_MAX_BODY_BYTES=2000)
def test_oversize_body_is_413(client, system, world):
    events = [support.event(world, case_id=f"C-{i}") for i in range(20)]
    refused(support.post_events(client, system, events), 413, "payload-too-large")


def test_the_raw_request_is_journalled_with_its_signed_headers(client, system, world):
    body = support.body_of([support.event(world)])
    response = support.post(client, system, body)
    entry = Journal.objects.get(pk=int(response["Yakist-Journal-Id"]))
    assert bytes(entry.body) == body
    assert entry.key_id == system.key_id and entry.nonce
    assert entry.headers["Content-Digest"].startswith("sha-256=:")
    assert "Signature-Input" in entry.headers and entry.headers["@path"] == "/api/v1/events"
    assert entry.processed_at is None  # waiting for the case projection


def test_applicant_reference_is_stored_only_as_a_keyed_pseudonym(client, system, world):
    ref = "vulyk-app-000123"
    support.post_events(client, system, [support.event(world, case_id="P", applicant_ref=ref)])
    stored = Event.objects.get(system=system.system, case_id="P")
    assert stored.applicant_pseudonym == pseudonym(system.system.pk, ref)
    assert ref not in stored.applicant_pseudonym
    other = support.new_system()
    assert pseudonym(other.system.pk, ref) != stored.applicant_pseudonym


def test_a_personal_identifier_is_cut_out_of_the_stored_body(client, system, world):
    events = [support.event(world, case_id="OK"), support.event(world, applicant_ref="3012345678")]
    response = support.post_events(client, system, events)
    assert response.json()["accepted"] == 1
    entry = Journal.objects.get(pk=int(response["Yakist-Journal-Id"]))
    assert entry.redacted
    assert b"3012345678" not in bytes(entry.body)
    assert json.loads(bytes(entry.body))["events"][1]["applicant_ref"] == "[вилучено]"


def test_sandbox_events_are_stored_apart_and_never_counted(client, world):
    sandbox = support.new_system(status="testing")
    ministry = Scope(role=Role.MINISTRY_ANALYST)
    before = case_counters(ministry)
    now = timezone.now()
    events = [support.event(world, case_id="T-1", occurred_at=now.isoformat())]
    assert support.post_events(client, sandbox, events).json()["accepted"] == 1
    assert SandboxEvent.objects.filter(system=sandbox.system).count() == 1
    assert not Event.objects.filter(system=sandbox.system).exists()
    while cases_project_pending()[0]:
        pass
    case = Case.objects.get(system=sandbox.system)
    assert case.sandbox
    assert case_counters(ministry).received_today == before.received_today


def test_events_may_arrive_late(client, system, world):
    long_ago = (timezone.now() - dt.timedelta(days=700)).isoformat()
    event = support.event(world, case_id=f"LATE-{uuid.uuid4().hex[:6]}", occurred_at=long_ago)
    assert support.post_events(client, system, [event]).json()["accepted"] == 1

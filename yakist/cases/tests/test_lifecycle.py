"""The case state machine and the projection of events into case rows."""

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yakist.cases.lifecycle import (
    AFTER_FINAL,
    INCONSISTENT_ATTRIBUTES,
    MISSING_START,
    UNEXPECTED_TRANSITION,
    case_fold,
)
from yakist.cases.models import Case
from yakist.cases.services import cases_project_pending
from yakist.core.periods import KYIV
from yakist.ingest.selectors import EventRow
from yakist.ingest.tests import support
from yakist.registry.models.reference import Centre, ServiceTerm

START = dt.datetime(2025, 11, 3, 9, 0, tzinfo=dt.UTC)


def row(kind: str, hours: float, **fields) -> EventRow:
    values = {
        "case_id": "C",
        "event_id": str(uuid.uuid4()),
        "type": kind,
        "occurred_at": START + dt.timedelta(hours=hours),
        "received_at": START + dt.timedelta(hours=hours, minutes=1),
        "service_id": 1,
        "centre_id": 2,
        "provider_id": 3,
        "channel": "offline",
        "status": "",
        "reason": "",
        "rating": None,
        "applicant_pseudonym": "",
        "journal_id": 1,
    }
    values.update(fields)
    return EventRow(**values)


PATH = [
    row("submitted", 0),
    row("registered", 0.5),
    row("status_changed", 1, status="in_progress"),
    row("suspended", 24, reason="неповний пакет документів"),
    row("resumed", 72),
    row("completed", 120),
    row("issued", 150),
    row("rated", 151, rating=9),
]


def test_a_full_path_ends_issued_with_its_times():
    fold = case_fold(PATH)
    assert fold.status == "issued" and fold.outcome == "issued"
    assert fold.received_at == PATH[0].occurred_at
    assert fold.registered_at == PATH[1].occurred_at
    assert fold.completed_at == fold.done_at == PATH[5].occurred_at
    assert fold.suspensions == [(PATH[3].occurred_at, PATH[4].occurred_at)]
    assert fold.rating == 9 and fold.issues == []


@given(st.permutations(PATH))
def test_arrival_order_does_not_change_the_state(events):
    fold, expected = case_fold(events), case_fold(PATH)
    assert (fold.status, fold.done_at, fold.suspensions, fold.rating, fold.issues) == (
        expected.status,
        expected.done_at,
        expected.suspensions,
        expected.rating,
        expected.issues,
    )


def test_events_at_the_same_instant_follow_the_lifecycle_order():
    same = [row("issued", 5), row("completed", 5), row("registered", 0), row("submitted", 0)]
    assert case_fold(same).status == "issued"
    assert case_fold(same).issues == []


def test_an_impossible_transition_is_applied_and_flagged():
    fold = case_fold([row("submitted", 0), row("completed", 1), row("suspended", 2)])
    assert fold.status == "suspended"
    assert fold.issues == [UNEXPECTED_TRANSITION]
    assert fold.steps[2].issue == UNEXPECTED_TRANSITION


def test_a_change_after_the_final_result_is_kept_flagged_and_ignored():
    fold = case_fold(
        [row("submitted", 0), row("registered", 1), row("refused", 2), row("issued", 3)]
    )
    assert fold.status == "refused"
    assert fold.issues == [AFTER_FINAL]
    assert len(fold.steps) == 4 and fold.steps[-1].after == "refused"


def test_a_case_that_starts_mid_way_is_flagged():
    fold = case_fold([row("completed", 0), row("issued", 1)])
    assert fold.status == "issued" and MISSING_START in fold.issues


def test_events_that_disagree_about_the_case_are_flagged():
    fold = case_fold([row("submitted", 0), row("registered", 1, service_id=99)])
    assert INCONSISTENT_ATTRIBUTES in fold.issues


def test_repeating_the_current_state_is_harmless():
    fold = case_fold([row("submitted", 0), row("registered", 1), row("registered", 2)])
    assert fold.status == "registered" and fold.issues == []


@pytest.mark.django_db
def test_projection_computes_deadline_timeliness_and_place(client):
    world = support.world()
    system = support.new_system()
    term = ServiceTerm.objects.filter(service=world.service).order_by("-effective_from").first()
    point = Centre.objects.filter(parent=world.centre).first()
    received = dt.datetime(2025, 11, 3, 10, 0, tzinfo=KYIV)  # Monday
    events = [
        ("submitted", received, {}),
        ("registered", received + dt.timedelta(minutes=5), {}),
        ("suspended", dt.datetime(2025, 11, 5, 14, 0, tzinfo=KYIV), {"reason": "запит"}),
        ("resumed", dt.datetime(2025, 11, 10, 9, 0, tzinfo=KYIV), {}),
        ("completed", dt.datetime(2025, 12, 25, 12, 0, tzinfo=KYIV), {}),
        ("issued", dt.datetime(2025, 12, 26, 12, 0, tzinfo=KYIV), {}),
        ("rated", dt.datetime(2025, 12, 26, 13, 0, tzinfo=KYIV), {"rating": 4}),
    ]
    payload = [
        support.event(
            world,
            case_id="PROJ-1",
            type=kind,
            occurred_at=at.isoformat(),
            centre_code=(point or world.centre).code,
            **extra,
        )
        for kind, at, extra in events
    ]
    assert support.post_events(client, system, payload).json()["accepted"] == 7
    while cases_project_pending()[0]:
        pass
    case = Case.objects.get(system=system.system, case_id="PROJ-1")
    assert case.status == "issued" and case.outcome == "issued"
    assert case.main_centre_id == world.centre.pk
    assert case.region_id == world.centre.region_id
    assert case.term_value == term.value and case.term_unit == term.unit
    assert case.suspended_seconds == int((events[3][1] - events[2][1]).total_seconds())
    assert case.done_at == events[4][1]
    assert case.on_time is False and case.days_late >= 1
    assert case.rating == 4 and case.event_count == 7
    assert case.due_at.astimezone(KYIV).time() == dt.time(23, 59, 59)


@pytest.mark.django_db
def test_a_suspended_case_has_no_deadline_until_it_resumes(client):
    world = support.world()
    system = support.new_system()
    now = dt.datetime.now(dt.UTC)
    payload = [
        support.event(world, case_id="S-1", occurred_at=(now - dt.timedelta(days=3)).isoformat()),
        support.event(
            world,
            case_id="S-1",
            type="suspended",
            reason="потрібні документи",
            occurred_at=(now - dt.timedelta(days=1)).isoformat(),
        ),
    ]
    support.post_events(client, system, payload)
    while cases_project_pending()[0]:
        pass
    case = Case.objects.get(system=system.system, case_id="S-1")
    assert case.status == "suspended" and case.due_at is None and case.on_time is None

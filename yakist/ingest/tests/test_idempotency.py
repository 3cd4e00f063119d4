"""Idempotency and order independence: 10,000 events sent twice, shuffled, give exactly the
events and the case states of sending them once in order."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from yakist.cases.deadlines import Term
from yakist.cases.models import Case
from yakist.cases.services import cases_project_pending
from yakist.demo.stream import CentreProfile, plan_case
from yakist.ingest.models import Event
from yakist.ingest.tests import support

pytestmark = pytest.mark.django_db

COMPARED = [
    "case_id",
    "service_id",
    "centre_id",
    "provider_id",
    "channel",
    "status",
    "outcome",
    "received_at",
    "registered_at",
    "completed_at",
    "done_at",
    "due_at",
    "on_time",
    "days_late",
    "suspended_seconds",
    "rating",
    "quality_issues",
    "event_count",
]


def ten_thousand_events(world, rng: random.Random) -> list[dict]:
    profile = CentreProfile(
        id=world.centre.pk,
        code=world.centre.code,
        region_code=world.centre.region_id,
        founder_id=None,
        founder_code=None,
        kind="centre",
        weight=1.0,
        late=0.3,
        suspend=0.3,
        refuse=0.1,
        rating_shift=0,
    )
    term = Term(value=10, unit="working_days")
    now = timezone.now()
    events: list[dict] = []
    number = 0
    while len(events) < 10_000:
        number += 1
        received = now - dt.timedelta(days=rng.uniform(1, 200), minutes=rng.uniform(0, 600))
        planned = plan_case(rng, received=received, term=term, channel="offline", profile=profile)
        for step in planned:
            if step.at > now or len(events) == 10_000:
                break
            fields = {"case_id": f"IDEM-{number:05d}", "type": step.type}
            fields["occurred_at"] = step.at.isoformat()
            if step.status:
                fields["status"] = step.status
            if step.reason:
                fields["reason"] = step.reason
            if step.rating is not None:
                fields["rating"] = step.rating
            events.append(support.event(world, **fields))
        if rng.random() < 0.02:
            # Some sending systems get the lifecycle wrong; that must not depend on order.
            events.append(support.event(world, case_id=f"IDEM-{number:05d}", type="resumed"))
    return events[:10_000]


def project() -> None:
    while cases_project_pending()[0]:
        pass


def send(client, system, events: list[dict], *, project_each: bool = False) -> tuple[int, int]:
    """Send in batches of 1000; with `project_each`, the cases are projected after every
    batch, so later batches bring events older than a state already computed."""
    accepted = duplicates = 0
    for start in range(0, len(events), 1000):
        response = support.post_events(client, system, events[start : start + 1000])
        assert response.status_code == 202, response.content[:500]
        result = response.json()
        assert result["rejected"] == []
        accepted += result["accepted"]
        duplicates += result["duplicates"]
        if project_each:
            project()
    return accepted, duplicates


def states(system) -> dict[str, tuple]:
    return {
        row[0]: row[1:] for row in Case.objects.filter(system=system.system).values_list(*COMPARED)
    }


def test_ten_thousand_events_twice_shuffled_equal_once_in_order(client):
    world = support.world()
    rng = random.Random(864)
    events = ten_thousand_events(world, rng)
    in_order = support.new_system()
    shuffled_twice = support.new_system()

    assert send(client, in_order, events) == (10_000, 0)
    first, second = events[:], events[:]
    rng.shuffle(first)
    rng.shuffle(second)
    assert send(client, shuffled_twice, first, project_each=True) == (10_000, 0)
    assert send(client, shuffled_twice, second, project_each=True) == (0, 10_000)
    project()

    assert Event.objects.filter(system=shuffled_twice.system).count() == 10_000
    expected, actual = states(in_order), states(shuffled_twice)
    assert len(expected) > 1500
    assert actual == expected
    statuses = {state[COMPARED.index("status") - 1] for state in expected.values()}
    assert {"issued", "refused", "in_progress"} <= statuses
    assert any(state[COMPARED.index("quality_issues") - 1] for state in expected.values())

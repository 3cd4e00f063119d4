"""The signed door keeps each key and its system between requests (registry.selectors.
system_key_get) only while their rows are unchanged: every change made after a request, even
one that bypasses the services and their signals, holds from the very next request."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yakist.ingest.models import Event, SandboxEvent
from yakist.ingest.tests import support
from yakist.ingest.tests.support import refused
from yakist.registry.models import ConnectedSystem, SystemKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def system():
    return support.new_system()


def accepted(client, system, world, case_id: str) -> None:
    response = support.post_events(client, system, [support.event(world, case_id=case_id)])
    assert response.status_code == 202, response.content


def test_the_key_is_loaded_once_and_then_only_its_row_is_read(client, system):
    world = support.world()
    accepted(client, system, world, "K-1")
    with CaptureQueriesContext(connection) as queries:
        accepted(client, system, world, "K-2")
    key_reads = [q["sql"] for q in queries if SystemKey._meta.db_table in q["sql"]]
    # One plain read of the key's row; the ORM load (a join ordered by id) is not repeated.
    assert len(key_reads) == 1, key_reads
    assert "ORDER BY" not in key_reads[0]


def test_a_key_cut_short_after_use_is_refused_on_the_next_request(client, system):
    world = support.world()
    accepted(client, system, world, "K-3")
    SystemKey.objects.filter(key_id=system.key_id).update(
        valid_until=timezone.now() - dt.timedelta(minutes=1)
    )
    refused(
        support.post(client, system, support.body_of([support.event(world)])),
        401,
        "signature-key-expired",
    )


def test_a_system_suspended_after_use_is_refused_on_the_next_request(client, system):
    world = support.world()
    accepted(client, system, world, "K-4")
    ConnectedSystem.objects.filter(pk=system.system.pk).update(status="suspended")
    refused(
        support.post(client, system, support.body_of([support.event(world)])),
        403,
        "system-suspended",
    )


def test_a_system_moved_to_testing_after_use_writes_to_the_sandbox_next(client, system):
    world = support.world()
    accepted(client, system, world, "K-5")
    ConnectedSystem.objects.filter(pk=system.system.pk).update(status="testing")
    accepted(client, system, world, "K-6")
    assert Event.objects.filter(system=system.system, case_id="K-5").exists()
    assert SandboxEvent.objects.filter(system=system.system, case_id="K-6").exists()
    assert not Event.objects.filter(system=system.system, case_id="K-6").exists()

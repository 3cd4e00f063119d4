"""The journal is the source of truth: a range of it can be processed again."""

import pytest

from yakist.cases.models import Case
from yakist.cases.services import cases_project_pending
from yakist.ingest.models import Event, Journal
from yakist.ingest.tests import support

pytestmark = pytest.mark.django_db


def test_replay_restores_lost_events_and_recomputes_the_cases(client, command):
    world = support.world()
    system = support.new_system()
    first = support.post_events(
        client, system, [support.event(world, case_id="R-1"), support.event(world, case_id="R-2")]
    )
    second = support.post_events(
        client, system, [support.event(world, case_id="R-1", type="registered")]
    )
    while cases_project_pending()[0]:
        pass
    ids = [int(first["Yakist-Journal-Id"]), int(second["Yakist-Journal-Id"])]
    # Events lost (e.g. an older backup of the event table restored); the journal survives.
    Event.objects.filter(system=system.system).delete()
    Case.objects.filter(system=system.system, case_id="R-1").update(status="submitted")

    output = command("events", "replay", "--from", str(min(ids)), "--to", str(max(ids)))
    assert "відновлено подій: 3" in output
    assert Event.objects.filter(system=system.system).count() == 3
    assert Case.objects.get(system=system.system, case_id="R-1").status == "registered"
    assert not Journal.objects.filter(pk__in=ids, processed_at__isnull=True).exists()

    again = command("events", "replay", "--ids", ",".join(map(str, ids)))
    assert "відновлено подій: 0" in again


def test_work_once_projects_what_was_acknowledged(client, command):
    world = support.world()
    system = support.new_system()
    support.post_events(client, system, [support.event(world, case_id="W-1")])
    assert not Case.objects.filter(system=system.system).exists()
    command("events", "work", "--once", "--quiet")
    assert Case.objects.get(system=system.system, case_id="W-1").status == "submitted"

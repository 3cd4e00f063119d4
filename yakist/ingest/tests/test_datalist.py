"""The data list of a connection agreement (Order 145 p.5) applied per event; a system on an
application basis (ПК ЦНАП «Вулик» via СЕВ ОВВ) is checked against the common schema."""

import pytest

from yakist.ingest.datalist import data_list_set
from yakist.ingest.models import Journal
from yakist.ingest.tests import support
from yakist.registry.models import ConnectedSystem

pytestmark = pytest.mark.django_db


def agreed_system(**list_options):
    system = support.new_system()
    ConnectedSystem.objects.filter(pk=system.system.pk).update(
        basis="agreement", agreement_number="ДП-17/2026"
    )
    system.system.refresh_from_db()
    data_list_set(system=system.system, **list_options)
    return system


def test_a_field_outside_the_agreement_is_refused_per_event(client):
    world = support.world()
    system = agreed_system(event_types=["submitted", "rated"], fields=["centre_code"])
    events = [
        support.event(world, case_id="A-1"),
        support.event(world, case_id="A-2", applicant_ref="ref-00000001"),
        support.event(world, case_id="A-3", type="rated", rating=9),
        support.event(world, case_id="A-4", type="issued"),
    ]
    result = support.post_events(client, system, events).json()
    assert result["accepted"] == 1
    rejected = {item["index"]: item["errors"] for item in result["rejected"]}
    assert rejected[1][0]["type"] == "/problems/event-outside-agreement"
    assert rejected[1][0]["field"] == "applicant_ref"
    assert {e["field"] for e in rejected[2]} == {"rating"}
    assert rejected[3][0]["field"] == "type" and "версія 1" in rejected[3][0]["detail"]
    assert Journal.objects.get(system=system.system).data_list_version == 1


def test_a_required_field_of_the_agreement_is_enforced(client):
    world = support.world()
    system = agreed_system(
        event_types=[], fields=["centre_code", "applicant_ref"], required=["applicant_ref"]
    )
    result = support.post_events(client, system, [support.event(world)]).json()
    assert result["rejected"][0]["errors"][0]["type"] == "/problems/event-missing-field"
    assert result["rejected"][0]["errors"][0]["field"] == "applicant_ref"


def test_a_changed_list_is_a_new_version_and_events_keep_theirs(client):
    world = support.world()
    system = agreed_system(event_types=[], fields=["centre_code"])
    support.post_events(client, system, [support.event(world, case_id="V-1")])
    same = data_list_set(system=system.system, event_types=[], fields=["centre_code"])
    assert same.version == 1
    changed = data_list_set(system=system.system, event_types=[], fields=["centre_code", "reason"])
    assert changed.version == 2
    support.post_events(client, system, [support.event(world, case_id="V-2")])
    versions = list(
        Journal.objects.filter(system=system.system)
        .order_by("pk")
        .values_list("data_list_version", flat=True)
    )
    assert versions == [1, 2]
    system.system.refresh_from_db()
    assert system.system.agreement_data_version == "2"


def test_a_system_on_an_application_basis_is_accepted_without_an_agreement(client):
    world = support.world()
    system = support.new_system()
    ConnectedSystem.objects.filter(pk=system.system.pk).update(basis="application")
    event = support.event(world, applicant_ref="vulyk-0000042", reason=None)
    result = support.post_events(client, system, [event]).json()
    assert result["accepted"] == 1
    assert Journal.objects.get(system=system.system).data_list_version is None

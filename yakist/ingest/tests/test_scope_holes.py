"""Connection scope (issue 11, hole 6): an event is accepted only when its centre and its
provider are both in the sending system's scope; "any centre" is an explicit, audited mark."""

import pytest

from yakist.accounts.models import AuditEntry
from yakist.ingest.tests import support
from yakist.registry.models.reference import Organisation
from yakist.registry.services import system_scope_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return support.world()


def other_provider(world) -> Organisation:
    return (
        Organisation.objects.filter(kind="provider")
        .exclude(pk=world.provider.pk)
        .exclude(pk=world.provider.parent_id)
        .exclude(parent=world.provider.parent_id)
        .first()
    )


def test_hole_06_provider_scoped_system_cannot_file_for_any_centre(client, world):
    system = support.new_system(scope=[world.provider.code])
    events = [
        support.event(world, case_id="AT-A-CENTRE"),
        support.event(world, case_id="ONLINE", centre_code=None, channel="online"),
    ]
    result = support.post_events(client, system, events).json()
    assert result["accepted"] == 1  # only the online case, which names no centre
    (item,) = result["rejected"]
    assert item["index"] == 0
    (error,) = item["errors"]
    assert error["type"] == "/problems/event-out-of-scope"
    assert error["field"] == "centre_code"
    assert world.centre.code in error["detail"] and support.ukrainian(error["detail"])


def test_hole_06_centre_scoped_system_cannot_file_for_a_provider_outside_its_scope(client, world):
    system = support.new_system(scope=[world.centre.code, world.provider.code])
    stranger = other_provider(world)
    events = [
        support.event(world, case_id="OWN"),
        support.event(world, case_id="FOREIGN", provider_code=stranger.code),
    ]
    result = support.post_events(client, system, events).json()
    assert result["accepted"] == 1
    (item,) = result["rejected"]
    assert item["index"] == 1
    assert [(e["type"], e["field"]) for e in item["errors"]] == [
        ("/problems/event-out-of-scope", "provider_code")
    ]


def test_hole_06_any_centre_mark_is_explicit_audited_and_keeps_the_provider_limit(client, world):
    system = support.new_system(scope=[world.provider.code])
    system_scope_set(system=system.system, scope=[world.provider.code], any_centre=True)
    entry = AuditEntry.objects.get(action="system_scope", object_id=str(system.system.pk))
    assert entry.changes == {"scope_any_centre": [False, True]}
    support.lookups.lookups_clear()
    stranger = other_provider(world)
    events = [
        support.event(world, case_id="ANYWHERE", centre_code=world.other_centre.code),
        support.event(world, case_id="NOT-MINE", provider_code=stranger.code),
    ]
    result = support.post_events(client, system, events).json()
    assert result["accepted"] == 1
    assert [e["field"] for e in result["rejected"][0]["errors"]] == ["provider_code"]

    system_scope_set(system=system.system, scope=[world.provider.code], any_centre=False)
    cleared = AuditEntry.objects.filter(action="system_scope").order_by("-pk").first()
    assert cleared.changes == {"scope_any_centre": [True, False]}


def test_national_system_with_scope_all_still_files_for_any_centre_and_provider(client, world):
    system = support.new_system(scope=None)
    result = support.post_events(
        client,
        system,
        [support.event(world, centre_code=world.other_centre.code)],
    ).json()
    assert result["accepted"] == 1

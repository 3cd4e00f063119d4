"""The demo stream (built by the test world): realistic, scoped, and through the pipeline."""

from collections import Counter

import pytest
from django.db.models import Q

from yakist.cases.models import Case
from yakist.ingest.models import Journal, SandboxEvent
from yakist.registry.models import ConnectedSystem
from yakist.registry.models.reference import Centre

pytestmark = pytest.mark.django_db


def reach(system: ConnectedSystem) -> set[int]:
    scoped = set(system.scope_centres.values_list("pk", flat=True))
    points = Centre.objects.filter(parent_id__in=scoped).values_list("pk", flat=True)
    return scoped | set(points)


def test_only_centres_in_a_systems_scope_get_its_events():
    cases = Case.objects.filter(sandbox=False)
    assert cases.count() > 200
    for system in ConnectedSystem.objects.filter(scope_all=False):
        centres = set(cases.filter(system=system).values_list("centre_id", flat=True))
        assert centres <= reach(system), system.name


def test_centres_outside_every_connection_scope_have_no_cases():
    connected = set().union(*(reach(s) for s in ConnectedSystem.objects.filter(scope_all=False)))
    not_connected = Centre.objects.exclude(pk__in=connected)
    assert not_connected.exists()
    assert not Case.objects.filter(centre__in=not_connected).exists()


def test_the_provider_registry_reports_online_cases_without_a_centre():
    registry = ConnectedSystem.objects.get(scope_all=True)
    online = Case.objects.filter(system=registry)
    assert online.exists()
    assert not online.filter(Q(centre__isnull=False) | ~Q(channel="online")).exists()


def test_sandbox_events_and_cases_stay_apart():
    sandbox = ConnectedSystem.objects.get(status="testing")
    assert SandboxEvent.objects.filter(system=sandbox).exists()
    assert not Case.objects.filter(system=sandbox, sandbox=False).exists()
    assert Journal.objects.filter(system=sandbox, sandbox=True).exists()


def test_the_year_looks_like_real_work():
    cases = Case.objects.filter(sandbox=False)
    statuses = Counter(cases.values_list("status", flat=True))
    assert {"issued", "refused", "in_progress"} <= set(statuses)
    assert cases.filter(on_time=False).exists() and cases.filter(on_time=True).exists()
    assert cases.filter(suspended_seconds__gt=0).exists()
    ratings = list(cases.exclude(rating=None).values_list("rating", flat=True))
    assert ratings and sum(r >= 9 for r in ratings) / len(ratings) > 0.5

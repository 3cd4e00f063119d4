"""Shared fixtures of the static-monitoring tests: the demo's people and the centre's report."""

import pytest

from yakist.statmon.tests.factories import current_report, own_centre


@pytest.fixture
def people(django_user_model):
    users = django_user_model.objects.select_related("staff_profile")
    return {name: users.get(username=name) for name in ("centre", "coordinator", "ministry")}


@pytest.fixture
def report(people):
    return current_report(own_centre(people["centre"]))

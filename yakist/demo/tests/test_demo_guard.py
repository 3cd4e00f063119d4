"""`yakist demo` refuses to run outside demo mode or on a database with real data (issue 11,
hole 11): it would create logins with the published demo password and systems whose keys
anyone can derive."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from yakist.core.models import DemoStep
from yakist.demo.runner import non_demo_data

pytestmark = pytest.mark.django_db


def test_hole_11_demo_refuses_to_run_unless_demo_mode_is_on(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="YAKIST_DEMO=1"):
        call_command("demo", "--only", "yakist.none")
    assert not DemoStep.objects.exists()


def test_hole_11_demo_refuses_a_database_it_did_not_fill(settings):
    settings.DEMO_MODE = True
    # The test world was built without the demo command: no step is recorded, so its
    # centres and accounts count as real data.
    with pytest.raises(CommandError, match="не демо-генератором"):
        call_command("demo", "--only", "yakist.none")
    assert not DemoStep.objects.exists()


def test_hole_11_a_rerun_on_the_demos_own_database_is_allowed_but_not_with_a_real_account(
    settings,
):
    for name in settings.DEMO_STEPS:
        DemoStep.objects.create(name=name, seed=1)
    # Only the demo's own logins and systems (plus what hangs off them): allowed.
    get_user_model().objects.exclude(
        username__in=["ministry", "coordinator", "centre", "provider", "integrator", "auditor"]
    ).delete()
    assert non_demo_data() == []
    get_user_model().objects.create_user("real.official", password="x" * 20)
    assert non_demo_data() == ["облікові записи: 1"]

"""Problems detected by the indicators' refresh: no one types them, and none is added twice."""

import pytest

from yakist.core.periods import Period
from yakist.improvement.models import Problem
from yakist.improvement.tests.conftest import put
from yakist.indicators.models import DirtyPeriod
from yakist.indicators.services import dirty_mark_each, indicators_refresh
from yakist.registry.models.reference import Centre

QUARTER = Period(2025, 3)


@pytest.fixture
def outlier_quarter(db):
    """Compliance of every main centre in a quarter, one of them far below all its peers.
    Marks the world left for later refreshes are cleared: each refresh here is of this quarter."""
    DirtyPeriod.objects.all().delete()
    centres = list(
        Centre.objects.filter(kind=Centre.Kind.CENTRE, parent__isnull=True).order_by("code")
    )
    for index, centre in enumerate(centres):
        put("offline_compliance", centre.code, QUARTER, 0.80 + (index % 10) / 100, n=1)
    low = centres[len(centres) // 2]
    put("offline_compliance", low.code, QUARTER, 0.05, n=1)
    return low, centres


def _refresh_touching(centre):
    dirty_mark_each(centres={(centre.pk, QUARTER.code)})
    return indicators_refresh()


def _outliers(centre):
    return Problem.objects.filter(
        kind=Problem.Kind.OUTLIER,
        subject_key=centre.code,
        indicator_code="offline_compliance",
    )


@pytest.mark.django_db
def test_outlier_appears_after_a_refresh_and_only_once(outlier_quarter):
    low, centres = outlier_quarter
    other = next(c for c in centres if c.pk != low.pk)
    assert not _outliers(low).exists()
    reports = _refresh_touching(other)
    assert [r.period for r in reports] == [QUARTER.code]
    found = _outliers(low).get()
    assert found.status == Problem.Status.NEW and found.detected
    assert found.created_by is None  # nobody typed it
    assert found.evidence["value"] == pytest.approx(0.05)
    assert found.region_id == low.region_id
    _refresh_touching(other)
    assert _outliers(low).count() == 1


@pytest.mark.django_db
def test_a_closed_problem_can_be_detected_again(outlier_quarter):
    low, centres = outlier_quarter
    other = next(c for c in centres if c.pk != low.pk)
    _refresh_touching(other)
    Problem.objects.filter(pk=_outliers(low).get().pk).update(status="not_confirmed")
    _refresh_touching(other)
    assert _outliers(low).count() == 2
    assert _outliers(low).filter(status="new").count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_problem_with_the_same_key(lviv_centres):
    from django.db import IntegrityError, transaction

    centre = lviv_centres[0]
    fields = {
        "kind": "outlier",
        "subject_type": "centre",
        "subject_key": centre.code,
        "subject_name": centre.name,
        "title": "t",
        "owner": "o",
        "detection_key": f"outlier:centre:{centre.code}:timeliness",
    }
    Problem.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.create(**fields)

"""Fixtures of the portal tests: results for a few subjects, published through the services."""

import pytest
from django.contrib.auth import get_user_model

from yakist.accounts.scope import scope_of
from yakist.core.periods import Period
from yakist.portal import services, sources
from yakist.portal.tests import factories

YEAR = Period(2025)
QUARTER = Period(2025, 4)
LVIV = "UA46000000000026241"
VOLYN = "UA07000000000024379"


@pytest.fixture(autouse=True)
def no_world_publications(db):
    """The test world publishes its own reports in its demo step; the portal's tests start from
    none, so that every publication they see is one they made."""
    from yakist.portal.models import Publication, ReminderSent, SubjectLink

    ReminderSent.objects.all().delete()
    Publication.objects.filter(supersedes__isnull=False).delete()
    Publication.objects.all().delete()
    SubjectLink.objects.all().delete()


@pytest.fixture
def ministry(db):
    user = get_user_model().objects.get(username="ministry")
    return user, scope_of(user)


@pytest.fixture
def lviv_centres(db):
    """Two Lviv centres and one Volyn centre, as portal subjects."""
    lviv = sources.subjects_all(types=["centre"], region=LVIV)[:2]
    volyn = sources.subjects_all(types=["centre"], region=VOLYN)[:1]
    return [*lviv, *volyn]


@pytest.fixture
def world(db, lviv_centres):
    """Results of the year and the quarter for three centres, their regions and the nation."""
    subjects = [
        *lviv_centres,
        sources.subject_get("region", LVIV),
        sources.subject_get("region", VOLYN),
        sources.NATION,
    ]
    refs = [s.ref for s in subjects]
    factories.results(period=YEAR, subjects=refs)
    factories.results(period=QUARTER, subjects=refs)
    factories.ratings(period=YEAR, keys=[s.key for s in lviv_centres])
    return subjects


def publish(subject, period, ministry_pair, *, reason=""):
    """Prepare, approve and publish one report as the ministry."""
    user, scope = ministry_pair
    publication = services.publication_prepare(
        subject=subject, period=period, scope=scope, actor=user, reason=reason
    )
    services.publication_approve(publication=publication, scope=scope, actor=user)
    return services.publication_publish(publication=publication, scope=scope, actor=user)

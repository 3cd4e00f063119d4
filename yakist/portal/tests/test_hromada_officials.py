"""Officials of a hromada's council (ОМС) or military administration see and approve only
their hromada's publications; the oblast sees them and approves only for a hromada with no
official (Resolution 864 p.3(3)–(4))."""

import pytest

from yakist.accounts.enums import Role
from yakist.accounts.scope import scope_of
from yakist.accounts.services import staff_user_create
from yakist.core.problems import Forbidden
from yakist.portal import selectors, services, sources
from yakist.portal.tests import factories
from yakist.portal.tests.conftest import LVIV, YEAR
from yakist.registry.models.reference import Organisation, Territory

pytestmark = pytest.mark.django_db


def official(role: str, hromada_code: str, username: str):
    kind = {
        Role.LOCAL_GOV_OFFICIAL: Organisation.Kind.LOCAL_GOVERNMENT,
        Role.MILITARY_ADMIN_OFFICIAL: Organisation.Kind.MILITARY_ADMINISTRATION,
    }[role]
    hromada = Territory.objects.get(code=hromada_code)
    body = Organisation.objects.create(
        code=f"T-{username}",
        kind=kind,
        name=f"Орган {hromada.name}",
        territory=hromada,
        region_id=hromada.region_id,
    )
    user = staff_user_create(username=username, password=None, role=role, organisation=body)
    return user, scope_of(user)


@pytest.fixture
def hromadas(db):
    found = sources.subjects_all(types=["hromada"], region=LVIV)[:2]
    factories.results(period=YEAR, subjects=[s.ref for s in found])
    return found


@pytest.mark.parametrize("role", [Role.LOCAL_GOV_OFFICIAL, Role.MILITARY_ADMIN_OFFICIAL])
def test_a_hromada_official_approves_only_its_own_hromada(role, hromadas, ministry):
    own, other = hromadas
    user, scope = official(role, own.key, "hromada-official")
    assert scope.hromada_code == own.key
    mine = services.publication_prepare(subject=own, period=YEAR, scope=scope, actor=user)
    services.publication_approve(publication=mine, scope=scope, actor=user)
    theirs = services.publication_prepare(
        subject=other, period=YEAR, scope=ministry[1], actor=ministry[0]
    )
    with pytest.raises(Forbidden):
        services.publication_approve(publication=theirs, scope=scope, actor=user)
    visible = set(selectors.publications_for(scope).values_list("pk", flat=True))
    assert mine.pk in visible and theirs.pk not in visible


def test_the_oblast_sees_but_does_not_approve_a_hromada_with_its_own_official(hromadas, ministry):
    own, without_official = hromadas
    official(Role.LOCAL_GOV_OFFICIAL, own.key, "omc-official")
    coordinator = staff_user_create(
        username="lviv-coord",
        password=None,
        role=Role.REGIONAL_COORDINATOR,
        region=Territory.objects.get(code=LVIV),
    )
    scope = scope_of(coordinator)
    first = services.publication_prepare(
        subject=own, period=YEAR, scope=ministry[1], actor=ministry[0]
    )
    with pytest.raises(Forbidden):
        services.publication_approve(publication=first, scope=scope, actor=coordinator)
    assert selectors.publications_for(scope).filter(pk=first.pk).exists()
    second = services.publication_prepare(
        subject=without_official, period=YEAR, scope=scope, actor=coordinator
    )
    services.publication_approve(publication=second, scope=scope, actor=coordinator)

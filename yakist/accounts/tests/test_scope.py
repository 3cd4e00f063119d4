"""Least privilege: each scoped role sees only its part of the registry, in queries and pages."""

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape

from yakist.accounts.enums import Role
from yakist.accounts.scope import scope_of
from yakist.accounts.services import staff_user_create
from yakist.registry import selectors
from yakist.registry.models import ConnectedSystem
from yakist.registry.models.reference import Centre, Organisation, Territory

pytestmark = pytest.mark.django_db

LVIV = "UA46000000000026241"
VOLYN = "UA07000000000024379"


def test_ministry_analyst_and_auditor_see_the_whole_country(django_user_model):
    total = Centre.objects.count()
    for username in ("ministry", "auditor"):
        user = django_user_model.objects.get(username=username)
        assert selectors.centres_for(scope_of(user)).count() == total


def test_regional_coordinator_sees_only_its_oblast(django_user_model):
    coordinator = django_user_model.objects.get(username="coordinator")
    visible = selectors.centres_for(scope_of(coordinator))
    assert visible.count() == Centre.objects.filter(region_id=LVIV).count() > 0
    assert set(visible.values_list("region_id", flat=True)) == {LVIV}


def test_centre_admin_sees_its_centre_and_its_access_points_only(django_user_model):
    admin = django_user_model.objects.get(username="centre")
    own = admin.staff_profile.centre
    visible = set(selectors.centres_for(scope_of(admin)).values_list("pk", flat=True))
    expected = {own.pk} | set(own.access_points.values_list("pk", flat=True))
    assert visible == expected


def test_provider_officer_sees_no_centres_and_only_its_own_provider(django_user_model):
    officer = django_user_model.objects.get(username="provider")
    scope = scope_of(officer)
    assert selectors.centres_for(scope).count() == 0
    assert list(selectors.providers_for(scope)) == [officer.staff_profile.organisation]


def test_integrator_sees_the_centres_its_system_reports_for(django_user_model):
    integrator = django_user_model.objects.get(username="integrator")
    system = integrator.staff_profile.system
    visible = set(selectors.centres_for(scope_of(integrator)).values_list("pk", flat=True))
    assert visible == set(system.scope_centres.values_list("pk", flat=True))
    assert list(selectors.systems_for(scope_of(integrator))) == [system]


def test_user_without_profile_sees_nothing(django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x" * 12)
    assert selectors.centres_for(scope_of(user)).count() == 0
    assert selectors.systems_for(scope_of(user)).count() == 0


def test_coordinator_gets_404_for_a_centre_of_another_oblast(client, login):
    login("coordinator")
    foreign = Centre.objects.filter(region_id=VOLYN).first()
    own = Centre.objects.filter(region_id=LVIV).first()
    assert client.get(f"/registry/centres/{own.code}/").status_code == 200
    assert client.get(f"/registry/centres/{foreign.code}/").status_code == 404


def test_coordinator_list_page_never_shows_another_oblast(client, login):
    login("coordinator")
    response = client.get("/registry/centres/", {"region": VOLYN})
    assert response.status_code == 200
    assert response.context["total"] == 0


def test_centre_admin_cannot_open_a_neighbour_centre(client, login):
    user = login("centre")
    neighbour = (
        Centre.objects.filter(region_id=LVIV, kind="centre")
        .exclude(pk=user.staff_profile.centre_id)
        .first()
    )
    assert client.get(f"/registry/centres/{neighbour.code}/").status_code == 404


def test_each_demo_role_has_a_home_page_naming_its_role(client, login):
    for username in ("ministry", "coordinator", "centre", "provider", "integrator", "auditor"):
        user = login(username)
        response = client.get("/accounts/")
        assert response.status_code == 200
        assert escape(str(Role(user.staff_profile.role).label)) in response.content.decode()
        client.logout()


def test_a_scope_is_required_by_the_database_for_scoped_roles():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        staff_user_create(username="loose", password="p" * 12, role=Role.REGIONAL_COORDINATOR)


def test_only_national_roles_read_the_audit_log(client, login):
    login("coordinator")
    assert client.get("/accounts/audit/").status_code == 403
    client.logout()
    login("auditor")
    assert client.get("/accounts/audit/").status_code == 200


def test_only_the_ministry_imports_the_registry(client, login):
    login("coordinator")
    assert client.get("/registry/import/").status_code == 403
    assert client.get("/registry/export/centres.csv").status_code == 403


def test_new_scoped_user_for_volyn_does_not_see_lviv(django_user_model):
    user = staff_user_create(
        username="volyn",
        password="p" * 12,
        role=Role.REGIONAL_COORDINATOR,
        region=Territory.objects.get(code=VOLYN),
    )
    regions = set(selectors.centres_for(scope_of(user)).values_list("region_id", flat=True))
    assert regions == {VOLYN}
    assert Organisation.objects.filter(kind="provider").exists()
    assert ConnectedSystem.objects.exists()


def test_a_region_on_a_centre_admins_profile_widens_nothing(client, login, django_user_model):
    admin = django_user_model.objects.get(username="centre")
    profile = admin.staff_profile
    profile.region_id = LVIV  # e.g. left over from an earlier role
    profile.save()
    admin = django_user_model.objects.get(username="centre")
    scope = scope_of(admin)
    assert scope.region_code is None
    own = profile.centre
    visible = set(selectors.centres_for(scope).values_list("pk", flat=True))
    assert visible == {own.pk} | set(own.access_points.values_list("pk", flat=True))
    login("centre")
    # The regional roll-up export is for coordinators and the ministry only.
    assert client.get(reverse("statmon:export", args=["2026Q3", "csv"])).status_code == 403


def _expected_systems(username: str, django_user_model) -> set[str]:
    """Which connected systems a demo login should see, worked out from the data itself."""
    profile = django_user_model.objects.get(username=username).staff_profile
    systems = ConnectedSystem.objects.all()
    if profile.role == Role.SYSTEM_INTEGRATOR:
        systems = systems.filter(pk=profile.system_id)
    elif profile.role == Role.REGIONAL_COORDINATOR:
        systems = systems.filter(Q(scope_all=True) | Q(scope_centres__region_id=profile.region_id))
    elif profile.role == Role.CENTRE_ADMIN:
        own = Q(scope_centres=profile.centre_id) | Q(scope_centres__parent=profile.centre_id)
        systems = systems.filter(Q(scope_all=True) | own)
    elif profile.role == Role.PROVIDER_OFFICER:
        systems = systems.filter(Q(scope_all=True) | Q(scope_providers=profile.organisation_id))
    return set(systems.values_list("name", flat=True))


@pytest.mark.parametrize(
    "username", ["ministry", "coordinator", "centre", "provider", "integrator", "auditor"]
)
def test_each_role_sees_only_its_connected_systems(client, login, django_user_model, username):
    login(username)
    response = client.get("/registry/systems/")
    assert response.status_code == 200
    shown = {system.name for system in response.context["systems"]}
    assert shown == _expected_systems(username, django_user_model)
    hidden = set(ConnectedSystem.objects.values_list("name", flat=True)) - shown
    page = response.content.decode()
    assert not any(escape(name) in page for name in hidden)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("coordinator", lambda user: Centre.objects.filter(region_id=LVIV)),
        (
            "centre",
            lambda user: Centre.objects.filter(
                Q(pk=user.staff_profile.centre_id) | Q(parent=user.staff_profile.centre_id)
            ),
        ),
        ("provider", lambda user: Centre.objects.none()),
        (
            "integrator",
            lambda user: (
                Centre.objects.all()
                if user.staff_profile.system.scope_all
                else user.staff_profile.system.scope_centres.all()
            ),
        ),
    ],
)
def test_each_scoped_role_lists_only_its_centres(client, login, username, expected):
    user = login(username)
    response = client.get("/registry/centres/")
    assert response.status_code == 200
    assert response.context["total"] == expected(user).count()
    allowed = set(expected(user).values_list("code", flat=True))
    assert {centre.code for centre in response.context["page"]} <= allowed
    outside = Centre.objects.exclude(code__in=allowed).first()
    assert client.get(f"/registry/centres/{outside.code}/").status_code == 404

"""Staff views of cases and systems: scope by role, the audited timeline, the live pages."""

import datetime as dt

import pytest
from django.utils import timezone

from yakist.accounts.models import AuditEntry
from yakist.accounts.scope import scope_of
from yakist.cases import selectors
from yakist.cases.deadlines import Term, deadline_compute
from yakist.cases.models import Case
from yakist.cases.services import cases_project_pending
from yakist.ingest.tests import support
from yakist.registry.models.reference import Centre, Organisation, ServiceTerm

pytestmark = pytest.mark.django_db

LVIV = "UA46000000000026241"
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def cases(client, django_user_model):
    """One case at the demo centre admin's centre, one elsewhere in Lviv oblast, one in
    another oblast; the first for the demo provider officer's organisation."""
    admin = django_user_model.objects.get(username="centre")
    own = admin.staff_profile.centre
    officer_org = django_user_model.objects.get(username="provider").staff_profile.organisation
    lviv_other = Centre.objects.filter(region_id=LVIV, kind="centre").exclude(pk=own.pk).first()
    elsewhere = Centre.objects.exclude(region_id=LVIV).filter(kind="centre").first()
    other_provider = Organisation.objects.filter(kind="provider").exclude(pk=officer_org.pk).first()
    world = support.world()
    system = support.new_system()
    now = timezone.now()
    plan = [
        ("OWN", own, officer_org),
        ("LVIV", lviv_other, other_provider),
        ("ELSEWHERE", elsewhere, other_provider),
    ]
    events = [
        support.event(
            world,
            case_id=case_id,
            centre_code=centre.code,
            provider_code=provider.code,
            occurred_at=(now - dt.timedelta(hours=2)).isoformat(),
        )
        for case_id, centre, provider in plan
    ]
    assert support.post_events(client, system, events).json()["accepted"] == 3
    while cases_project_pending()[0]:
        pass
    return {c.case_id: c for c in Case.objects.filter(system=system.system)}


def visible(username, django_user_model, cases) -> set[str]:
    scope = scope_of(django_user_model.objects.get(username=username))
    ids = [c.pk for c in cases.values()]
    return set(selectors.cases_for(scope).filter(pk__in=ids).values_list("case_id", flat=True))


def test_a_centre_administrator_sees_only_its_own_centres_cases(cases, django_user_model):
    assert visible("centre", django_user_model, cases) == {"OWN"}


def test_a_regional_coordinator_sees_only_its_oblasts_cases(cases, django_user_model):
    assert visible("coordinator", django_user_model, cases) == {"OWN", "LVIV"}


def test_a_provider_officer_sees_only_its_organisations_cases(cases, django_user_model):
    assert visible("provider", django_user_model, cases) == {"OWN"}


def test_the_ministry_sees_every_case(cases, django_user_model):
    assert visible("ministry", django_user_model, cases) == {"OWN", "LVIV", "ELSEWHERE"}


def test_an_integrator_sees_only_its_systems_cases(cases, django_user_model):
    assert visible("integrator", django_user_model, cases) == set()


def test_a_case_out_of_scope_is_not_found_on_its_page(cases, login, client):
    login("centre")
    assert client.get(f"/cases/{cases['LVIV'].pk}/").status_code == 404
    assert client.get(f"/cases/{cases['OWN'].pk}/").status_code == 200


def test_the_centre_list_page_shows_only_own_cases(cases, login, client):
    login("centre")
    page = client.get("/cases/list/").content.decode()
    assert "OWN" in page and "ELSEWHERE" not in page and ">LVIV<" not in page


def test_opening_a_case_timeline_is_audited(cases, login, client):
    user = login("coordinator")
    case = cases["LVIV"]
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Історія справи" in page and "submitted" in page
    entry = AuditEntry.objects.get(action="case_view", object_id=str(case.pk))
    assert entry.actor == user


@pytest.mark.parametrize(
    "username", ["ministry", "coordinator", "centre", "provider", "integrator", "auditor"]
)
def test_monitoring_pages_open_for_every_role(cases, login, client, username):
    login(username)
    for path in ("/accounts/", "/cases/", "/cases/list/", "/cases/at-risk/", "/ingest/systems/"):
        response = client.get(path)
        assert response.status_code == 200, (path, username)
    home = client.get("/accounts/").content.decode()
    assert "Динамічний моніторинг справ" in home


def test_case_search_filters_by_code_status_and_period(cases, login, client):
    login("ministry")
    own = cases["OWN"]
    found = client.get(
        "/cases/list/",
        {"centre": own.centre.code, "status": "submitted", "from": timezone.now().date()},
    ).content.decode()
    assert "OWN" in found and "ELSEWHERE" not in found
    none = client.get("/cases/list/", {"status": "issued", "q": "OWN"}).content.decode()
    assert "Справ не знайдено" in none


def test_counters_count_todays_cases(cases, django_user_model):
    scope = scope_of(django_user_model.objects.get(username="ministry"))
    # "Today" is the Kyiv day of the fixture's cases: two hours before a late-evening run
    # may still be yesterday in Kyiv, so the clock is set just after they arrived.
    arrived = max(case.received_at for case in cases.values())
    counters = selectors.case_counters(scope, now=arrived + dt.timedelta(minutes=1))
    assert counters.received_week >= counters.received_today >= 3


def test_systems_monitor_shows_activity_and_rejection_reasons(client, login):
    world = support.world()
    system = support.new_system()
    events = [support.event(world), support.event(world, service_code="NOPE")]
    support.post_events(client, system, events)
    from yakist.accounts.enums import Role
    from yakist.accounts.scope import Scope
    from yakist.ingest.selectors import systems_activity

    (activity,) = [
        a for a in systems_activity(Scope(role=Role.MINISTRY_ANALYST)) if a.system == system.system
    ]
    assert activity.last_received_at is not None
    assert activity.events_last_hour == 2 and activity.rejected_week == 1
    assert activity.top_reasons == [("event-unknown-service", 1)]
    assert not activity.silent
    login("ministry")
    page = client.get(f"/ingest/systems/{system.system.pk}/").content.decode()
    assert "Невідома послуга" in page


def test_a_system_quiet_for_longer_than_its_usual_gap_is_silent(client, login):
    from yakist.accounts.enums import Role
    from yakist.accounts.scope import Scope
    from yakist.ingest.models import Journal
    from yakist.ingest.selectors import systems_activity

    system = support.new_system()
    now = timezone.now()
    for hours_ago in (30, 29, 28, 27, 26):
        Journal.objects.create(
            system=system.system,
            received_at=now - dt.timedelta(hours=hours_ago),
            body=b"",
            event_count=10,
            accepted=10,
            processed_at=now,
        )
    (activity,) = [
        a for a in systems_activity(Scope(role=Role.MINISTRY_ANALYST)) if a.system == system.system
    ]
    assert activity.usual_gap == dt.timedelta(hours=1)
    assert activity.silent
    login("ministry")
    page = client.get("/ingest/systems/").content.decode()
    row = page[page.index(system.system.name) :]
    assert "замовкла" in row[: row.index("</th>")]
    home = client.get("/accounts/").content.decode()
    assert system.system.name in home


def test_an_integrator_sees_its_own_sandbox_cases_and_nobody_elses(
    client, login, django_user_model
):
    world = support.world()
    own = support.new_system(status="testing")
    other = support.new_system(status="testing")
    for system, case_id in ((own, "SANDBOX-OWN"), (other, "SANDBOX-OTHER")):
        event = support.event(world, case_id=case_id, centre_code=world.centre.code)
        assert support.post_events(client, system, [event]).json()["accepted"] == 1
    while cases_project_pending()[0]:
        pass
    integrator = django_user_model.objects.get(username="integrator")
    integrator.staff_profile.system = own.system
    integrator.staff_profile.save()
    sandbox_cases = selectors.cases_for(scope_of(integrator), sandbox=True)
    assert set(sandbox_cases.values_list("case_id", flat=True)) == {"SANDBOX-OWN"}
    ministry = scope_of(django_user_model.objects.get(username="ministry"))
    seen = set(selectors.cases_for(ministry, sandbox=True).values_list("case_id", flat=True))
    assert {"SANDBOX-OWN", "SANDBOX-OTHER"} <= seen
    assert not selectors.cases_for(ministry).filter(case_id__startswith="SANDBOX-").exists()
    login("centre")
    page = client.get("/cases/list/", {"sandbox": "1"}).content.decode()
    assert 'name="sandbox"' not in page  # only integrators and the ministry may look


def _received_at_risk(term: Term, now: dt.datetime) -> dt.datetime:
    """A receipt moment whose deadline is still ahead but already in its last stretch."""
    received = now
    while True:
        received -= dt.timedelta(hours=1)
        deadline = deadline_compute(received_at=received, term=term, suspensions=[])
        # An hour of margin on both sides: the pages read the clock a little later.
        if deadline.at_risk_from < now - HOUR < now + HOUR < deadline.due_at:
            return received


def test_at_risk_and_overdue_cases_are_listed_and_filtered(client, login):
    world = support.world()
    system = support.new_system()
    now = timezone.now()
    current = ServiceTerm.objects.filter(service=world.service).order_by("-effective_from").first()
    term = Term(value=current.value, unit=current.unit)
    plan = {
        "RISK-1": _received_at_risk(term, now),
        "LATE-OPEN-1": now - dt.timedelta(days=200),
        "FRESH-1": now - dt.timedelta(minutes=30),
    }
    events = [
        support.event(world, case_id=case_id, occurred_at=at.isoformat())
        for case_id, at in plan.items()
    ]
    assert support.post_events(client, system, events).json()["accepted"] == 3
    while cases_project_pending()[0]:
        pass
    login("ministry")
    mine = {"system": system.system.pk}
    response = client.get("/cases/at-risk/")
    # The page lists the 200 nearest deadlines of each kind; the demo world has fewer.
    assert response.context["at_risk_total"] <= 200 >= response.context["overdue_total"]
    page = response.content.decode()
    risky, overdue = page.split('id="overdue-heading"')
    assert "RISK-1" in risky and "LATE-OPEN-1" not in risky and "FRESH-1" not in risky
    assert "LATE-OPEN-1" in overdue and "RISK-1" not in overdue
    listed = client.get("/cases/list/", {**mine, "timeliness": "overdue"}).content.decode()
    assert "LATE-OPEN-1" in listed and "RISK-1" not in listed and "FRESH-1" not in listed
    listed = client.get("/cases/list/", {**mine, "timeliness": "at_risk"}).content.decode()
    assert "RISK-1" in listed and "LATE-OPEN-1" not in listed
    case = Case.objects.get(system=system.system, case_id="LATE-OPEN-1")
    code, label = selectors.timeliness_of(case, now)
    assert code == "overdue" and "прострочено" in label

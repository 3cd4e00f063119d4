"""Least privilege: a centre sees only its reports, a coordinator only its oblast."""

import io

import pytest

from yakist.accounts.scope import scope_of
from yakist.core.problems import Forbidden
from yakist.statmon import drafts, rollup, selectors, services
from yakist.statmon.models import Report
from yakist.statmon.tests.factories import (
    LVIV,
    VOLYN,
    current_period,
    current_report,
    fill,
    other_centre,
    own_centre,
    submit,
)

pytestmark = pytest.mark.django_db


def test_a_centre_sees_only_its_own_reports_and_those_of_its_access_points(django_user_model):
    user = django_user_model.objects.get(username="centre")
    centre = own_centre(user)
    visible = selectors.reports_for(scope_of(user))
    own = {centre.pk, *centre.access_points.values_list("pk", flat=True)}
    assert visible.exists()
    assert set(visible.values_list("centre_id", flat=True)) <= own


def test_a_centre_cannot_open_another_centres_report(client, login):
    user = login("centre")
    neighbour = other_centre(LVIV, exclude=own_centre(user))
    period = current_period().code
    assert client.get(f"/statmon/{period}/{own_centre(user).code}/").status_code == 200
    for path in ("", "history/", "template.xlsx"):
        assert client.get(f"/statmon/{period}/{neighbour.code}/{path}").status_code == 404
    for action in ("save", "submit"):
        response = client.post(
            f"/statmon/{period}/{neighbour.code}/",
            {"draft_version": "0", "v:STF.TOTAL": "3", "action": action},
        )
        assert response.status_code == 404
    upload = io.BytesIO(b"PK not really a workbook")
    upload.name = "report.xlsx"
    response = client.post(f"/statmon/{period}/{neighbour.code}/upload/", {"file": upload})
    assert response.status_code == 404
    foreign = Report.objects.get(campaign__period=period, centre=neighbour)
    assert foreign.values == {} and foreign.status == "not_started"


def test_a_centre_cannot_submit_another_centres_report_through_the_services(django_user_model):
    user = django_user_model.objects.get(username="centre")
    neighbour = current_report(other_centre(LVIV, exclude=own_centre(user)))
    with pytest.raises(Forbidden):
        drafts.report_save(report=neighbour, entries={"STF.TOTAL": "1"}, actor=user)
    fill(neighbour, None)
    with pytest.raises(Forbidden):
        services.report_submit(report=neighbour, actor=user)


def test_a_coordinator_sees_only_its_oblast(django_user_model):
    coordinator = django_user_model.objects.get(username="coordinator")
    scope = scope_of(coordinator)
    campaign = selectors.campaign_get(current_period().previous().code)
    rows = selectors.dashboard(scope, campaign)
    assert rows and {row.report.centre.region_id for row in rows} == {LVIV}
    assert not selectors.dashboard(scope, campaign, region=VOLYN)
    assert [row["region"] for row in selectors.completeness_by_region(scope, campaign)] == [LVIV]
    assert [area.code for area in rollup.rollup_build(scope, campaign).regions] == [LVIV]


def test_a_coordinator_cannot_open_or_review_another_oblasts_report(client, login):
    login("coordinator")
    period = current_period().previous().code
    foreign = other_centre(VOLYN)
    assert client.get(f"/statmon/{period}/{foreign.code}/").status_code == 404
    response = client.post(f"/statmon/{period}/{foreign.code}/review/", {"decision": "accept"})
    assert response.status_code == 404
    assert client.get(f"/statmon/{period}/rollup/{VOLYN}/").status_code == 404


def test_a_coordinator_cannot_accept_another_oblasts_report_through_the_services(django_user_model):
    coordinator = django_user_model.objects.get(username="coordinator")
    report = submit(current_report(other_centre(VOLYN)), None)
    with pytest.raises(Forbidden):
        services.report_accept(report=report, actor=coordinator)


def test_ministry_sees_every_region_and_can_drill_down(client, login):
    login("ministry")
    period = current_period().previous().code
    response = client.get(f"/statmon/{period}/")
    assert response.status_code == 200
    assert len(response.context["regions"]) >= 24
    response = client.get(f"/statmon/{period}/rollup/{VOLYN}/SRV.APPLICATIONS/")
    assert response.status_code == 200 and response.context["rows"]


def test_a_provider_officer_sees_no_reports(django_user_model):
    officer = django_user_model.objects.get(username="provider")
    assert not selectors.reports_for(scope_of(officer)).exists()


def test_hole_05_integrator_of_an_all_centres_system_cannot_edit_every_report(client):
    """A system marked "all" may file events for any centre; its integrator still acts only for
    the centres its agreement names, so it neither opens nor edits other centres' reports."""
    from yakist.accounts.enums import Role
    from yakist.accounts.services import staff_user_create
    from yakist.registry.models import ConnectedSystem

    system = ConnectedSystem.objects.filter(scope_all=True).first()
    user = staff_user_create(
        username="national-integrator", password=None, role=Role.SYSTEM_INTEGRATOR, system=system
    )
    client.force_login(user)
    stranger = current_report(other_centre(VOLYN))
    assert not system.scope_centres.filter(pk=stranger.centre_id).exists()
    assert not selectors.reports_for(scope_of(user)).filter(pk=stranger.pk).exists()
    path = f"/statmon/{stranger.campaign.period}/{stranger.centre.code}/"
    assert client.get(path).status_code == 404
    response = client.post(path, {"draft_version": "0", "v:STF.TOTAL": "3", "action": "save"})
    assert response.status_code == 404
    with pytest.raises(Forbidden):
        drafts.report_save(report=stranger, entries={"STF.TOTAL": "1"}, actor=user)
    stranger.refresh_from_db()
    assert stranger.values == {} and stranger.status == "not_started"


def test_the_auditor_writes_no_report(django_user_model):
    from yakist.accounts.scope import ReadOnlyRole

    auditor = django_user_model.objects.get(username="auditor")
    report = current_report(other_centre(LVIV))
    before = (report.status, dict(report.values))
    with pytest.raises(ReadOnlyRole):
        drafts.report_save(report=report, entries={"STF.TOTAL": "1"}, actor=auditor)
    with pytest.raises(ReadOnlyRole):
        services.campaign_close(campaign=report.campaign, actor=auditor)
    report.refresh_from_db()
    assert (report.status, report.values) == before and report.campaign.is_open

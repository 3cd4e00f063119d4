"""The quarterly workflow: expected reports, drafts, QA on submit, review, corrections."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from yakist.accounts.models import AuditEntry
from yakist.accounts.scope import scope_of
from yakist.core.periods import Period
from yakist.core.problems import Forbidden, ValidationFailed
from yakist.registry.enums import Status
from yakist.registry.models.reference import Centre
from yakist.statmon import drafts, prefill, selectors, services
from yakist.statmon.models import Campaign, Report, ReportEvent, ReportStatus, ReportVersion
from yakist.statmon.tests.factories import (
    LVIV,
    current_period,
    fill,
    submit,
    valid_values,
)

pytestmark = pytest.mark.django_db


def submit_valid(report, people) -> Report:
    return submit(report, people["centre"])


def test_open_campaign_expects_active_centres_and_handles_closed_and_suspended(command):
    period = current_period().next()
    first, last = period.first_day, period.last_day
    centres = Centre.objects.filter(region_id=LVIV, status=Status.ACTIVE, kind="remote_workplace")
    closed_during, closed_before, suspended = list(centres.order_by("code")[:3])
    Centre.objects.filter(pk=closed_during.pk).update(
        status=Status.CLOSED, closed_on=first + dt.timedelta(days=20)
    )
    Centre.objects.filter(pk=closed_before.pk).update(
        status=Status.CLOSED, closed_on=first - dt.timedelta(days=1)
    )
    Centre.objects.filter(pk=suspended.pk).update(status=Status.SUSPENDED)
    output = command("statmon", "open-campaign", period.code)
    campaign = Campaign.objects.get(period=period.code)
    assert campaign.deadline == last + dt.timedelta(days=10)
    reports = {r.centre_id: r for r in campaign.reports.all()}
    assert reports[closed_during.pk].part_of_quarter is True
    assert closed_before.pk not in reports and suspended.pk not in reports
    expected = Centre.objects.exclude(status=Status.SUSPENDED).exclude(closed_on__lt=first)
    assert len(reports) == expected.count()
    assert f"додано очікуваних звітів: {len(reports)}" in output
    assert "додано очікуваних звітів: 0" in command("statmon", "open-campaign", period.code)


def test_open_campaign_without_period_opens_the_current_quarter(command):
    output = command("statmon", "open-campaign")
    assert f"Кампанія {current_period().code}" in output


def test_draft_keeps_text_typed_in_a_number_field_with_a_ukrainian_message(report, people):
    result = drafts.report_save(
        report=report,
        entries={"STF.TOTAL": "п'ять", "STF.ADMINS": "3", "FBK.SATISFIED": "101"},
        actor=people["centre"],
    )
    report.refresh_from_db()
    assert report.values["STF.ADMINS"] == 3
    assert report.invalid == {"STF.TOTAL": "п'ять", "FBK.SATISFIED": "101"}
    assert str(result.errors["STF.TOTAL"]).startswith("Введіть ціле число")
    assert str(result.errors["FBK.SATISFIED"]) == "Відсоток не може перевищувати 100."
    assert report.status == ReportStatus.DRAFT
    with pytest.raises(services.ReportInvalid) as caught:
        services.report_submit(report=report, actor=people["centre"])
    codes = {f["code"] for f in caught.value.extra["findings"] if f["rule"] in ("type", "range")}
    assert codes == {"STF.TOTAL", "FBK.SATISFIED"}
    report.refresh_from_db()
    assert report.invalid["STF.TOTAL"] == "п'ять"  # still there after the refused submission


def test_parts_above_the_total_block_submission_with_a_message_at_the_total(report, people):
    values = valid_values(report)
    values.update({"STF.TOTAL": 5, "STF.ADMINS": 4, "STF.REGISTRARS": 2, "STF.ON_LEAVE": 9})
    fill(report, people["centre"], values)
    findings = {f.code: f for f in services.report_check(report) if f.is_error}
    assert findings["STF.TOTAL"].message.startswith("Сума складових (STF.ADMINS + STF.REGISTRARS")
    assert "«Працівників у тривалій відпустці" in findings["STF.ON_LEAVE"].message
    with pytest.raises(services.ReportInvalid):
        services.report_submit(report=report, actor=people["centre"])


def test_stale_save_merges_other_fields_and_shows_conflicts_with_both_values(report, people):
    drafts.report_save(
        report=report, entries={"STF.TOTAL": "10", "STF.ADMINS": "6"}, actor=people["centre"]
    )
    report.refresh_from_db()
    started_from = report.draft_version
    base = {"STF.TOTAL": "10", "STF.ADMINS": "6", "STF.VACANCIES": ""}
    # Someone else saves first.
    drafts.report_save(
        report=report,
        entries={"STF.TOTAL": "12"},
        actor=people["centre"],
        draft_version=started_from,
        base=base,
    )
    # Our stale save changes the same field differently, plus one nobody else touched.
    result = drafts.report_save(
        report=report,
        entries={"STF.TOTAL": "11", "STF.ADMINS": "6", "STF.VACANCIES": "2"},
        actor=people["centre"],
        draft_version=started_from,
        base=base,
    )
    report.refresh_from_db()
    assert [(c.code, c.yours, c.theirs) for c in result.conflicts] == [("STF.TOTAL", "11", "12")]
    assert report.values["STF.TOTAL"] == 12  # never silently overwritten
    assert report.values["STF.VACANCIES"] == 2  # the change without a conflict is kept


def test_stale_save_in_the_browser_shows_the_conflict_and_keeps_the_typed_value(
    client, login, report
):
    login("centre")
    url = f"/statmon/{report.campaign.period}/{report.centre.code}/"
    client.post(url, {"draft_version": "0", "v:STF.TOTAL": "10", "b:STF.TOTAL": ""})
    client.post(url, {"draft_version": "1", "v:STF.TOTAL": "12", "b:STF.TOTAL": "10"})
    response = client.post(url, {"draft_version": "1", "v:STF.TOTAL": "11", "b:STF.TOTAL": "10"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Конфлікт: інший користувач зберіг «12», ваше значення — «11»" in page
    assert 'name="v:STF.TOTAL" value="11"' in page


def test_warnings_need_an_explanation_before_submission(report, people):
    previous = selectors.previous_accepted(report)
    values = valid_values(report)
    if previous.get("SRV.APPLICATIONS"):
        values["SRV.APPLICATIONS"] = previous["SRV.APPLICATIONS"] * 4
    else:
        values["HRS.WEEKLY_HOURS"] = 12.5  # differs from the registry's schedule
    values = {k: v for k, v in values.items() if not k.startswith("SRV.K_")}
    values.update({code: 0 for code in valid_values(report) if code.startswith("SRV.K_")})
    fill(report, people["centre"], values)
    with pytest.raises(services.ReportInvalid) as caught:
        services.report_submit(report=report, actor=people["centre"])
    warnings = caught.value.extra["findings"]
    assert warnings and all(f["severity"] == "warning" for f in warnings)
    assert "Поясніть попередження" in str(caught.value.detail)
    drafts.report_save(
        report=report,
        entries={},
        comments={f["code"]: "Відкрито новий підрозділ." for f in warnings},
        actor=people["centre"],
    )
    version = services.report_submit(report=report, actor=people["centre"])
    assert version.number == 1
    assert {f["code"] for f in version.findings} == {f["code"] for f in warnings}
    assert all(version.comments[f["code"]] for f in warnings)


def test_return_with_comment_then_accept_and_the_history_shows_each_step(report, people):
    submit_valid(report, people)
    with pytest.raises(ValidationFailed):
        services.report_return(report=report, actor=people["coordinator"], comment="  ")
    services.report_return(
        report=report, actor=people["coordinator"], comment="Уточніть кількість консультацій."
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    drafts.report_save(report=report, entries={"CNS.PHONE": "0"}, actor=people["centre"])
    services.report_submit(report=report, actor=people["centre"])
    services.report_accept(report=report, actor=people["coordinator"])
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.accepted_version.number == 2
    actions = list(report.events.values_list("action", flat=True))
    assert [a for a in actions if a != "save"] == ["submit", "return", "submit", "accept"]
    outcomes = dict(report.versions.values_list("number", "outcome"))
    assert outcomes == {1: "returned", 2: "accepted"}
    audited = set(
        AuditEntry.objects.filter(
            object_type="statmon.report", object_id=str(report.pk)
        ).values_list("action", flat=True)
    )
    assert {"statmon_report_submit", "statmon_report_return", "statmon_report_accept"} <= audited


def test_correction_after_acceptance_is_a_new_version_with_a_reason(report, people):
    submit_valid(report, people)
    services.report_accept(report=report, actor=people["coordinator"])
    first = report.versions.get()
    with pytest.raises(ValidationFailed):
        services.report_correction_open(report=report, actor=people["centre"], reason="")
    services.report_correction_open(
        report=report, actor=people["centre"], reason="Помилка в кількості працівників."
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.revision == 1
    assert report.accepted_version == first  # still counts until the correction is accepted
    rows = selectors.accepted_values(
        scope_of(people["ministry"]),
        period=report.campaign.period,
        centre_codes=[report.centre.code],
    )
    assert [row["version"] for row in rows] == [1]
    drafts.report_save(report=report, entries={"STF.TRAINED": "0"}, actor=people["centre"])
    second = services.report_submit(report=report, actor=people["centre"])
    assert second.reason == "Помилка в кількості працівників."
    services.report_accept(report=report, actor=people["coordinator"])
    outcomes = dict(report.versions.values_list("number", "outcome"))
    assert outcomes == {1: ReportVersion.Outcome.SUPERSEDED, 2: ReportVersion.Outcome.ACCEPTED}


def test_submission_after_the_campaign_is_closed_is_refused_and_the_draft_kept(report, people):
    fill(report, people["centre"])
    services.campaign_close(campaign=report.campaign, actor=people["ministry"])
    report.refresh_from_db()
    with pytest.raises(drafts.CampaignClosed) as caught:
        services.report_submit(report=report, actor=people["centre"])
    assert f"Кампанію за {report.campaign.period} закрито" in str(caught.value.detail)
    report.refresh_from_db()
    assert report.values and report.status == ReportStatus.DRAFT


def test_closing_a_campaign_locks_accepted_reports(report, people):
    submit_valid(report, people)
    services.report_accept(report=report, actor=people["coordinator"])
    locked = services.campaign_close(campaign=report.campaign, actor=people["ministry"])
    report.refresh_from_db()
    assert locked >= 1 and report.status == ReportStatus.LOCKED
    assert report.events.filter(action=ReportEvent.Action.LOCK).exists()


def test_bulk_accept_takes_only_submitted_reports_in_the_coordinators_oblast(people):
    campaign = selectors.campaign_get(current_period().previous().code)
    coordinator = people["coordinator"]
    visible = selectors.reports_for(scope_of(coordinator), period=campaign.period)
    submitted = list(visible.filter(status=ReportStatus.SUBMITTED).values_list("pk", flat=True))
    foreign = Report.objects.filter(campaign=campaign, status=ReportStatus.SUBMITTED).exclude(
        centre__region_id=LVIV
    )
    foreign_ids = list(foreign.values_list("pk", flat=True))
    accepted = services.reports_accept_bulk(
        reports=Report.objects.filter(pk__in=submitted + foreign_ids), actor=coordinator
    )
    assert accepted == len(submitted) > 0
    assert set(Report.objects.filter(pk__in=submitted).values_list("status", flat=True)) == {
        ReportStatus.ACCEPTED
    }
    assert set(Report.objects.filter(pk__in=foreign_ids).values_list("status", flat=True)) == {
        ReportStatus.SUBMITTED
    }
    assert all(r.accepted_version_id for r in Report.objects.filter(pk__in=submitted))


def test_copying_last_quarter_fills_only_empty_stable_answers(report, people):
    previous = selectors.previous_answers(report)
    assert previous, "the demo filled the previous quarter"
    drafts.report_save(report=report, entries={"PRM.SEATS": "999"}, actor=people["centre"])
    copied = drafts.report_copy_previous(report=report, actor=people["centre"])
    report.refresh_from_db()
    assert copied > 20
    assert report.values["PRM.SEATS"] == 999  # what was entered stays
    form = drafts.report_form(report)
    for code, value in report.values.items():
        if code != "PRM.SEATS":
            assert form.indicators[code].carry_over and value == previous[code]
    assert "SRV.APPLICATIONS" not in report.values  # flows are not copied
    assert report.events.filter(action=ReportEvent.Action.COPY).exists()


def test_registry_answers_are_offered_with_their_source(report):
    form = drafts.report_form(report)
    suggestions = prefill.suggestions(
        form.applicable(report.centre.kind), [report.centre], Period.parse(report.campaign.period)
    )[report.centre_id]
    assert suggestions["HRS.SCHEDULE"].value == report.centre.working_hours
    assert suggestions["HRS.WEEKLY_HOURS"].label == "Реєстр центрів"
    assert (
        suggestions["GEN.REMOTE_WP"].value
        == report.centre.access_points.filter(kind="remote_workplace", status="active").count()
    )


def test_another_app_can_register_a_prefill_source(report, monkeypatch):
    monkeypatch.setattr(prefill, "_SOURCES", dict(prefill._SOURCES))
    prefill.register(
        prefill.PrefillSource(
            key="cases",
            label="Динамічний моніторинг",
            facts={"applications": "прийнято заяв"},
            provide=lambda centres, period: {c.pk: {"applications": 321} for c in centres},
        )
    )
    form = drafts.report_form(report)
    suggestion = prefill.suggestions(
        form.applicable(report.centre.kind), [report.centre], Period.parse(report.campaign.period)
    )[report.centre_id]["SRV.APPLICATIONS"]
    assert (suggestion.value, suggestion.label) == (321, "Динамічний моніторинг")


def test_working_hours_text_is_read_into_weekly_figures():
    facts = prefill.parse_working_hours(
        "Пн–Пт 08:00–17:00, без перерви; Ср до 20:00; Сб 09:00–14:00"
    )
    assert facts == {
        "working_hours": "Пн–Пт 08:00–17:00, без перерви; Ср до 20:00; Сб 09:00–14:00",
        "weekly_hours": 53.0,
        "days_per_week": 6,
        "saturday": True,
        "evening": True,
        "no_break": True,
    }
    assert prefill.parse_working_hours("за домовленістю") is None


def test_accepted_values_selector_returns_checklist_answers_per_centre(people):
    campaign = selectors.campaign_get(current_period().previous().code)
    codes = selectors.checklist_codes(campaign.form)
    assert codes[0].startswith("OFF.") and any(c.startswith("ONL.") for c in codes)
    national = selectors.accepted_values(
        scope_of(people["ministry"]), period=campaign.period, codes=codes
    )
    oblast = selectors.accepted_values(
        scope_of(people["coordinator"]), period=campaign.period, codes=codes
    )
    assert national and oblast and len(oblast) < len(national)
    assert {row["region"] for row in oblast} == {LVIV}
    row = national[0]
    assert set(row["values"]) <= set(codes) and row["form_version"] == campaign.form.version
    assert all(isinstance(v, bool) for v in row["values"].values())


def test_roles_that_may_not_review_get_forbidden(report, people):
    submit_valid(report, people)
    with pytest.raises(Forbidden):
        services.report_accept(report=report, actor=people["centre"])
    provider = get_user_model().objects.get(username="provider")
    with pytest.raises(Forbidden):
        services.report_return(report=report, actor=provider, comment="x")


def test_a_report_never_submitted_by_the_deadline_shows_as_overdue():
    today = dt.date(2030, 1, 11)
    view = selectors.status_view(ReportStatus.DRAFT, dt.date(2030, 1, 10), today)
    assert view.key == "overdue" and view.badge == "bad"
    returned = selectors.status_view(ReportStatus.RETURNED, dt.date(2030, 1, 10), today)
    assert returned.key == "returned"  # it was submitted; the review loop is still open
    assert (
        selectors.status_view(ReportStatus.SUBMITTED, dt.date(2030, 1, 10), today).key
        == "submitted"
    )


def test_the_demo_left_returned_late_and_missing_reports_in_the_last_quarter():
    campaign = selectors.campaign_get(current_period().previous().code)
    statuses = set(campaign.reports.values_list("status", flat=True))
    assert {ReportStatus.RETURNED, ReportStatus.NOT_STARTED, ReportStatus.ACCEPTED} <= statuses
    late = [r for r in campaign.reports.exclude(first_submitted_at=None) if selectors.is_late(r)]
    assert late
    older = selectors.campaign_get(current_period().previous().previous().code)
    assert older.status == Campaign.State.CLOSED
    assert selectors.campaign_get(current_period().code).is_open


def test_demo_values_pass_every_check_of_the_form():
    campaign = selectors.campaign_get(current_period().previous().code)
    reports = campaign.reports.filter(status=ReportStatus.ACCEPTED).select_related(
        "campaign__form", "centre"
    )[:150]
    for report in reports:
        assert not [f for f in services.report_check(report) if f.is_error], report

"""The campaign and review workflow of static monitoring: opening and closing a quarter's
campaign, submitting a report, returning or accepting it, and reopening it for correction.

Every transition writes a report event (the history people see) and an audit entry. Editing a
draft is in drafts.py; who may do what, in workflow.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.accounts.scope import scope_of
from yakist.accounts.services import audit_entry, audit_record, audit_record_many
from yakist.core.periods import Period
from yakist.core.problems import Problem, ValidationFailed
from yakist.registry.enums import Status
from yakist.registry.models.reference import Centre
from yakist.statmon import mail, prefill, selectors
from yakist.statmon.catalogue import form_in_force
from yakist.statmon.drafts import CampaignClosed, campaign_closed_detail, report_form
from yakist.statmon.models import (
    ACCEPTED_STATUSES,
    Campaign,
    Report,
    ReportEvent,
    ReportStatus,
    ReportVersion,
)
from yakist.statmon.qa import report_findings, unexplained_warnings
from yakist.statmon.signals import reports_accepted
from yakist.statmon.validation import EntryError, Finding, parse_text
from yakist.statmon.workflow import (
    actor_name,
    actor_user,
    can_correct,
    can_edit,
    can_manage,
    can_review,
    event_record,
    report_locked,
    require_allowed,
)


class NoFormInForce(Problem):
    slug = "no-form-in-force"
    status = 409
    title = gettext_lazy("Немає чинної форми звітності")
    description = gettext_lazy(
        "На перший день кварталу не діє жодна версія форми: завантажте каталог показників."
    )


class ReportWrongState(Problem):
    slug = "report-wrong-state"
    status = 409
    title = gettext_lazy("Дія недоступна в поточному стані звіту")
    description = gettext_lazy("Наприклад, повернути можна лише поданий звіт.")


class ReportInvalid(Problem):
    slug = "report-invalid"
    status = 422
    title = gettext_lazy("Звіт не пройшов перевірки якості даних")
    description = gettext_lazy(
        "Помилки блокують подання; попередження потребують пояснення. Поле findings "
        "перелічує кожну з них із кодом показника і порадою, що зробити."
    )


# --- Campaigns ----------------------------------------------------------------------------------


def expected_centres(kinds: list[str], period: Period):
    """Centres expected to report for the quarter: open for at least part of it and not
    temporarily suspended."""
    return (
        Centre.objects.filter(kind__in=kinds)
        .exclude(status=Status.SUSPENDED)
        .exclude(closed_on__lt=period.first_day)
        .exclude(opened_on__gt=period.last_day)
        .exclude(region__occupied=True)
    )


def part_of_quarter(period: Period) -> Q:
    """Opened or closed during the quarter: expected, marked, but not reminded."""
    first, last = period.first_day, period.last_day
    return Q(closed_on__gte=first, closed_on__lte=last) | Q(
        opened_on__gt=first, opened_on__lte=last
    )


@transaction.atomic
def campaign_open(
    *,
    period: Period,
    deadline: dt.date | None = None,
    actor=None,
    request: HttpRequest | None = None,
) -> tuple[Campaign, int]:
    """Open the quarter's campaign (or complete an open one) with an expected report for every
    centre that should report. Safe to run again, e.g. from cron."""
    require_allowed(actor, None, can_manage)
    if not period.is_quarter:
        raise ValidationFailed(_("Кампанія відкривається на квартал, напр. 2026Q4."))
    campaign = Campaign.objects.select_for_update().filter(period=period.code).first()
    if campaign is None:
        form = form_in_force(period.first_day)
        if form is None:
            raise NoFormInForce(
                _("На %(day)s не діє жодна версія форми.")
                % {"day": period.first_day.strftime("%d.%m.%Y")}
            )
        campaign = Campaign.objects.create(
            period=period.code,
            form=form,
            deadline=deadline
            or period.last_day + dt.timedelta(days=settings.STATMON_DEADLINE_DAYS),
            opened_by=actor_user(actor),
        )
        audit_record(
            actor=actor,
            action="statmon_campaign_open",
            obj=campaign,
            changes={"form_version": form.version, "deadline": campaign.deadline.isoformat()},
            request=request,
        )
    elif deadline and deadline != campaign.deadline:
        campaign_deadline_set(campaign=campaign, deadline=deadline, actor=actor, request=request)
    existing = campaign.reports.values("centre_id")
    missing = expected_centres(campaign.form.reporting_kinds, period).exclude(pk__in=existing)
    part_ids = set(missing.filter(part_of_quarter(period)).values_list("pk", flat=True))
    created = Report.objects.bulk_create(
        [
            Report(campaign=campaign, centre_id=pk, part_of_quarter=pk in part_ids)
            for pk in missing.values_list("pk", flat=True)
        ],
        batch_size=1000,
    )
    return campaign, len(created)


@transaction.atomic
def campaign_deadline_set(
    *, campaign: Campaign, deadline: dt.date, actor=None, request: HttpRequest | None = None
) -> Campaign:
    require_allowed(actor, None, can_manage)
    before = campaign.deadline
    campaign.deadline = deadline
    campaign.save(update_fields=["deadline"])
    audit_record(
        actor=actor,
        action="statmon_campaign_deadline",
        obj=campaign,
        changes={"deadline": [before.isoformat(), deadline.isoformat()]},
        request=request,
    )
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor=None, request: HttpRequest | None = None) -> int:
    """Close the campaign: no more submissions; accepted reports become locked."""
    require_allowed(actor, None, can_manage)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        return 0
    campaign.status = Campaign.State.CLOSED
    campaign.closed_at = timezone.now()
    campaign.closed_by = actor_user(actor)
    campaign.save(update_fields=["status", "closed_at", "closed_by"])
    accepted = list(
        campaign.reports.filter(status=ReportStatus.ACCEPTED).values_list("pk", flat=True)
    )
    Report.objects.filter(pk__in=accepted).update(status=ReportStatus.LOCKED)
    ReportEvent.objects.bulk_create(
        [
            ReportEvent(
                report_id=pk,
                actor=actor_user(actor),
                actor_name=actor_name(actor),
                action=ReportEvent.Action.LOCK,
                from_status=ReportStatus.ACCEPTED,
                to_status=ReportStatus.LOCKED,
            )
            for pk in accepted
        ],
        batch_size=1000,
    )
    audit_record(
        actor=actor,
        action="statmon_campaign_close",
        obj=campaign,
        changes={"locked": len(accepted)},
        request=request,
    )
    return len(accepted)


# --- Submission and review ----------------------------------------------------------------------


def report_check(report: Report) -> list[Finding]:
    """All QA findings for the report's current draft."""
    form = report_form(report)
    invalid_errors = {}
    for code, raw in report.invalid.items():
        spec = form.indicators.get(code)
        if spec is not None:
            invalid_errors[code] = parse_text(spec, raw)[1] or EntryError("type", "")
    suggestions = prefill.suggestions(
        form.applicable(report.centre.kind), [report.centre], Period.parse(report.campaign.period)
    ).get(report.centre_id, {})
    return report_findings(
        form,
        report.centre.kind,
        report.values,
        invalid=report.invalid,
        invalid_errors=invalid_errors,
        previous=selectors.previous_accepted(report),
        suggestions=suggestions,
    )


@transaction.atomic
def report_submit(*, report: Report, actor, request: HttpRequest | None = None) -> ReportVersion:
    """Submit the draft for review: errors block, warnings need an explanation."""
    require_allowed(actor, report, can_edit)
    report = report_locked(report)
    if not report.is_editable:
        raise ReportWrongState(
            _("Звіт уже в стані «%(status)s».") % {"status": report.get_status_display()}
        )
    if not report.campaign.is_open and report.revision == 0:
        raise CampaignClosed(campaign_closed_detail(report.campaign))
    findings = report_check(report)
    errors = [f for f in findings if f.is_error]
    unexplained = unexplained_warnings(findings, report.comments)
    if errors or unexplained:
        detail = (
            _("Виправте помилки (%(n)s), щоб подати звіт.") % {"n": len(errors)}
            if errors
            else _("Поясніть попередження (%(n)s) у коментарях до полів.") % {"n": len(unexplained)}
        )
        raise ReportInvalid(detail, extra={"findings": [f.as_dict() for f in errors + unexplained]})
    number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        form=report.campaign.form,
        values=report.values,
        comments={f.code: report.comments.get(f.code, "") for f in findings},
        findings=[f.as_dict() for f in findings],
        reason=report.correction_reason if report.revision else "",
        submitted_at=now,
        submitted_by=actor_user(actor),
        submitted_by_name=actor_name(actor),
    )
    before = report.status
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now
    report.save(update_fields=["status", "submitted_at", "first_submitted_at"])
    event_record(
        report,
        action=ReportEvent.Action.SUBMIT,
        actor=actor,
        from_status=before,
        version=number,
        comment=report.correction_reason if report.revision else "",
    )
    audit_record(
        actor=actor,
        action="statmon_report_submit",
        obj=report,
        changes={"version": number, "warnings": len(findings)},
        request=request,
    )
    return version


def _pending_version(report: Report) -> ReportVersion:
    return report.versions.filter(outcome=ReportVersion.Outcome.PENDING).order_by("-number").first()


@transaction.atomic
def report_return(
    *, report: Report, actor, comment: str, request: HttpRequest | None = None
) -> Report:
    """Return a submitted report to the centre with what to fix."""
    require_allowed(actor, report, can_review)
    report = report_locked(report)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(_("Напишіть, що саме потрібно виправити."))
    if report.status != ReportStatus.SUBMITTED:
        raise ReportWrongState(_("Повернути можна лише поданий звіт."))
    version = _pending_version(report)
    now = timezone.now()
    ReportVersion.objects.filter(pk=version.pk).update(
        outcome=ReportVersion.Outcome.RETURNED,
        reviewed_at=now,
        reviewed_by=actor_user(actor),
        reviewed_by_name=actor_name(actor),
    )
    report.status = ReportStatus.RETURNED
    report.review_comment = comment
    report.save(update_fields=["status", "review_comment"])
    event_record(
        report,
        action=ReportEvent.Action.RETURN,
        actor=actor,
        from_status=ReportStatus.SUBMITTED,
        comment=comment,
        version=version.number,
    )
    audit_record(
        actor=actor,
        action="statmon_report_return",
        obj=report,
        changes={"version": version.number},
        request=request,
    )
    mail.notify_centre(
        report,
        subject=_("Звіт за %(period)s повернуто на доопрацювання")
        % {"period": report.campaign.period},
        body=_("Коментар перевіряльника:\n\n%(comment)s") % {"comment": comment},
    )
    return report


@transaction.atomic
def report_accept(
    *, report: Report, actor, comment: str = "", request: HttpRequest | None = None
) -> Report:
    require_allowed(actor, report, can_review)
    report = report_locked(report)
    if report.status != ReportStatus.SUBMITTED:
        raise ReportWrongState(_("Прийняти можна лише поданий звіт."))
    _accept_many([report.pk], actor=actor, comment=(comment or "").strip(), request=request)
    report.refresh_from_db()
    return report


def reports_accept_bulk(*, reports, actor, request: HttpRequest | None = None) -> int:
    """Accept every submitted report among `reports` (already limited to the viewer's scope)."""
    require_allowed(actor, None, can_review)
    submitted = reports.filter(status=ReportStatus.SUBMITTED)
    if actor is not None:
        submitted = selectors.restrict(scope_of(actor), submitted)
    with transaction.atomic():
        ids = list(submitted.select_for_update().values_list("pk", flat=True))
        return _accept_many(ids, actor=actor, comment="", request=request)


def _accept_many(ids: list[int], *, actor, comment: str, request) -> int:
    """Set-based acceptance: the pending version becomes the accepted one, any earlier accepted
    version is superseded, reports in closed campaigns go straight to locked."""
    if not ids:
        return 0
    now = timezone.now()
    pending = ReportVersion.objects.filter(report_id__in=ids, outcome=ReportVersion.Outcome.PENDING)
    ReportVersion.objects.filter(report_id__in=ids, outcome=ReportVersion.Outcome.ACCEPTED).update(
        outcome=ReportVersion.Outcome.SUPERSEDED
    )
    versions = dict(pending.values_list("report_id", "number"))
    pending.update(
        outcome=ReportVersion.Outcome.ACCEPTED,
        reviewed_at=now,
        reviewed_by=actor_user(actor),
        reviewed_by_name=actor_name(actor),
    )
    latest_accepted = (
        ReportVersion.objects.filter(report=OuterRef("pk"), outcome=ReportVersion.Outcome.ACCEPTED)
        .order_by("-number")
        .values("pk")[:1]
    )
    reports = Report.objects.filter(pk__in=ids)
    closed = set(
        reports.filter(campaign__status=Campaign.State.CLOSED).values_list("pk", flat=True)
    )
    reports.update(accepted_version=Subquery(latest_accepted), review_comment=comment)
    reports.filter(pk__in=closed).update(status=ReportStatus.LOCKED)
    reports.exclude(pk__in=closed).update(status=ReportStatus.ACCEPTED)
    ReportEvent.objects.bulk_create(
        [
            ReportEvent(
                report_id=pk,
                at=now,
                actor=actor_user(actor),
                actor_name=actor_name(actor),
                action=ReportEvent.Action.ACCEPT,
                from_status=ReportStatus.SUBMITTED,
                to_status=ReportStatus.LOCKED if pk in closed else ReportStatus.ACCEPTED,
                version_number=versions.get(pk),
                comment=comment,
            )
            for pk in ids
        ],
        batch_size=1000,
    )
    audit_record_many(
        entries=[
            audit_entry(
                at=now,
                actor=actor_user(actor),
                actor_name=actor_name(actor),
                action="statmon_report_accept",
                object_type="statmon.report",
                object_id=str(pk),
                changes={"version": versions.get(pk)},
            )
            for pk in ids
        ],
        request=request,
    )
    # Later stages (the methodology) react to the newly accepted answers, in one message.
    reports_accepted.send(
        sender=Report, reports=list(reports.values_list("centre_id", "campaign__period"))
    )
    return len(ids)


@transaction.atomic
def report_correction_open(
    *, report: Report, actor, reason: str, request: HttpRequest | None = None
) -> Report:
    """Reopen an accepted report for correction. The accepted version keeps counting in roll-ups
    until the corrected one is accepted; every version stays visible."""
    require_allowed(actor, report, can_correct)
    report = report_locked(report)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Вкажіть причину виправлення."))
    if report.status not in ACCEPTED_STATUSES:
        raise ReportWrongState(_("Виправлення можливе лише для прийнятого звіту."))
    before = report.status
    report.status = ReportStatus.DRAFT
    report.revision += 1
    report.correction_reason = reason
    report.review_comment = ""
    report.draft_version += 1
    report.save(
        update_fields=["status", "revision", "correction_reason", "review_comment", "draft_version"]
    )
    event_record(
        report, action=ReportEvent.Action.CORRECT, actor=actor, from_status=before, comment=reason
    )
    audit_record(
        actor=actor,
        action="statmon_report_correct",
        obj=report,
        changes={"revision": report.revision, "reason": reason},
        request=request,
    )
    return report

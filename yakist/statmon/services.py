"""State changes of static monitoring: campaigns, drafts, submission, review and corrections.

Every transition writes a report event (the history people see) and an audit entry. Drafts use
optimistic concurrency: a save names the draft version it started from, and a stale save is
merged field by field — what only one person changed is kept, what both changed differently
is returned as a conflict with both values and never silently overwritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.accounts.enums import Role
from yakist.accounts.models import AuditEntry
from yakist.accounts.scope import Scope, require_write, scope_of
from yakist.accounts.services import audit_record, audit_record_many
from yakist.core.periods import Period
from yakist.core.problems import Conflict, Forbidden, Problem, ValidationFailed
from yakist.registry.enums import Status
from yakist.registry.models.reference import Centre
from yakist.statmon import mail, prefill, selectors
from yakist.statmon.catalogue import FormSpec, IndicatorSpec, form_in_force, form_spec
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
from yakist.statmon.validation import (
    EntryError,
    Finding,
    canonical,
    coerce_json,
    display_value,
    parse_text,
)

EDITORS = {Role.CENTRE_ADMIN, Role.SYSTEM_INTEGRATOR}
REVIEWERS = {Role.REGIONAL_COORDINATOR, Role.MINISTRY_ANALYST}
MANAGERS = {Role.MINISTRY_ANALYST}


class NoFormInForce(Problem):
    slug = "no-form-in-force"
    status = 409
    title = gettext_lazy("Немає чинної форми звітності")
    description = gettext_lazy(
        "На перший день кварталу не діє жодна версія форми: завантажте каталог показників."
    )


class CampaignClosed(Problem):
    slug = "campaign-closed"
    status = 409
    title = gettext_lazy("Кампанію звітності закрито")
    description = gettext_lazy(
        "Звіти за цей квартал більше не приймаються; прийнятий звіт можна лише виправити."
    )


class ReportNotEditable(Problem):
    slug = "report-not-editable"
    status = 409
    title = gettext_lazy("Звіт зараз не можна змінювати")
    description = gettext_lazy(
        "Поданий або прийнятий звіт не редагується: дочекайтеся перевірки або розпочніть "
        "виправлення із зазначенням причини."
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


class StaleDraft(Conflict):
    slug = "stale-draft"
    title = gettext_lazy("Чернетку тим часом змінив інший користувач")
    description = gettext_lazy(
        "Ваші зміни не збережено поверх чужих: поле conflicts показує обидва значення."
    )


# --- Permissions --------------------------------------------------------------------------------


def _role_allows(scope: Scope, roles: set[str]) -> bool:
    return scope.superuser or scope.role in roles


def can_edit(scope: Scope) -> bool:
    return _role_allows(scope, EDITORS)


def can_review(scope: Scope) -> bool:
    return _role_allows(scope, REVIEWERS)


def can_correct(scope: Scope) -> bool:
    return _role_allows(scope, EDITORS | REVIEWERS)


def can_manage(scope: Scope) -> bool:
    return _role_allows(scope, MANAGERS)


def _require(actor, report: Report | None, allowed) -> None:
    """The actor's role must allow the action and the report must be in the actor's scope."""
    scope = require_write(actor)
    if scope is None:
        return  # commands and the demo act as the system
    if not allowed(scope):
        raise Forbidden(_("Ваша роль не дозволяє цю дію."))
    if report is not None and not selectors.report_in_scope(scope, report):
        raise Forbidden(_("Цей звіт поза вашою зоною відповідальності."))


def _actor_name(actor) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor.get_username()
    return "system"


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _event(
    report: Report,
    *,
    action: str,
    actor,
    from_status: str = "",
    comment: str = "",
    version: int | None = None,
    changes: dict | None = None,
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        actor=_actor(actor),
        actor_name=_actor_name(actor),
        action=action,
        from_status=from_status,
        to_status=report.status,
        comment=comment,
        version_number=version,
        changes=changes or {},
    )


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("campaign", "centre").get(pk=report.pk)


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
    _require(actor, None, can_manage)
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
            opened_by=_actor(actor),
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
    _require(actor, None, can_manage)
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
    _require(actor, None, can_manage)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        return 0
    campaign.status = Campaign.State.CLOSED
    campaign.closed_at = timezone.now()
    campaign.closed_by = _actor(actor)
    campaign.save(update_fields=["status", "closed_at", "closed_by"])
    accepted = list(
        campaign.reports.filter(status=ReportStatus.ACCEPTED).values_list("pk", flat=True)
    )
    Report.objects.filter(pk__in=accepted).update(status=ReportStatus.LOCKED)
    ReportEvent.objects.bulk_create(
        [
            ReportEvent(
                report_id=pk,
                actor=_actor(actor),
                actor_name=_actor_name(actor),
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


# --- Drafts -------------------------------------------------------------------------------------


@dataclass
class DraftConflict:
    code: str
    yours: str
    theirs: str


@dataclass
class SaveResult:
    changed: dict[str, list[str]] = field(default_factory=dict)
    conflicts: list[DraftConflict] = field(default_factory=list)
    errors: dict[str, EntryError] = field(default_factory=dict)
    draft_version: int = 0


def report_form(report: Report) -> FormSpec:
    return form_spec(report.campaign.form)


def _current(report: Report, code: str) -> str:
    if code in report.invalid:
        return "raw:" + report.invalid[code]
    return canonical(report.values.get(code))


def _parsed(spec: IndicatorSpec, raw: Any, mode: str) -> tuple[Any, EntryError | None, str]:
    value, error = (coerce_json if mode == "json" else parse_text)(spec, raw)
    if error is not None:
        return None, error, "raw:" + str(raw).strip()
    return value, None, canonical(value)


@transaction.atomic
def report_save(
    *,
    report: Report,
    entries: dict[str, Any],
    actor,
    comments: dict[str, str] | None = None,
    base: dict[str, Any] | None = None,
    draft_version: int | None = None,
    mode: Literal["text", "json"] = "text",
    action: str = ReportEvent.Action.SAVE,
    replace: bool = False,
    refuse_stale: bool = False,
    request: HttpRequest | None = None,
) -> SaveResult:
    """Save entered values into the draft. Invalid entries are kept as typed (with their error)
    so nothing is lost; `replace` clears applicable values not in `entries` (API PUT);
    `refuse_stale` raises StaleDraft instead of merging (API clients resolve it themselves)."""
    _require(actor, report, can_edit)
    report = _locked(report)
    if not report.is_editable:
        raise ReportNotEditable()
    if not report.campaign.is_open and report.revision == 0:
        raise CampaignClosed(campaign_closed_detail(report.campaign))
    form = report_form(report)
    applicable = {spec.code: spec for spec in form.applicable(report.centre.kind)}
    unknown = sorted(set(entries) - set(applicable))
    if unknown:
        raise ValidationFailed(
            _("Показники не належать до форми цього центру: %(codes)s")
            % {"codes": ", ".join(unknown)},
            extra={
                "errors": [{"code": code, "message": _("невідомий показник")} for code in unknown]
            },
        )
    if replace:
        entries = {code: entries.get(code) for code in applicable}
    stale = draft_version is not None and draft_version != report.draft_version
    if stale and refuse_stale:
        raise StaleDraft(
            _("Чернетку змінено (версія %(now)s, ви надіслали %(yours)s). Отримайте її знову.")
            % {"now": report.draft_version, "yours": draft_version},
            extra={
                "draft_version": report.draft_version,
                "conflicts": [
                    {"code": code, "yours": raw, "current": report.values.get(code)}
                    for code, raw in entries.items()
                    if _parsed(applicable[code], raw, mode)[2] != _current(report, code)
                ],
            },
        )
    base = base or {}
    result = SaveResult()
    values, invalid = dict(report.values), dict(report.invalid)
    for code, raw in entries.items():
        spec = applicable[code]
        value, error, mine = _parsed(spec, raw, mode)
        current = _current(report, code)
        if mine == current:
            if error is not None:
                result.errors[code] = error
            continue
        if stale:
            theirs_untouched = code in base and _parsed(spec, base[code], mode)[2] == current
            mine_untouched = code in base and _parsed(spec, base[code], mode)[2] == mine
            if mine_untouched:
                continue
            if not theirs_untouched:
                result.conflicts.append(
                    DraftConflict(
                        code=code,
                        yours="" if raw is None else str(raw),
                        theirs=_shown(spec, report, code),
                    )
                )
                continue
        old = _shown(spec, report, code)
        values.pop(code, None)
        invalid.pop(code, None)
        if error is not None:
            invalid[code] = str(raw).strip()
            result.errors[code] = error
        elif value is not None:
            values[code] = value
        result.changed[code] = [old, str(raw).strip() if error else display_value(spec, value)]
    comment_changes = _merge_comments(report, comments or {}, base, stale, result)
    if result.changed or comment_changes:
        before = report.status
        report.values, report.invalid = values, invalid
        if comment_changes is not None:
            report.comments = comment_changes
        report.draft_version += 1
        report.updated_at = timezone.now()
        report.updated_by = _actor(actor)
        if report.status == ReportStatus.NOT_STARTED:
            report.status = ReportStatus.DRAFT
        report.save(
            update_fields=[
                "values",
                "invalid",
                "comments",
                "draft_version",
                "updated_at",
                "updated_by",
                "status",
            ]
        )
        _event(
            report,
            action=action,
            actor=actor,
            from_status=before,
            changes=result.changed,
        )
        audit_record(
            actor=actor,
            action=f"statmon_report_{action}",
            obj=report,
            changes={"codes": sorted(result.changed), "draft_version": report.draft_version},
            request=request,
        )
    result.draft_version = report.draft_version
    return result


def _merge_comments(
    report: Report, comments: dict[str, str], base: dict[str, Any], stale: bool, result: SaveResult
) -> dict[str, str] | None:
    """Explanations of warnings are merged like values; returns the new dict if it changed."""
    merged = dict(report.comments)
    changed = False
    for code, text in comments.items():
        text = (text or "").strip()[:2000]
        current = merged.get(code, "")
        if text == current:
            continue
        key = f"#{code}"
        if stale and key in base and (base[key] or "").strip() != current:
            if (base[key] or "").strip() == text:
                continue
            result.conflicts.append(DraftConflict(code=key, yours=text, theirs=current))
            continue
        if text:
            merged[code] = text
        else:
            merged.pop(code, None)
        changed = True
    return merged if changed else None


def _shown(spec: IndicatorSpec, report: Report, code: str) -> str:
    if code in report.invalid:
        return report.invalid[code]
    return display_value(spec, report.values.get(code))


def campaign_closed_detail(campaign: Campaign) -> str:
    """Why a closed campaign's report takes no more changes, for the centre."""
    closed = (
        timezone.localtime(campaign.closed_at).strftime("%d.%m.%Y") if campaign.closed_at else ""
    )
    return _(
        "Кампанію за %(period)s закрито %(day)s: нові звіти не приймаються. Зверніться до "
        "регіонального координатора."
    ) % {"period": campaign.period, "day": closed}


@transaction.atomic
def report_copy_previous(*, report: Report, actor, request: HttpRequest | None = None) -> int:
    """Copy last quarter's answers to the stable questions (premises, registers, checklists…)
    into fields that are still empty. Never overwrites what was entered."""
    _require(actor, report, can_edit)
    report = _locked(report)
    if not report.is_editable:
        raise ReportNotEditable()
    form = report_form(report)
    previous = selectors.previous_answers(report)
    entries = {
        spec.code: previous[spec.code]
        for spec in form.applicable(report.centre.kind)
        if spec.carry_over
        and previous.get(spec.code) is not None
        and report.values.get(spec.code) is None
        and spec.code not in report.invalid
    }
    if not entries:
        return 0
    result = report_save(
        report=report,
        entries=entries,
        actor=actor,
        mode="json",
        action=ReportEvent.Action.COPY,
        request=request,
    )
    return len(result.changed)


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
    _require(actor, report, can_edit)
    report = _locked(report)
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
        submitted_by=_actor(actor),
        submitted_by_name=_actor_name(actor),
    )
    before = report.status
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.first_submitted_at = report.first_submitted_at or now
    report.save(update_fields=["status", "submitted_at", "first_submitted_at"])
    _event(
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
    _require(actor, report, can_review)
    report = _locked(report)
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
        reviewed_by=_actor(actor),
        reviewed_by_name=_actor_name(actor),
    )
    report.status = ReportStatus.RETURNED
    report.review_comment = comment
    report.save(update_fields=["status", "review_comment"])
    _event(
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
    _require(actor, report, can_review)
    report = _locked(report)
    if report.status != ReportStatus.SUBMITTED:
        raise ReportWrongState(_("Прийняти можна лише поданий звіт."))
    _accept_many([report.pk], actor=actor, comment=(comment or "").strip(), request=request)
    report.refresh_from_db()
    return report


def reports_accept_bulk(*, reports, actor, request: HttpRequest | None = None) -> int:
    """Accept every submitted report among `reports` (already limited to the viewer's scope)."""
    _require(actor, None, can_review)
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
        reviewed_by=_actor(actor),
        reviewed_by_name=_actor_name(actor),
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
                actor=_actor(actor),
                actor_name=_actor_name(actor),
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
            AuditEntry(
                at=now,
                actor=_actor(actor),
                actor_name=_actor_name(actor),
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
    _require(actor, report, can_correct)
    report = _locked(report)
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
    _event(
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
